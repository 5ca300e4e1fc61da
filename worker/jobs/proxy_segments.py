"""A long camera's proxy in segments: one job per segment on the video queue, then a join.

``encode_video`` hands a camera over here (``start``) when it is at least two
segments long (``MULTICAM_INGEST_PROXY_SEGMENT_S``) and only the proxy and the
thumbnail are to be made (a mezzanine re-times the whole file: one pass). Each
``encode_proxy_segment`` job may run on any video worker of any machine: it reads
only its span of the original (in place when kept there, else ranged reads from
storage), stores the segment under ``proxy-segment`` keys and writes its facts
(JSON) last: the facts are the mark that a segment is done. The job that finds
every mark enqueues ``join_proxy_segments``, which joins the segments by copying
(``worker.ingest.segments``), stores and records the proxy and thumbnail as the
one-pass encode does, and deletes the segments.

A killed segment job loses that segment only: reconcile releases it
(``reconcile.release_dead``) and it runs again, the others' marks stay; a lost
job is found again when reconcile re-runs ``encode_video`` for the camera left
``encoding``, which enqueues what is missing.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from pydantic import BaseModel, ConfigDict

from strapi_client.enums import AssetState, VideoState
from strapi_client.models import MediaAsset, RecordingSession
from worker.errors import MediaError
from worker.ingest.config import IngestSettings
from worker.ingest.files import Kind, describe
from worker.ingest.probe import ProbeResult
from worker.ingest.segments import (
    Segment,
    SegmentFacts,
    ThumbnailWindow,
    encode_segment,
    join_segments,
    plan_segments,
    thumbnail_window,
)
from worker.jobs import derived, video_state, workdir
from worker.jobs.attempts import Attempts
from worker.jobs.context import Deps
from worker.jobs.original_source import Handle, read_original
from worker.jobs.retry import run_job
from worker.logging import get_logger
from worker.pipeline.rules import VIDEO_UNSETTLED
from worker.queue import (
    ENCODE_PROXY_SEGMENT,
    JOIN_PROXY_SEGMENTS,
    JobRequest,
    Queue,
    enqueue,
    proxy_join_job_id,
    proxy_segment_job_id,
)
from worker.storage.errors import ForeignUrlError, StorageError
from worker.storage.keys import ObjectKind, object_key
from worker.transient import TRANSIENT

SEGMENTED_KINDS: tuple[Kind, ...] = ("proxy", "thumbnail")
"""What a proxy made in segments makes: any other video kind needs the one pass."""
_SHARE = 0.95  # of the progress bar: the segments; the join takes the rest


class SegmentedProxy(BaseModel):
    """What every job of one segmented proxy is given (as JSON), so that workers whose
    settings differ still agree on its segments."""

    model_config = ConfigDict(frozen=True)

    facts: ProbeResult
    segment_s: float
    gop: int

    @property
    def segments(self) -> list[Segment]:
        return plan_segments(self.facts.duration_s, self.facts.rate, self.gop, self.segment_s)


def plan(
    facts: ProbeResult, kinds: Collection[Kind], config: IngestSettings
) -> SegmentedProxy | None:
    """The camera's segmented proxy, or None when its video is made in one pass."""
    if set(kinds) != set(SEGMENTED_KINDS):
        return None
    proxy = SegmentedProxy(facts=facts, segment_s=config.proxy_segment_s, gop=config.proxy_gop)
    return proxy if proxy.segments else None


def segment_request(asset_id: str, original_url: str, index: int, facts: str) -> JobRequest:
    return JobRequest(
        ENCODE_PROXY_SEGMENT,
        proxy_segment_job_id(asset_id, original_url, index),
        (asset_id, original_url, index, facts),
        Queue.VIDEO,
    )


def join_request(asset_id: str, original_url: str, facts: str) -> JobRequest:
    return JobRequest(
        JOIN_PROXY_SEGMENTS,
        proxy_join_job_id(asset_id, original_url),
        (asset_id, original_url, facts),
        Queue.VIDEO,
    )


@dataclass(frozen=True)
class _Keys:
    """Where one camera's segments of one original are stored."""

    session: RecordingSession
    asset: MediaAsset
    original_key: str

    def of(self, index: int, ext: str) -> str:
        return object_key(
            self.session.project_id,
            self.session.date,
            ObjectKind.PROXY_SEGMENT,
            self.asset.camera_label.value,
            version=derived.version_of(self.original_key),
            ext=ext,
            take=self.asset.take,
            part=index + 1,
        )

    @property
    def prefix(self) -> str:
        return self.of(0, "mp4").removesuffix("001.mp4")


def _holds_thumbnail(segment: Segment, window: ThumbnailWindow) -> bool:
    return segment.start_s <= window.target_s and (
        segment.end_s is None or window.target_s < segment.end_s
    )


async def _done(deps: Deps, keys: _Keys) -> set[int]:
    """The segments whose facts are stored (0-based)."""
    done: set[int] = set()
    async for info in deps.store.list_objects(keys.prefix):
        number = info.key.removeprefix(keys.prefix).removesuffix(".json")
        if info.key.endswith(".json") and number.isdigit():
            done.add(int(number) - 1)
    return done


