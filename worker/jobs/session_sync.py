"""``sync_session``: move a session through its states and sync it when its clips are in.

draft -> ingesting (a file is being ingested) -> syncing -> needs-review.
The job is idempotent: it recomputes only when the session's inputs (each ready
clip's audio WAV checksum) differ from those of the stored result, and it
always updates the session's one sync-result, keyed by clip id
(``worker.session_clips``). A sound recorder (REC) is the master when it has one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import shutil
from typing import Any

from arq import ArqRedis

from strapi_client.debug_artifacts import DebugArtifacts, HistoryEntry
from strapi_client.enums import (
    AssetState,
    CameraLabel,
    DerivedKind,
    OperatorStatus,
    SessionState,
    SyncMethod,
)
from strapi_client.models import (
    MediaAsset,
    RecordingSession,
    RecordingSessionInput,
    SyncResult,
    SyncResultInput,
)
from worker.errors import SyncInputError
from worker.jobs.attempts import Attempts
from worker.jobs.context import Deps
from worker.jobs.retry import run_job
from worker.jobs.workdir import job_dir
from worker.logging import get_logger
from worker.pipeline.rules import review_clips_request
from worker.queue import enqueue
from worker.session_clips import AssetClip, artifact_name, asset_clips
from worker.session_lock import session_lock
from worker.storage.errors import StorageError
from worker.storage.keys import sync_artifact_key
from worker.sync.artifacts import camera_artifact
from worker.sync.clips import ClipInput
from worker.sync.confidence import Classification
from worker.sync.engine import sync_clips
from worker.sync.report import ClipSyncReport
from worker.sync.version import ENGINE_VERSION
from worker.transient import TRANSIENT


async def sync_session(ctx: dict[str, Any], session_id: str, force: bool = False) -> str:
    """arq job: advance one recording session, syncing it when all cameras are settled."""
    return await run_job(
        ctx, lambda deps: _advance(deps, session_id, force, ctx.get("redis")), session=session_id
    )


def inputs_digest(clips: list[AssetClip]) -> str:
    """What a sync result was computed from: each clip's id and audio checksum."""
    parts = sorted(f"{c.id}={getattr(_wav(c.asset), 'checksum', None) or ''}" for c in clips)
    return hashlib.sha256("|".join([ENGINE_VERSION, *parts]).encode()).hexdigest()[:24]


def _wav(asset: MediaAsset) -> Any:
    return next((d for d in asset.derivatives or [] if d.kind is DerivedKind.AUDIO_WAV), None)


async def _set_session(
    deps: Deps,
    session: RecordingSession,
    state: SessionState | None,
    message: str,
    pct: int | None = None,
) -> None:
    if (state is None or session.state is state) and session.progress_message == message:
        return  # nothing changes: do not fire another webhook
    data = RecordingSessionInput(progress_message=message, progress_pct=pct)
    if state is not None:
        data.state = state
    await deps.strapi.sessions.update(session.document_id, data)


async def _advance(deps: Deps, session_id: str, force: bool, redis: ArqRedis | None) -> str:
    log = get_logger()
    session = await deps.strapi.get_session(session_id)
    assets = asset_clips(session.assets or [])
    if session.state is SessionState.READY and not force:
        if not _inputs_changed(session, assets):
            return "approved: left as it is"
        # A camera's file was replaced (or failed, or one was added) after the approval:
        # the approved offsets belong to files the session no longer has. Sync again;
        # the approval moves to the result's history and the session to needs-review.
        log.warning("approved_inputs_changed", session=session_id)
    if not assets:
        return "no cameras yet"
    pending = [c for c in assets if c.asset.state in (AssetState.UPLOADING, AssetState.INGESTING)]
    failed = [c for c in assets if c.asset.state is AssetState.FAILED]
    ready = [c for c in assets if c.asset.state is AssetState.READY]
    if pending:
        ingesting = any(c.asset.state is AssetState.INGESTING for c in pending)
        state = SessionState.INGESTING if ingesting else None
        status = ", ".join(f"{c.id} {_asset_status(c.asset)}" for c in assets)
        await _set_session(
            deps, session, state, f"ingesting: {status}", int(100 * len(ready) / len(assets))
        )
        return "waiting for cameras"
    failures = _failures(failed)
    cameras_ready = len({c.label for c in ready})
    if cameras_ready < 2:
        message = f"cannot sync: {cameras_ready} camera(s) ready, 2 needed" + (
            f"; {failures}" if failures else ""
        )
        await _set_session(deps, session, SessionState.NEEDS_REVIEW, message)
        log.warning("sync_impossible", reason=message)
        return "not enough cameras"
    digest = inputs_digest(ready)
    current = session.sync_result
    if (
        not force
        and _recorded_digest(current) == digest
        and session.state in (SessionState.NEEDS_REVIEW, SessionState.READY)
    ):
        return "up to date"
    # A sync that crashes or raises every time ends in needs-review, not in a loop.
    # Counted per session and inputs: a new camera file starts afresh, and the count
    # is kept after giving up, so the webhooks of that write find it given up again
    # (an unchanged message writes nothing) instead of starting another round.
    attempts = Attempts(redis, f"sync:{session_id}:{digest}", deps.settings.job_attempts)
    if force:
        await attempts.forget()  # the operator asked for a recompute: try again
    gave_up = await attempts.exhausted()
    if gave_up is not None:
        await _sync_failed(deps, session_id, gave_up)
        return "failed"
    async with attempts.attempt():
        return await _sync(deps, session, ready, failed, digest, redis)


