"""``cut_review_clips``: pictures for the review within a minute of the sync result.

A full proxy takes minutes per camera; checking a sync by eye needs only a few
seconds of picture around the moments that prove it. As soon as the session has
a sync result, this job (main queue: it never waits behind an encode) cuts each
camera's review clips (``worker.review_clips``) by seeking in the original: read
in place when the audio ingest kept it on this machine, else in ranged blocks
from storage, so the cost does not grow with the shoot's length. The clips are
recorded on the asset as one ``review-clips`` derived-media entry; the full proxy
follows as before, and once it is ready no clips are cut for later results.

An original the clips cannot be cut from leaves the asset as it is (the proxy
will say what is wrong): review clips are a head start, not a product.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import shutil
import threading
from pathlib import Path
from typing import IO, Any

import structlog

from strapi_client.enums import AssetState, DerivedKind, VideoState
from strapi_client.models import DerivedMedia, DerivedMediaInput, MediaAsset, RecordingSession
from strapi_client.review_clips import ReviewClip, ReviewClipSet
from worker.camera_clock import master_time_from_proxy_ms, proxy_time_ms
from worker.errors import MediaError
from worker.ingest.waveform import read_waveform_document
from worker.jobs import derived, workdir
from worker.jobs.context import Deps
from worker.jobs.retry import run_job
from worker.logging import get_logger
from worker.owned_keys import owned_clip_keys, owns_key
from worker.pipeline.rules import clips_cut_for
from worker.review_clips.cut import ClipSpan, CutClip, cut_clips
from worker.review_clips.moments import Event, Span, Window, loud_events, session_windows
from worker.review_clips.ranged_file import RangedFile
from worker.session_clips import AssetClip, asset_clips, master_clip_id
from worker.storage.errors import ForeignUrlError
from worker.storage.keys import object_key

CONTENT_TYPE = "video/mp4"


async def cut_review_clips(ctx: dict[str, Any], asset_id: str) -> str:
    """arq job: cut one media-asset's review clips for its session's sync result."""
    return await run_job(ctx, lambda deps: _cut(deps, asset_id), asset=asset_id)


def _entry(asset: MediaAsset, kind: DerivedKind) -> DerivedMedia | None:
    return next((d for d in asset.derivatives or [] if d.kind is kind), None)


async def _cut(deps: Deps, asset_id: str) -> str:
    log = get_logger()
    first = await deps.strapi.assets.get(asset_id, populate={"session": True})
    if first.session is None:
        return "skipped: the asset belongs to no session"
    session = await deps.strapi.get_session(first.session.document_id)
    clips = asset_clips(session.assets or [])
    mine = next((c for c in clips if c.asset.document_id == asset_id), None)
    result = session.sync_result
    if mine is None or result is None or not result.offsets_ms or result.computed_at is None:
        return "skipped: the session has no sync result"
    asset = mine.asset
    structlog.contextvars.bind_contextvars(
        session=session.document_id, camera=asset.camera_label.value, take=asset.take
    )
    if asset.camera_label.is_recorder or asset.state is not AssetState.READY:
        return "skipped: no picture to cut"
    if not asset.original_url:
        return "skipped: the camera has no original"
    try:
        key = deps.store.key_from_url(asset.original_url)
    except ForeignUrlError as exc:
        log.warning("review_clips_skipped", reason=str(exc))
        return "skipped: the original is not in the configured storage"
    existing = _entry(asset, DerivedKind.REVIEW_CLIPS)
    if asset.video_state is VideoState.READY:
        await _sweep_unlisted(deps, session, asset, key, _listed(existing, asset, session))
        return "skipped: the proxy is ready"
    if mine.id not in result.offsets_ms:
        return "skipped: the camera is not placed"
    if (
        existing is not None
        and clips_cut_for(existing, result)
        and owns_key(existing, asset, session)
    ):
        return "up to date"
    info = await deps.store.head(key)
    if info is None:
        return "skipped: the original is not in storage"
    master = master_clip_id(result) or mine.id
    spans = _spans(clips, result.offsets_ms, result.drift_ppm or {})
    events = await _master_events(deps, session, clips, master)
    windows = session_windows(spans, master, events).get(mine.id, [])
    if not windows:
        return "skipped: the camera does not overlap the master"
    offset = result.offsets_ms[mine.id]
    drift = (result.drift_ppm or {}).get(mine.id, 0.0)
    audio0, video0 = asset.audio_start_ms or 0.0, asset.video_start_ms or 0.0
    wanted = [
        ClipSpan(
            proxy_time_ms(w.start_ms, offset, drift, audio0, video0),
            proxy_time_ms(w.end_ms, offset, drift, audio0, video0),
        )
        for w in windows
    ]
    folder = workdir.job_dir(deps.settings.work_dir, f"clips-{asset_id}")
    uploaded: list[str] = []
    try:
        try:
            made, where = await _cut_from(deps, asset, key, info.size, wanted, folder)
        except MediaError as exc:
            log.warning("review_clips_failed", reason=str(exc))
            return "failed: the original could not be cut"
        if await _proxy_ready(deps, asset_id):
            # It finished while this cut ran: nobody will look at these clips.
            await _sweep_unlisted(deps, session, asset, key, _listed(existing, asset, session))
            return "skipped: the proxy became ready"
        timing = (offset, drift, audio0, video0)
        stored = await _store(deps, session, asset, key, windows, made, uploaded, timing)
        if not stored:
            return "skipped: no frame in any window"
        if not await derived.still_current(deps, asset):
            await derived.delete_objects(deps, uploaded)
            return "superseded by a newer upload"
        clip_set = ReviewClipSet(sync_computed_at=result.computed_at, clips=stored)
        head = stored[0]
        await deps.strapi.upsert_derived_media(
            asset_id,
            DerivedKind.REVIEW_CLIPS,
            DerivedMediaInput(
                url=deps.store.url_for(head.key),
                # The entry's own file, as for every kind; the clips JSON has each size.
                size_bytes=head.size_bytes,
                checksum=f"sha256:{made[0].sha256}",
                storage_key=head.key,
                content_type=CONTENT_TYPE,
                clips=clip_set,
            ),
        )
        # An earlier result's clips that this cut did not overwrite, and any an attempt
        # killed before its record left behind.
        await _sweep_unlisted(deps, session, asset, key, set(uploaded))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    log.info(
        "review_clips_done",
        clips=len(stored),
        seconds=round(sum(c.end_ms - c.start_ms for c in stored) / 1000, 1),
        source=where,
    )
    return f"{len(stored)} review clips"


def _listed(
    existing: DerivedMedia | None, asset: MediaAsset, session: RecordingSession
) -> set[str]:
    """The clips the asset's entry lists; an attempt killed between its uploads and its
    record leaves clips nobody lists."""
    return owned_clip_keys(existing, asset, session) if existing is not None else set()


async def _proxy_ready(deps: Deps, asset_id: str) -> bool:
    current = await deps.strapi.assets.get(asset_id)
    return current.video_state is VideoState.READY


def _clip_key(session: RecordingSession, asset: MediaAsset, original_key: str, part: int) -> str:
    """Where this asset's review clip number ``part`` is stored."""
    return object_key(
        session.project_id,
        session.date,
        DerivedKind.REVIEW_CLIPS.value,
        asset.camera_label.value,
        version=derived.version_of(original_key),
        take=asset.take,
        part=part,
    )