async def _sweep(deps: Deps, keys: _Keys) -> None:
    async for info in deps.store.list_objects(keys.prefix):
        await deps.store.delete(info.key)


async def start(
    ctx: dict[str, Any],
    deps: Deps,
    asset: MediaAsset,
    original_key: str,
    proxy: SegmentedProxy,
) -> str:
    """Enqueue the segments not yet encoded, or the join when none is missing."""
    assert asset.session is not None and asset.original_url is not None
    keys = _Keys(asset.session, asset, original_key)
    done = await _done(deps, keys)
    if not done and await _joined(deps, asset, original_key):
        # A segment's progress write that landed after the join's: nothing to redo.
        await video_state.ready(deps, asset.document_id, SEGMENTED_KINDS)
        return "ready (joined before)"
    segments = proxy.segments
    missing = [s.index for s in segments if s.index not in done]
    count = len(segments)
    await video_state.progress(
        deps, asset.document_id, _SHARE * len(done) / count, _message(len(done), count)
    )
    facts_json = proxy.model_dump_json()
    queue = deps.settings.queue_name
    for index in missing:
        request = segment_request(asset.document_id, asset.original_url, index, facts_json)
        await enqueue(ctx["redis"], request, main_queue=queue)
    if not missing:
        request = join_request(asset.document_id, asset.original_url, facts_json)
        await enqueue(ctx["redis"], request, main_queue=queue)
    get_logger().info("proxy_segments_queued", segments=count, missing=len(missing))
    return f"encoding in {count} segments"


async def _joined(deps: Deps, asset: MediaAsset, original_key: str) -> bool:
    """True when the asset is left encoding but holds this original's proxy and thumbnail."""
    if asset.video_state is not VideoState.ENCODING:
        return False  # pending: asked for anew
    fresh = await deps.strapi.assets.get(asset.document_id, populate={"derivatives": True})
    made = {d.kind.value for d in fresh.derivatives or [] if derived.made_from(d, original_key)}
    return set(SEGMENTED_KINDS) <= made


def _message(done: int, count: int) -> str:
    return f"video: {done} of {count} segments encoded"


async def _current(deps: Deps, asset_id: str, original_url: str) -> MediaAsset | None:
    """The asset, while this original's video is still to make; else None."""
    asset = await deps.strapi.assets.get(asset_id, populate={"session": True})
    if (
        asset.original_url != original_url
        or asset.state is not AssetState.READY
        or asset.video_state not in VIDEO_UNSETTLED
        or asset.session is None
    ):
        return None
    structlog.contextvars.bind_contextvars(
        session=asset.session.document_id, camera=asset.camera_label.value, take=asset.take
    )
    return asset


async def encode_proxy_segment(
    ctx: dict[str, Any], asset_id: str, original_url: str, index: int, facts: str
) -> str:
    """arq job: encode segment ``index`` of one media-asset's proxy.

    :param facts: the :class:`SegmentedProxy` as JSON.
    """
    return await run_job(
        ctx,
        lambda deps: _segment(ctx, deps, asset_id, original_url, index, facts),
        asset=asset_id,
    )


async def _segment(
    ctx: dict[str, Any], deps: Deps, asset_id: str, original_url: str, index: int, facts: str
) -> str:
    asset = await _current(deps, asset_id, original_url)
    if asset is None:
        return "skipped: superseded, or the video is settled"
    assert asset.session is not None
    structlog.contextvars.bind_contextvars(segment=index + 1)
    proxy = SegmentedProxy.model_validate_json(facts)
    probe, segments = proxy.facts, proxy.segments
    if index >= len(segments):
        return "skipped: not in the camera's plan"
    try:
        key = deps.store.key_from_url(original_url)
    except ForeignUrlError as exc:
        await video_state.failed(
            deps, asset, f"originalUrl is not in the configured storage: {exc}"
        )
        return "failed"
    keys = _Keys(asset.session, asset, key)
    if await deps.store.head(keys.of(index, "json")) is None:
        job_id = proxy_segment_job_id(asset_id, original_url, index)
        attempts = Attempts(ctx.get("redis"), job_id, deps.settings.job_attempts)
        gave_up = await attempts.exhausted()
        if gave_up is not None:
            await _give_up(deps, asset, keys, gave_up)
            await attempts.forget()
            return "failed"
        async with attempts.attempt():
            failure = await _encode_one(deps, asset, key, keys, probe, segments[index])
        if failure is not None:
            await _give_up(deps, asset, keys, failure)
            return "failed"
    done = await _done(deps, keys)
    count = len(segments)
    if len(done) < count:
        await video_state.progress(
            deps, asset_id, _SHARE * len(done) / count, _message(len(done), count)
        )
    else:  # the last one in: the join follows (whichever job sees it first enqueues it)
        request = join_request(asset_id, original_url, facts)
        await enqueue(ctx["redis"], request, main_queue=deps.settings.queue_name)
    return f"segment {index + 1} of {count} encoded"


