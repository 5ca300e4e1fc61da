"""Every Redis key the service writes beside arq's own, in one place.

arq keeps its jobs under its own prefixes (``arq:job:<id>``, ...) and its queues under the
``queue_name`` setting (``multicam:queue``, and ``multicam:queue:video`` for the video
queue: ``worker.queue``); everything else the service stores starts ``multicam:``:

    multicam:attempts:<work>         an ingest/encode/sync attempt count (worker.jobs.attempts)
    multicam:attempts:<work>:error   the last attempt's error
    multicam:alive:<job id>          a running job's heartbeat (worker.jobs.liveness)
    multicam:silent:<job id>         first seen in progress without a heartbeat (same)
    multicam:session-lock:<session>  one sync or review of a session at a time
    multicam:upload:<asset id>       an upload's record (worker.api.v2.upload_records)
    multicam:upload-version:<slot>   a version number reserved for an upload

Nothing here imports the rest of the worker, so every layer may use it.
"""

from __future__ import annotations

PREFIX = "multicam:"
"""The namespace of every key below (a deployment's Redis DB may hold other apps' keys)."""


def attempts_key(work: str) -> str:
    """The attempt count of one piece of work (its job id)."""
    return f"{PREFIX}attempts:{work}"


def attempts_error_key(work: str) -> str:
    """The last failed attempt's error, beside its count."""
    return f"{attempts_key(work)}:error"


def alive_key(job_id: str) -> str:
    """Refreshed while a worker runs ``job_id``."""
    return f"{PREFIX}alive:{job_id}"


def silent_key(job_id: str) -> str:
    """Set when reconcile first finds ``job_id`` in progress without a heartbeat."""
    return f"{PREFIX}silent:{job_id}"


def session_lock_key(session_id: str) -> str:
    """The lock a sync or a review of ``session_id`` holds."""
    return f"{PREFIX}session-lock:{session_id}"


def upload_record_key(asset_id: str) -> str:
    """What the upload API remembers about an asset's upload."""
    return f"{PREFIX}upload:{asset_id}"


def upload_version_key(slot: str) -> str:
    """A storage version slot reserved for one upload."""
    return f"{PREFIX}upload-version:{slot}"
