"""``ingest_asset``: original in storage -> probed asset with its derived media.

State: uploading/ingesting -> ready | failed. Derived objects have deterministic
keys and derived-media entries are upserted per (asset, kind), so a retried or
re-run job overwrites instead of duplicating; a failed ingest removes what it
made, so a failed asset has no derived objects or entries.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import structlog

from strapi_client.enums import AssetState
from strapi_client.models import (
    DerivedMedia,
    DerivedMediaInput,
    MediaAsset,
    MediaAssetInput,
    RecordingSession,
)
from worker.ingest.derive import derive_all
from worker.ingest.errors import IngestError
from worker.ingest.files import DerivedFile
from worker.ingest.probe import ProbeResult, probe
from worker.jobs.attempts import Attempts
from worker.jobs.context import TRANSIENT, Deps
from worker.jobs.queue import ingest_job_id
from worker.jobs.retry import run_job
from worker.logging import get_logger
from worker.pipeline.rules import ASSET_NEEDS_INGEST, advance_request
from worker.storage.errors import ForeignUrlError, StorageError
from worker.storage.keys import extension_from_filename, object_key

# Progress is written to Strapi at most this often (each write fires a webhook).
_PROGRESS_EVERY_S = 5.0
_VERSION = re.compile(r"angle-\d{3}_v(\d{3})\.")


def version_of(original_key: str) -> int:
    """Derived files take the version of the original (its key says it), else 1.

    The upload API picks an unused version per project, day and camera, so two
    sessions of one project on one day never write over each other's files.
    """
    match = _VERSION.search(original_key)
    return int(match.group(1)) if match else 1


class _Failed(Exception):
    """The asset cannot be ingested; the message is for the operator."""


async def ingest_asset(ctx: dict[str, Any], asset_id: str) -> str:
    """arq job: ingest one media-asset by documentId."""
    return await run_job(ctx, lambda deps: _ingest(ctx, deps, asset_id), asset=asset_id)


async def _ingest(ctx: dict[str, Any], deps: Deps, asset_id: str) -> str:
    log = get_logger()
    asset = await deps.strapi.assets.get(asset_id, populate={"session": True,
                                                             "derivatives": True})
    structlog.contextvars.bind_contextvars(camera=asset.camera_label.value)
    if asset.state not in ASSET_NEEDS_INGEST or not asset.original_url:
        log.info("ingest_skipped", state=asset.state.value)
        return f"skipped: asset is {asset.state.value}"
    session = asset.session
    if session is None:
        await _fail(deps, asset, "this asset belongs to no recording session")
        return "failed"
    structlog.contextvars.bind_contextvars(session=session.document_id)
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

    # Poison files (any exception, or a crash, every time) end in failed, not in a loop.
    attempts = Attempts(ctx.get("redis"), ingest_job_id(asset_id, asset.original_url),
                        deps.settings.job_attempts)
    gave_up = await attempts.exhausted()
    if gave_up is not None:
        await _cleanup(deps, asset, [])
        await _fail(deps, asset, gave_up)
        await attempts.forget()
        await _advance(ctx, session.document_id)
        return "failed"
    async with attempts.attempt():
        return await _run_ingest(ctx, deps, asset, session, key, info.size)


async def _run_ingest(ctx: dict[str, Any], deps: Deps, asset: MediaAsset,
                      session: RecordingSession, key: str, size: int) -> str:
    """Download, probe, derive, upload and record: one attempt at the ingest."""
    log = get_logger()
    asset_id = asset.document_id
    log.info("ingest_started", key=key, size=size)
    await deps.strapi.update_asset(asset_id, MediaAssetInput(
        state=AssetState.INGESTING, error_message=None, progress_pct=1,
        progress_message="downloading the original"))
    workdir = Path(tempfile.mkdtemp(prefix=f"multicam-ingest-{asset_id}-",
                                    dir=deps.settings.work_dir or None))
    uploaded: list[str] = []
    heartbeat = asyncio.create_task(_heartbeat(deps, asset_id))
    try:
        ext = extension_from_filename(asset.original_filename or key, default="mp4")
        source = workdir / f"original.{ext}"
        await deps.store.get_file(key, source)
        facts = await asyncio.to_thread(probe, source)
        await deps.strapi.update_asset(asset_id, _probe_fields(facts))
        outputs = await _derive(deps, asset_id, source, workdir / "out", facts)
        for out in outputs:
            okey = object_key(session.project_id, session.date, out.kind,
                              asset.camera_label.value, version=version_of(key),
                              ext=out.extension)
            stored = await deps.store.put_file(okey, out.path, out.content_type,
                                               sha256=out.sha256)
            uploaded.append(okey)
            await deps.strapi.upsert_derived_media(asset_id, out.kind, DerivedMediaInput(
                url=stored.url, size_bytes=stored.size, checksum=f"sha256:{stored.sha256}",
                storage_key=okey, content_type=out.content_type))
        current = await deps.strapi.assets.get(asset_id)
        if current.original_url != asset.original_url:
            # The camera was re-uploaded meanwhile: its own ingest owns the asset now.
            log.info("ingest_superseded", by=current.original_url)
            return "superseded by a newer upload"
        await _drop_stale(deps, asset, {o.kind for o in outputs})
        await deps.strapi.update_asset(asset_id, MediaAssetInput(
            state=AssetState.READY, error_message=None, progress_pct=100,
            progress_message=f"ready: {', '.join(o.kind for o in outputs)}"))
    except (IngestError, _Failed, StorageError) as exc:
        if isinstance(exc, TRANSIENT):
            raise
        await _cleanup(deps, asset, uploaded)
        await _fail(deps, asset, str(exc))
        await _advance(ctx, session.document_id)
        return "failed"
    finally:
        heartbeat.cancel()
        shutil.rmtree(workdir, ignore_errors=True)
    log.info("ingest_done", outputs=[o.kind for o in outputs])
    await _advance(ctx, session.document_id)
    return "ready"


async def _heartbeat(deps: Deps, asset_id: str) -> None:
    """Touch the asset now and then so reconcile knows this job is alive.

    Downloads and uploads of big files report no progress of their own; without
    this, a long transfer would look like a dead worker and be started twice.
    """
    interval = max(5.0, deps.settings.stale_job_s / 4)
    while True:
        await asyncio.sleep(interval)
        try:
            current = await deps.strapi.assets.get(asset_id)
            await deps.strapi.update_asset(asset_id, MediaAssetInput(
                progress_message=current.progress_message))
        except TRANSIENT:
            continue


def _probe_fields(facts: ProbeResult) -> MediaAssetInput:
    return MediaAssetInput(
        duration_ms=facts.duration_ms, fps=round(facts.fps, 3), resolution=facts.resolution,
        codec=facts.video_codec, audio_codec=facts.audio_codec,
        sample_rate=facts.audio_sample_rate, audio_channels=facts.audio_channels,
        is_vfr=facts.vfr, audio_start_ms=round(facts.audio_start_ms, 3),
        video_start_ms=round(facts.video_start_ms, 3), progress_pct=5,
        progress_message="probed; deriving media")


async def _derive(deps: Deps, asset_id: str, source: Path, out_dir: Path,
                  facts: ProbeResult) -> list[DerivedFile]:
    """Run the single-pass derivation in a thread, mirroring its progress to Strapi."""
    loop = asyncio.get_running_loop()
    latest: list[tuple[float, str]] = []

    def progress(fraction: float, message: str) -> None:
        loop.call_soon_threadsafe(latest.append, (fraction, message))

    task = asyncio.create_task(asyncio.to_thread(derive_all, source, out_dir, facts,
                                                 deps.ingest, progress))
    last_sent = time.monotonic()
    while not task.done():
        await asyncio.wait({task}, timeout=1.0)
        if latest and time.monotonic() - last_sent >= _PROGRESS_EVERY_S and not task.done():
            fraction, message = latest[-1]
            latest.clear()
            last_sent = time.monotonic()
            try:
                await deps.strapi.update_asset(asset_id, MediaAssetInput(
                    progress_pct=max(5, min(95, int(5 + fraction * 85))),
                    progress_message=message))
            except TRANSIENT as exc:
                # Progress is best effort; the result write later is retried properly.
                get_logger().warning("progress_write_failed", error=str(exc))
    return task.result()


async def _delete_derivative(deps: Deps, derived: DerivedMedia) -> None:
    """Remove one derived file: its object, then its entry."""
    if derived.storage_key:
        await deps.store.delete(derived.storage_key)
    await deps.strapi.derived_media.delete(derived.document_id)


async def _drop_stale(deps: Deps, asset: MediaAsset, made: set[str]) -> None:
    """Derived entries of kinds this run did not make (e.g. an old mezzanine) go."""
    for old in asset.derivatives or []:
        if old.kind.value not in made:
            await _delete_derivative(deps, old)


async def _cleanup(deps: Deps, asset: MediaAsset, uploaded: list[str]) -> None:
    """A failed ingest leaves no derived objects and no derived-media entries."""
    for key in uploaded:
        await deps.store.delete(key)
    fresh = await deps.strapi.assets.get(asset.document_id, populate={"derivatives": True})
    for old in fresh.derivatives or []:
        await _delete_derivative(deps, old)


async def _fail(deps: Deps, asset: MediaAsset, message: str) -> None:
    get_logger().warning("ingest_failed", reason=message)
    await deps.strapi.update_asset(asset.document_id, MediaAssetInput(
        state=AssetState.FAILED, error_message=message, progress_pct=None,
        progress_message="failed"))


async def _advance(ctx: dict[str, Any], session_id: str) -> None:
    """Let the session move on (sync when every camera is settled)."""
    req = advance_request(session_id)
    redis = ctx.get("redis")
    if redis is not None:
        await redis.enqueue_job(req.function, *req.args, _job_id=req.job_id)