async def _sweep_unlisted(
    deps: Deps, session: RecordingSession, asset: MediaAsset, original_key: str, keep: set[str]
) -> None:
    """Delete this asset's stored review clips that are not in ``keep``."""
    # Every part of this asset's file shares the key up to the part number.
    prefix = _clip_key(session, asset, original_key, 1).removesuffix("001.mp4")
    async for info in deps.store.list_objects(prefix):
        if info.key not in keep:
            await deps.store.delete(info.key)


def _spans(
    clips: list[AssetClip], offsets: dict[str, float], drift: dict[str, float]
) -> dict[str, Span]:
    """Each placed clip's span on the master's timeline."""
    spans: dict[str, Span] = {}
    for c in clips:
        offset, duration = offsets.get(c.id), c.asset.duration_ms
        if offset is None or not duration:
            continue
        spans[c.id] = (offset, offset + duration / (1.0 + drift.get(c.id, 0.0) * 1e-6))
    return spans


async def _master_events(
    deps: Deps, session: RecordingSession, clips: list[AssetClip], master: str
) -> list[Event]:
    """The loud onsets of the master's sound, from its waveform (small; no WAV needed)."""
    clip = next((c for c in clips if c.id == master), None)
    wave = _entry(clip.asset, DerivedKind.WAVEFORM) if clip is not None else None
    if clip is None or wave is None or not owns_key(wave, clip.asset, session):
        return []
    assert wave.storage_key is not None
    try:
        doc = json.loads(await deps.store.get_bytes(wave.storage_key))
        mins, maxs, per_s = read_waveform_document(doc)
    except (ValueError, MediaError) as exc:
        get_logger().warning("review_clips_no_events", reason=str(exc))
        return []
    return loud_events(mins, maxs, per_s)