def _inputs_changed(session: RecordingSession, assets: list[AssetClip]) -> bool:
    """True once a new camera file is in (ingested, or ingesting) since the result."""
    if any(c.asset.state is AssetState.INGESTING for c in assets):
        return True
    ready = [c for c in assets if c.asset.state is AssetState.READY]
    return _recorded_digest(session.sync_result) != inputs_digest(ready)


def _failures(failed: list[AssetClip]) -> str:
    return "; ".join(f"camera {c.id} failed: {c.asset.error_message}" for c in failed)


def _recorded_digest(result: SyncResult | None) -> str | None:
    """The inputs digest a stored result was computed from (None: none, or unknown)."""
    if result is None or result.debug_artifacts is None:
        return None
    return result.debug_artifacts.inputs_digest


async def _sync_failed(deps: Deps, session_id: str, reason: str) -> None:
    """Say why the sync cannot be done and stop: reconcile leaves needs-review alone."""
    get_logger().error("sync_failed", reason=reason)
    refreshed = await deps.strapi.get_session(session_id, populate=None)
    await _set_session(
        deps,
        refreshed,
        SessionState.NEEDS_REVIEW,
        f"sync failed: {reason}; re-ingest the camera(s) or recompute",
    )


async def _sync(
    deps: Deps,
    session: RecordingSession,
    ready: list[AssetClip],
    failed: list[AssetClip],
    digest: str,
    redis: ArqRedis | None,
) -> str:
    """One attempt at computing and storing the session's sync result."""
    log = get_logger()
    session_id = session.document_id
    failures = _failures(failed)
    await _set_session(
        deps,
        session,
        SessionState.SYNCING,
        f"syncing cameras {', '.join(c.id for c in ready)}",
        0,
    )
    log.info("sync_started", cameras=[c.id for c in ready])
    try:
        report, artifacts = await _compute(deps, session, ready)
    except (SyncInputError, StorageError) as exc:
        if isinstance(exc, TRANSIENT):
            raise
        # Permanent (e.g. a WAV expired by the lifecycle rule): say so and stop,
        # rather than leave the session in "syncing" for reconcile to retry forever.
        await _sync_failed(deps, session_id, str(exc))
        return "failed"
    async with session_lock(redis, session_id):
        # Read the result being replaced under the lock: a review recorded while the
        # engine ran goes into the history instead of being overwritten unseen.
        current = (await deps.strapi.get_session(session_id)).sync_result
        data = _result_input(report, failed, digest, artifacts, previous=current)
        await deps.strapi.upsert_sync_result(session_id, data)
        refreshed = await deps.strapi.get_session(session_id, populate=None)
        summary = ", ".join(f"{lbl} {cls}" for lbl, cls in (data.classification or {}).items())
        await _set_session(
            deps,
            refreshed,
            SessionState.NEEDS_REVIEW,
            f"synced (master {report.master}): {summary}" + (f"; {failures}" if failures else ""),
            100,
        )
    log.info(
        "sync_done",
        master=report.master,
        offsets_ms=data.offsets_ms,
        classification=data.classification,
    )
    await _enqueue_review_clips(deps, session_id, redis)
    return "synced"


async def _enqueue_review_clips(deps: Deps, session_id: str, redis: ArqRedis | None) -> None:
    """Pictures for the review now, for every camera whose proxy is still to come."""
    if redis is None:
        return
    session = await deps.strapi.get_session(session_id)
    for asset in session.assets or []:
        request = review_clips_request(asset, session.sync_result)
        if request is not None:
            await enqueue(redis, request, main_queue=deps.settings.queue_name)