async def _give_up(deps: Deps, asset: MediaAsset, keys: _Keys, reason: str) -> None:
    if await derived.still_current(deps, asset):
        await video_state.failed(deps, asset, reason)
    await _sweep(deps, keys)


async def _encode_one(
    deps: Deps,
    asset: MediaAsset,
    key: str,
    keys: _Keys,
    probe: ProbeResult,
    segment: Segment,
) -> str | None:
    """Encode and store one segment, its facts last; the reason when it cannot be made."""
    info = await deps.store.head(key)
    if info is None:
        return f"original file not found in storage ({asset.original_url})"
    folder = workdir.job_dir(deps.settings.work_dir, f"segment-{asset.document_id}")
    window = thumbnail_window(probe, deps.ingest, folder / "thumbnail.jpg")
    thumb = window if _holds_thumbnail(segment, window) else None
    name = asset.original_filename or key.rsplit("/", 1)[-1]
    out = folder / "segment.mp4"

    def work(handle: Handle, cancel: threading.Event) -> SegmentFacts:
        return encode_segment(
            handle, name, probe, segment, out, deps.ingest, thumbnail=thumb, cancel=cancel
        )

    uploaded: list[str] = []
    try:
        made, where = await read_original(
            deps, asset, key, info.size, work, nice=deps.settings.video_nice
        )
        await deps.store.put_file(keys.of(segment.index, "mp4"), out, "video/mp4")
        uploaded.append(keys.of(segment.index, "mp4"))
        if thumb is not None:
            await deps.store.put_file(keys.of(segment.index, "jpg"), thumb.path, "image/jpeg")
            uploaded.append(keys.of(segment.index, "jpg"))
        facts = made.model_dump_json(by_alias=True).encode()
        await deps.store.put_bytes(keys.of(segment.index, "json"), facts, "application/json")
    except (MediaError, StorageError) as exc:
        if isinstance(exc, TRANSIENT):
            raise
        await derived.delete_objects(deps, uploaded)
        return str(exc)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    get_logger().info("proxy_segment_done", frames=made.frames, source=where)
    return None


async def join_proxy_segments(
    ctx: dict[str, Any], asset_id: str, original_url: str, facts: str
) -> str:
    """arq job: join one media-asset's proxy segments into its proxy, and record it."""
    return await run_job(
        ctx, lambda deps: _join(ctx, deps, asset_id, original_url, facts), asset=asset_id
    )


async def _join(
    ctx: dict[str, Any], deps: Deps, asset_id: str, original_url: str, facts: str
) -> str:
    asset = await _current(deps, asset_id, original_url)
    if asset is None:
        return "skipped: superseded, or the video is settled"
    session = asset.session
    assert session is not None
    segments = SegmentedProxy.model_validate_json(facts).segments
    key = deps.store.key_from_url(original_url)
    keys = _Keys(session, asset, key)
    missing = [s.index for s in segments if s.index not in await _done(deps, keys)]
    if missing:  # a lost segment job (a join is enqueued only when none is missing)
        for index in missing:
            request = segment_request(asset_id, original_url, index, facts)
            await enqueue(ctx["redis"], request, main_queue=deps.settings.queue_name)
        return f"waiting for {len(missing)} segments"
    await video_state.progress(deps, asset_id, _SHARE, "video: joining the segments")
    folder = workdir.job_dir(deps.settings.work_dir, f"join-{asset_id}")
    uploaded: list[str] = []
    try:
        parts: list[tuple[Path, SegmentFacts]] = []
        for seg in segments:
            path = folder / f"segment-{seg.index + 1:03d}.mp4"
            await deps.store.get_file(keys.of(seg.index, "mp4"), path)
            raw = await deps.store.get_bytes(keys.of(seg.index, "json"))
            parts.append((path, SegmentFacts.model_validate_json(raw)))
        # Whichever segment held the poster frame's target (by its worker's settings).
        thumbs = [
            i.key async for i in deps.store.list_objects(keys.prefix) if i.key.endswith(".jpg")
        ]
        if not thumbs:
            raise MediaError("no segment picked the poster frame")
        thumbnail = folder / "thumbnail.jpg"
        await deps.store.get_file(thumbs[0], thumbnail)
        joined = folder / "proxy.mp4"
        await asyncio.to_thread(join_segments, parts, joined)
        outputs = [describe("proxy", joined), describe("thumbnail", thumbnail)]
        stored = await derived.store(
            deps, asset, session.project_id, session.date, key, outputs, uploaded
        )
        if not await derived.still_current(deps, asset):
            await derived.delete_objects(deps, uploaded)
            return "superseded by a newer upload"
        await derived.record(deps, asset_id, stored)
        await video_state.ready(deps, asset_id, SEGMENTED_KINDS)
    except (MediaError, StorageError) as exc:
        if isinstance(exc, TRANSIENT):
            raise
        await derived.delete_objects(deps, uploaded)
        await _give_up(deps, asset, keys, f"joining the proxy's segments failed: {exc}")
        return "failed"
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    await _sweep(deps, keys)
    workdir.drop_original(deps.settings.work_dir, asset_id, original_url)
    get_logger().info("video_done", outputs=list(SEGMENTED_KINDS), segments=len(segments))
    return "ready"