async def _cut_from(
    deps: Deps, asset: MediaAsset, key: str, size: int, wanted: list[ClipSpan], folder: Path
) -> tuple[list[CutClip], str]:
    """Cut in a thread from the kept original, else from storage in ranged reads."""
    assert asset.original_url is not None
    loop = asyncio.get_running_loop()
    kept = workdir.kept_original(
        deps.settings.work_dir, asset.document_id, asset.original_url, size
    )
    handle: IO[bytes] | io.RawIOBase
    where = "storage (ranged reads)"
    try:
        # Opened now: the video job may forget the kept name meanwhile; this stays readable.
        if kept is not None:
            handle, where = kept.open("rb"), "kept original"
        else:
            handle = _remote(deps, key, size, loop)
    except FileNotFoundError:
        handle = _remote(deps, key, size, loop)
    cancel = threading.Event()
    name = asset.original_filename or key.rsplit("/", 1)[-1]
    task = asyncio.create_task(
        asyncio.to_thread(
            cut_clips,
            handle,
            name,
            asset.video_start_ms or 0.0,
            wanted,
            folder,
            deps.ingest,
            cancel,
        )
    )
    try:
        made = await asyncio.shield(task)
    except asyncio.CancelledError:
        cancel.set()
        with contextlib.suppress(BaseException):
            await task
        raise
    finally:
        if task.done():
            handle.close()
    return made, where


def _remote(deps: Deps, key: str, size: int, loop: asyncio.AbstractEventLoop) -> RangedFile:
    async def read(start: int, length: int) -> bytes:
        return await deps.store.read_range(key, start, length)

    return RangedFile(read, size, loop)


async def _store(
    deps: Deps,
    session: RecordingSession,
    asset: MediaAsset,
    original_key: str,
    windows: list[Window],
    made: list[CutClip],
    uploaded: list[str],
    timing: tuple[float, float, float, float],
) -> list[ReviewClip]:
    """Upload the clips under their numbered keys; what each shows, on both timelines.

    :param timing: the camera's offset, drift (ppm), audio start and video start (ms).
    """
    offset, drift, audio0, video0 = timing

    def on_master(proxy_ms: float) -> float:
        return master_time_from_proxy_ms(proxy_ms, offset, drift, audio0, video0)

    stored: list[ReviewClip] = []
    for number, clip in enumerate(made, start=1):
        key = _clip_key(session, asset, original_key, number)
        await deps.store.put_file(key, clip.path, CONTENT_TYPE, sha256=clip.sha256)
        uploaded.append(key)
        stored.append(
            ReviewClip(
                key=key,
                start_ms=round(on_master(clip.proxy_start_ms), 3),
                end_ms=round(on_master(clip.proxy_end_ms), 3),
                proxy_start_ms=round(clip.proxy_start_ms, 3),
                proxy_end_ms=round(clip.proxy_end_ms, 3),
                size_bytes=clip.size_bytes,
                reasons=list(windows[clip.span_index].reasons),
            )
        )
    return stored