def _asset_status(asset: MediaAsset) -> str:
    if asset.state is AssetState.INGESTING and asset.progress_pct:
        return f"audio {asset.progress_pct}%"
    if asset.state is AssetState.READY:
        return "audio ready"
    return asset.state.value


async def _compute(
    deps: Deps, session: RecordingSession, ready: list[AssetClip]
) -> tuple[ClipSyncReport, dict[str, str]]:
    workdir = job_dir(deps.settings.work_dir, f"sync-{session.document_id}")
    try:
        clips = []
        for clip in ready:
            wav = _wav(clip.asset)
            if wav is None or not wav.storage_key:
                raise SyncInputError(f"camera {clip.id} has no audio WAV")
            dest = workdir / f"{artifact_name(clip.id)}.wav"
            expected = (wav.checksum or "").removeprefix("sha256:") or None
            await deps.store.get_file(wav.storage_key, dest, expected_sha256=expected)
            # Every input is a WAV: which one is the sound recorder is the label's to say.
            clips.append(ClipInput(clip.label, dest, id=clip.id, recorder=clip.recorder))
        report = await asyncio.to_thread(sync_clips, clips, master="auto")
        by_clip = report.by_clip()
        urls: dict[str, str] = {}
        for cid in by_clip.labels:
            body = json.dumps(camera_artifact(by_clip, cid), separators=(",", ":")).encode()
            key = sync_artifact_key(session.project_id, session.date, artifact_name(cid))
            stored = await deps.store.put_bytes(key, body, "application/json")
            urls[cid] = stored.url
        return report, urls
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# Past results kept in debugArtifacts.history (oldest dropped first).
HISTORY_LIMIT = 20


# A history entry holds the replaced result's figures (every one, null or not) and the
# debugArtifacts keys it shares with them (only those the result had): the fields
# HistoryEntry has in common with each.
_FIGURES = set(HistoryEntry.model_fields) & set(SyncResult.model_fields)
_CARRIED = set(HistoryEntry.model_fields) & set(DebugArtifacts.model_fields)


def _history(
    previous: SyncResult | None, digest: str, offsets: dict[str, float]
) -> list[HistoryEntry]:
    """Earlier results' figures, the one being replaced last, so a re-sync loses nothing."""
    if previous is None:
        return []
    old = previous.debug_artifacts or DebugArtifacts()
    history = list(old.history or [])
    if (
        old.inputs_digest == digest
        and previous.offsets_ms == offsets
        and previous.operator_status is OperatorStatus.PENDING
    ):
        return history  # a retried run rewriting its own result: nothing would be lost
    figures = previous.model_dump(mode="json", include=_FIGURES)
    carried = old.model_dump(mode="json", include=_CARRIED, exclude_unset=True)
    return [*history, HistoryEntry.model_validate(figures | carried)][-HISTORY_LIMIT:]


def _result_input(
    report: ClipSyncReport,
    failed: list[AssetClip],
    digest: str,
    artifacts: dict[str, str],
    *,
    previous: SyncResult | None = None,
) -> SyncResultInput:
    doc = report.by_clip().to_dict()
    classification = dict(doc["classification"])
    errors = dict(doc["errors"])
    for clip in failed:
        classification[clip.id] = Classification.NEEDS_MANUAL_NUDGE.value
        errors[clip.id] = f"ingest failed: {clip.asset.error_message}"
    debug = DebugArtifacts(
        inputs_digest=digest,
        engine=ENGINE_VERSION,
        artifacts=artifacts,
        errors=errors,
        history=_history(previous, digest, doc["offsets_ms"]),
    )
    if report.master_clip != report.master:
        debug.master_clip = report.master_clip  # set only when it says more than the label
    return SyncResultInput(
        master_camera=CameraLabel(report.master),
        offsets_ms=doc["offsets_ms"],
        confidence=doc["confidence"],
        confidence_pct=doc["confidence_pct"],
        classification=classification,
        drift_ppm=doc["drift_ppm"],
        method=SyncMethod.XCORR,
        operator_status=OperatorStatus.PENDING,
        operator_offsets_ms=None,
        debug_artifacts=debug,
        computed_at=dt.datetime.now(dt.UTC),
        approved_at=None,
        approved_by=None,
        review_notes=None,  # the previous review's notes are in the history
    )
