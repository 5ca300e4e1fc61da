"""The queue's vocabulary: job names, queues, deterministic job ids, one ``enqueue``.

Everything that puts work on Redis (webhooks, the upload API, reconcile, the jobs
themselves) builds a :class:`JobRequest` and hands it to :func:`enqueue`; the arq
worker registers its functions under the names defined here. Nothing in this
module imports the rest of the worker, so every layer may import it.

Two queues: the *main* queue holds the short work an operator waits for (audio
ingest, sync, review clips, reviews, reconcile); the *video* queue holds the long encodes
(proxy, thumbnail, mezzanine), so a busy encoder never delays a sync result.

A job id is derived from what the job will work on, so a webhook delivered three
times, the reconcile cron and an operator's retry collapse into one job while it
is queued or running (and, for kinds that keep their result, shortly after).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from arq.jobs import Job
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

INGEST_ASSET = "ingest_asset"
"""Probe an original and make what sync needs (audio WAV, waveform)."""
ENCODE_VIDEO = "encode_video"
"""Make an asset's video derivatives (proxy, thumbnail, mezzanine) once its audio is in."""
CUT_REVIEW_CLIPS = "cut_review_clips"
"""Cut an asset's short review clips around the moments its sync result relies on."""
SYNC_SESSION = "sync_session"
"""Move a session through its states; sync it when every camera's audio is in."""
APPLY_REVIEW = "apply_review"
"""Apply an operator's approval or correction made in the Strapi admin."""
RECONCILE = "reconcile"
"""The cron that re-derives due work from Strapi's state."""

VIDEO_QUEUE_SUFFIX = ":video"


class Queue(StrEnum):
    MAIN = "main"
    VIDEO = "video"


def queue_name(main: str, queue: Queue) -> str:
    """The Redis key of ``queue`` for a deployment whose main queue is ``main``."""
    return main if queue is Queue.MAIN else f"{main}{VIDEO_QUEUE_SUFFIX}"


@dataclass(frozen=True)
class JobRequest:
    """A job to enqueue; ``job_id`` makes duplicates collapse in arq."""

    function: str
    job_id: str
    args: tuple[str | bool, ...]
    queue: Queue = Queue.MAIN


def _digest(parts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def ingest_job_id(asset_id: str, original_url: str) -> str:
    """One audio ingest per asset and original (a replaced file gets a new job)."""
    return f"ingest:{asset_id}:{_digest([original_url])}"


def video_job_id(asset_id: str, original_url: str) -> str:
    """One video encode per asset and original."""
    return f"video:{asset_id}:{_digest([original_url])}"


REVIEW_CLIPS_JOBS = "review-clips:"
"""What every review-clips job id starts with."""


def review_clips_job_prefix(asset_id: str) -> str:
    """What every review-clips job id of one asset starts with."""
    return f"{REVIEW_CLIPS_JOBS}{asset_id}:"


def review_clips_job_id(asset_id: str, original_url: str, computed_at: str) -> str:
    """One cut per asset, original and sync result (a recompute cuts again)."""
    return review_clips_job_prefix(asset_id) + _digest([original_url, computed_at])


def session_job_id(session_id: str) -> str:
    """The session job's id: per session, so it dedupes while queued or running."""
    return f"sync:{session_id}"


def apply_review_job_id(result_id: str, fingerprint: str) -> str:
    """One review application per sync result and reviewed content."""
    return f"review:{result_id}:{fingerprint}"


async def enqueue(redis: ArqRedis, request: JobRequest, *, main_queue: str) -> Job | None:
    """Put ``request`` on its queue; None when a job with its id is queued or running.

    :param main_queue: the deployment's main queue name (``MULTICAM_QUEUE_NAME``);
        video jobs go to the queue derived from it.
    """
    return await redis.enqueue_job(
        request.function,
        *request.args,
        _job_id=request.job_id,
        _queue_name=queue_name(main_queue, request.queue),
    )


# How often enqueue_when_free looks whether the job holding an id has left.
_FREE_POLL_S = 0.1


async def enqueue_when_free(
    redis: ArqRedis, request: JobRequest, *, main_queue: str, wait_s: float
) -> Job | None:
    """``enqueue``, waiting up to ``wait_s`` for a job holding the same id to finish.

    For a request a person makes that must not be swallowed by a job of the same id
    that some event queued a moment earlier (an operator's recompute right after an
    approval, whose webhook advances the session): that job is usually gone within a
    second. None when the id is still held after ``wait_s`` (a sync really running).
    """
    ends = time.monotonic() + wait_s
    while True:
        job = await enqueue(redis, request, main_queue=main_queue)
        if job is not None or time.monotonic() >= ends:
            return job
        await asyncio.sleep(_FREE_POLL_S)


def redis_settings(url: str) -> RedisSettings:
    """arq settings from a redis://, rediss:// or unix:// URL, with a retry policy.

    Without the retry policy an arq worker exits as soon as Redis restarts.
    """
    base = RedisSettings.from_dsn(url)
    base.conn_timeout = 3
    base.conn_retries = 10
    base.conn_retry_delay = 1
    base.retry_on_timeout = True
    base.retry_on_error = [
        RedisConnectionError,
        RedisTimeoutError,
        ConnectionError,
        TimeoutError,
        OSError,
    ]
    base.retry = Retry(ExponentialBackoff(cap=10, base=0.5), 20)
    return base


async def connect(url: str, main_queue: str) -> ArqRedis:
    """A pool for enqueueing (use :func:`enqueue`, which picks each job's queue)."""
    return await create_pool(redis_settings(url), default_queue_name=main_queue)
