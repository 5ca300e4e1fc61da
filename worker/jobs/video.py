"""``encode_video``: an asset whose audio is in -> its proxy, thumbnail and mezzanine.

Runs on the video queue after ``ingest_asset`` made the asset ``ready`` for
sync, so the session's sync result never waits for an encode. Video state:
pending -> encoding -> ready | failed. A failed encode leaves the asset ``ready``
(its audio and the session's sync stay good) and says why in ``errorMessage``;
a re-upload of the camera supersedes the job, which then removes only its own
files. The original is taken from the audio job on the same machine when it
kept it (``worker.jobs.workdir``), else downloaded again.
"""

from __future__ import annotations

import asyncio
import shutil
from typing import Any

import structlog

from strapi_client.enums import AssetState, VideoState
from strapi_client.models import MediaAsset, MediaAssetInput
from worker.errors import DiskSpaceLow, MediaError
from worker.ingest.derive import video_kinds
from worker.ingest.probe import probe
from worker.jobs import derived, workdir
from worker.jobs.attempts import Attempts
from worker.jobs.context import Deps
from worker.jobs.retry import run_job
from worker.logging import get_logger
from worker.pipeline.rules import VIDEO_UNSETTLED
from worker.queue import video_job_id
from worker.storage.errors import ForeignUrlError, StorageError
from worker.storage.keys import extension_from_filename
from worker.transient import TRANSIENT

AUDIO_READY = "audio ready"


async def encode_video(ctx: dict[str, Any], asset_id: str) -> str:
    """arq job: make the video derivatives of one media-asset by documentId."""
    return await run_job(ctx, lambda deps: _encode(ctx, deps, asset_id), asset=asset_id)


async def _encode(ctx: dict[str, Any], deps: Deps, asset_id: str) -> str:
    log = get_logger()
    asset = await deps.strapi.assets.get(asset_id, populate={"session": True})
    structlog.contextvars.bind_contextvars(camera=asset.camera_label.value, take=asset.take)
    if (
        asset.state is not AssetState.READY
        or asset.camera_label.is_recorder
        or asset.video_state not in VIDEO_UNSETTLED
        or not asset.original_url
        or asset.session is None
    ):
        log.info(
            "video_skipped",
            state=asset.state.value,
            video_state=asset.video_state.value if asset.video_state else None,
        )
        return "skipped: nothing to encode"
    structlog.contextvars.bind_contextvars(session=asset.session.document_id)
    try:
        key = deps.store.key_from_url(asset.original_url)
    except ForeignUrlError as exc:
        await _failed(deps, asset, f"originalUrl is not in the configured storage: {exc}")
        return "failed"
    info = await deps.store.head(key)
    if info is None:
        await _failed(deps, asset, f"original file not found in storage ({asset.original_url})")
        return "failed"
    attempts = Attempts(
        ctx.get("redis"), video_job_id(asset_id, asset.original_url), deps.settings.job_attempts
    )
    gave_up = await attempts.exhausted()
    if gave_up is not None:
        if await derived.still_current(deps, asset):
            await _failed(deps, asset, gave_up)
        await attempts.forget()
        return "failed"
    async with attempts.attempt():
        return await _run(deps, asset, key, info.size)


async def _run(deps: Deps, asset: MediaAsset, key: str, size: int) -> str:
    """Fetch (or take over) the original, encode, upload and record: one attempt."""
    log = get_logger()
    asset_id = asset.document_id
    assert asset.original_url is not None and asset.session is not None
    session = asset.session
    folder = workdir.job_dir(deps.settings.work_dir, f"video-{asset_id}")
    uploaded: list[str] = []
    heartbeat = asyncio.create_task(derived.heartbeat(deps, asset_id))
    try:
        ext = extension_from_filename(asset.original_filename or key, default="mp4")
        source = folder / workdir.local_name(asset.original_filename, ext)
        reused = workdir.take_original(
            deps.settings.work_dir, asset_id, asset.original_url, size, source
        )
        await _progress(
            deps, asset_id, 0, "video: " + ("starting" if reused else "downloading the original")
        )
        if not reused:
            workdir.ensure_free(deps.settings.work_dir, size, deps.settings.min_free_disk_mb)
            await deps.store.get_file(key, source)
        log.info("video_started", key=key, size=size, original_reused=reused)
        facts = await asyncio.to_thread(probe, source, limits=deps.ingest)
        kinds = video_kinds(facts, deps.ingest)

        async def report(fraction: float, message: str) -> None:
            await _progress(deps, asset_id, fraction, message)

        outputs = await derived.make(
            deps,
            asset,
            session,
            key,
            source,
            folder / "out",
            facts,
            kinds,
            report,
            uploaded,
            nice=deps.settings.video_nice,
        )
        if outputs is None:
            return "superseded by a newer upload"
        made = ", ".join(o.kind for o in outputs)
        await deps.strapi.update_asset(
            asset_id,
            MediaAssetInput(
                video_state=VideoState.READY,
                video_progress_pct=100,
                error_message=None,
                progress_message=f"ready: audio-wav, waveform, {made}",
            ),
        )
    except DiskSpaceLow as exc:
        await deps.strapi.update_asset(
            asset_id, MediaAssetInput(progress_message=f"{AUDIO_READY}; video {exc}")
        )
        raise
    except (MediaError, StorageError) as exc:
        if isinstance(exc, TRANSIENT):
            raise
        await derived.delete_objects(deps, uploaded)
        if await derived.still_current(deps, asset):
            await _failed(deps, asset, str(exc))
        return "failed"
    finally:
        heartbeat.cancel()
        shutil.rmtree(folder, ignore_errors=True)
        workdir.drop_original(deps.settings.work_dir, asset_id, asset.original_url)
    log.info("video_done", outputs=[o.kind for o in outputs])
    return "ready"


async def _progress(deps: Deps, asset_id: str, fraction: float, message: str) -> None:
    pct = max(0, min(99, int(fraction * 100)))
    await deps.strapi.update_asset(
        asset_id,
        MediaAssetInput(
            video_state=VideoState.ENCODING,
            video_progress_pct=pct,
            progress_message=f"{AUDIO_READY}; {message.replace('encoding video', 'video')}",
        ),
    )


async def _failed(deps: Deps, asset: MediaAsset, reason: str) -> None:
    """The video could not be made; the audio, and so the sync, stay as they are."""
    get_logger().warning("video_failed", reason=reason)
    await deps.strapi.update_asset(
        asset.document_id,
        MediaAssetInput(
            video_state=VideoState.FAILED,
            video_progress_pct=None,
            error_message=f"video derivatives failed (the audio and the sync are not affected): "
            f"{reason}",
            progress_message=f"{AUDIO_READY}; video failed",
        ),
    )
