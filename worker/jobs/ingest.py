"""``ingest_asset``: original in storage -> probed asset with what sync needs.

Audio first (the default ``MULTICAM_INGEST_ORDER``): the job probes the original
and makes its audio WAV and waveform, and the asset becomes ``ready`` (sync can
use it) with ``videoState: pending``; its video derivatives follow in an
``encode_video`` job on the video queue (``worker.jobs.video``). ``single-pass``
makes every derived file here, in one decode, and only then says ``ready``.

State: uploading/ingesting -> ready | failed. Derived objects have deterministic
keys and derived-media entries are upserted per (asset, kind), so a retried or
re-run job overwrites instead of duplicating; a failed ingest removes what it
made, so a failed asset has no derived objects or entries. A job overtaken by a
re-upload records nothing and removes only its own files.

A sound recorder's file (label REC) is audio only: its audio WAV and waveform are
all it gets (no proxy, no video job), its ``videoState`` is null.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Collection
from typing import Any

import structlog

from strapi_client.enums import AssetState, SessionState, VideoState
from strapi_client.models import (
    MediaAsset,
    MediaAssetInput,
    RecordingSession,
    RecordingSessionInput,
)
from worker.errors import DiskSpaceLow, MediaError
from worker.ingest.derive import AUDIO_KINDS, planned_kinds
from worker.ingest.probe import ProbeResult, probe
from worker.jobs import derived, workdir
from worker.jobs.attempts import Attempts
from worker.jobs.context import Deps
from worker.jobs.retry import run_job
from worker.logging import get_logger
from worker.pipeline.rules import ASSET_NEEDS_INGEST, advance_request, video_request
from worker.queue import enqueue, ingest_job_id
from worker.storage.errors import ForeignUrlError, StorageError
from worker.storage.keys import extension_from_filename
from worker.transient import TRANSIENT


async def ingest_asset(ctx: dict[str, Any], asset_id: str) -> str:
    """arq job: ingest one media-asset by documentId."""
    return await run_job(ctx, lambda deps: _ingest(ctx, deps, asset_id), asset=asset_id)


async def _ingest(ctx: dict[str, Any], deps: Deps, asset_id: str) -> str:
    log = get_logger()
    asset = await deps.strapi.assets.get(asset_id, populate={"session": True, "derivatives": True})
    structlog.contextvars.bind_contextvars(camera=asset.camera_label.value, take=asset.take)
    if asset.state not in ASSET_NEEDS_INGEST or not asset.original_url:
        log.info("ingest_skipped", state=asset.state.value)
        return f"skipped: asset is {asset.state.value}"
    session = asset.session
    if session is None:
        await _fail(deps, asset, "this asset belongs to no recording session")
        return "failed"
    structlog.contextvars.bind_contextvars(session=session.document_id)
    await _session_ingesting(deps, session, asset)
    try:
        key = deps.store.key_from_url(asset.original_url)
    except ForeignUrlError as exc:
        await _fail(deps, asset, f"originalUrl is not in the configured storage: {exc}")
        return "failed"
    info = await deps.store.head(key)
    if info is None:
        if asset.state is AssetState.UPLOADING:
            log.info("ingest_waiting_for_upload", key=key)
            return "waiting for the upload"
        await _fail(deps, asset, f"original file not found in storage ({asset.original_url})")
        return "failed"
    try:
        workdir.ensure_free(deps.settings.work_dir, info.size, deps.settings.min_free_disk_mb)
    except DiskSpaceLow as exc:
        # Not the file's fault and not counted as an attempt: say so, and try later.
        log.warning("ingest_waiting_for_disk", reason=str(exc))
        await deps.strapi.update_asset(
            asset_id, MediaAssetInput(state=AssetState.INGESTING, progress_message=str(exc))
        )
        raise

    # Poison files (any exception, or a crash, every time) end in failed, not in a loop.
    attempts = Attempts(
        ctx.get("redis"), ingest_job_id(asset_id, asset.original_url), deps.settings.job_attempts
    )
    gave_up = await attempts.exhausted()
    if gave_up is not None:
        if await derived.still_current(deps, asset):
            await derived.drop_kinds(deps, asset_id, lambda _: False)
            await _fail(deps, asset, gave_up)
        await attempts.forget()
        await _advance(ctx, deps, session.document_id)
        return "failed"
    async with attempts.attempt():
        return await _run_ingest(ctx, deps, asset, session, key, info.size)


async def _session_ingesting(deps: Deps, session: RecordingSession, asset: MediaAsset) -> None:
    """A session leaves draft as soon as its first camera starts ingesting.

    Written here rather than by the session job, which may wait for a free slot.
    """
    if session.state is SessionState.DRAFT:
        await deps.strapi.sessions.update(
            session.document_id,
            RecordingSessionInput(
                state=SessionState.INGESTING,
                progress_message=f"ingesting: camera {asset.camera_label.value} started",
            ),
        )


async def _run_ingest(
    ctx: dict[str, Any],
    deps: Deps,
    asset: MediaAsset,
    session: RecordingSession,
    key: str,
    size: int,
) -> str:
    """Download, probe, derive, upload and record: one attempt at the ingest."""
    log = get_logger()
    asset_id = asset.document_id
    assert asset.original_url is not None
    recorder = asset.camera_label.is_recorder
    single_pass = deps.settings.ingest_order == "single-pass" and not recorder
    log.info("ingest_started", key=key, size=size, order=deps.settings.ingest_order)
    await deps.strapi.update_asset(
        asset_id,
        MediaAssetInput(
            state=AssetState.INGESTING,
            error_message=None,
            progress_pct=1,
            progress_message="downloading the original",
            video_state=None if recorder else VideoState.PENDING,
            video_progress_pct=None,
        ),
    )
    folder = workdir.job_dir(deps.settings.work_dir, f"ingest-{asset_id}")
    uploaded: list[str] = []
    heartbeat = asyncio.create_task(derived.heartbeat(deps, asset_id))
    kept = False
    try:
        ext = extension_from_filename(asset.original_filename or key, default="mp4")
        source = folder / workdir.local_name(asset.original_filename, ext)
        await deps.store.get_file(key, source)
        facts = await asyncio.to_thread(probe, source, limits=deps.ingest, audio_only=recorder)
        await deps.strapi.update_asset(asset_id, _probe_fields(facts))
        kinds = planned_kinds(facts, deps.ingest) if single_pass else list(AUDIO_KINDS)

        async def report(fraction: float, message: str) -> None:
            await deps.strapi.update_asset(
                asset_id,
                MediaAssetInput(
                    progress_pct=max(5, min(95, int(5 + fraction * 85))), progress_message=message
                ),
            )

        outputs = await derived.make(
            deps, asset, session, key, source, folder / "out", facts, kinds, report, uploaded
        )
        if outputs is None:
            return "superseded by a newer upload"
        made = {o.kind for o in outputs}
        # Files of an earlier original (a replaced camera) go: they belong to another clock.
        await derived.drop_kinds(
            deps, asset_id, lambda d: d.kind.value in made or derived.made_from(d, key)
        )
        await deps.strapi.update_asset(
            asset_id,
            MediaAssetInput(
                state=AssetState.READY,
                error_message=None,
                progress_pct=100,
                progress_message=_ready_message(made, single_pass, recorder),
                video_state=_video_state(single_pass, recorder),
                video_progress_pct=None if recorder else 100 if single_pass else 0,
            ),
        )
        if not single_pass and not recorder:
            kept = deps.settings.keep_originals_s > 0 and workdir.keep_original(
                deps.settings.work_dir,
                asset_id,
                asset.original_url,
                source,
                deps.settings.min_free_disk_mb,
            )
    except (MediaError, StorageError) as exc:
        if isinstance(exc, TRANSIENT):
            raise
        if await derived.still_current(deps, asset):
            await derived.delete_objects(deps, uploaded)
            await derived.drop_kinds(deps, asset_id, lambda _: False)
            await _fail(deps, asset, str(exc))
        else:
            await derived.delete_objects(deps, uploaded)
        await _advance(ctx, deps, session.document_id)
        return "failed"
    finally:
        heartbeat.cancel()
        shutil.rmtree(folder, ignore_errors=True)
    log.info("ingest_done", outputs=[o.kind for o in outputs], original_kept=kept)
    if not single_pass and not recorder:
        await _enqueue_video(ctx, deps, asset_id)
    await _advance(ctx, deps, session.document_id)
    return "ready"


def _video_state(single_pass: bool, recorder: bool) -> VideoState | None:
    if recorder:
        return None  # a sound recorder has no picture to encode
    return VideoState.READY if single_pass else VideoState.PENDING


def _ready_message(made: Collection[str], single_pass: bool, recorder: bool) -> str:
    if recorder:
        return "audio ready (sound recorder: no video)"
    if single_pass:
        return f"ready: {', '.join(sorted(made))}"
    return "audio ready; video queued"


def _probe_fields(facts: ProbeResult) -> MediaAssetInput:
    picture = facts.has_picture
    return MediaAssetInput(
        duration_ms=facts.duration_ms,
        fps=round(facts.fps, 3) if picture else None,
        resolution=facts.resolution if picture else None,
        codec=facts.video_codec if picture else None,
        audio_codec=facts.audio_codec,
        sample_rate=facts.audio_sample_rate,
        audio_channels=facts.audio_channels,
        is_vfr=facts.vfr if picture else None,
        audio_start_ms=round(facts.audio_start_ms, 3),
        video_start_ms=round(facts.video_start_ms, 3) if picture else None,
        progress_pct=5,
        progress_message="probed; extracting audio",
    )


async def _fail(deps: Deps, asset: MediaAsset, message: str) -> None:
    get_logger().warning("ingest_failed", reason=message)
    await deps.strapi.update_asset(
        asset.document_id,
        MediaAssetInput(
            state=AssetState.FAILED,
            error_message=message,
            progress_pct=None,
            progress_message="failed",
            video_state=None,
            video_progress_pct=None,
        ),
    )


async def _enqueue_video(ctx: dict[str, Any], deps: Deps, asset_id: str) -> None:
    """Start the asset's video encode now (reconcile would, a minute later)."""
    redis = ctx.get("redis")
    fresh = await deps.strapi.assets.get(asset_id)
    request = video_request(fresh)
    if redis is not None and request is not None:
        await enqueue(redis, request, main_queue=deps.settings.queue_name)


async def _advance(ctx: dict[str, Any], deps: Deps, session_id: str) -> None:
    """Let the session move on (sync when every camera's audio is settled)."""
    redis = ctx.get("redis")
    if redis is not None:
        await enqueue(redis, advance_request(session_id), main_queue=deps.settings.queue_name)
