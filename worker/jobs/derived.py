"""An asset's derived files as the jobs handle them: derive, store, record, remove.

Shared by the audio ingest (``ingest_asset``) and the video encode
(``encode_video``). Objects are stored first and recorded in Strapi only while
the asset still holds the original they were made from, so a job overtaken by
a re-upload never points an entry at its files (it removes them instead).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import threading
import time
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from strapi_client.models import (
    DerivedMedia,
    DerivedMediaInput,
    MediaAsset,
    MediaAssetInput,
    RecordingSession,
)
from worker.ingest.config import IngestSettings
from worker.ingest.derive import derive_all
from worker.ingest.files import DerivedFile, Kind
from worker.ingest.probe import ProbeResult
from worker.jobs.context import Deps
from worker.logging import get_logger
from worker.owned_keys import owned_clip_keys, owns_key
from worker.storage.keys import object_key, parse_object_key
from worker.transient import TRANSIENT

# Progress is written to Strapi at most this often (each write fires a webhook).
PROGRESS_EVERY_S = 5.0

ReportFn = Callable[[float, str], Awaitable[None]]


def version_of(original_key: str) -> int:
    """Derived files take the version of the original (its key says it), else 1.

    The upload API picks an unused version per project, day and camera, so two
    sessions of one project on one day never write over each other's files.
    """
    parts = parse_object_key(original_key)
    return parts.version if parts is not None else 1


def made_from(derived: DerivedMedia, original_key: str) -> bool:
    """True if ``derived`` was made from the original stored under ``original_key``."""
    return derived.storage_key is not None and version_of(derived.storage_key) == version_of(
        original_key
    )


@dataclass(frozen=True)
class StoredFile:
    """A derived file in object storage, not yet recorded in Strapi."""

    file: DerivedFile
    key: str
    url: str
    size: int
    sha256: str


async def derive(
    config: IngestSettings,
    source: Path,
    out_dir: Path,
    facts: ProbeResult,
    kinds: Collection[Kind],
    report: ReportFn,
    nice: int = 0,
) -> list[DerivedFile]:
    """Run the one-pass derivation of ``kinds`` in a thread, forwarding its progress.

    ``report`` is awaited at most every :data:`PROGRESS_EVERY_S`; its transient
    failures are logged, not raised (progress is best effort, results are not).
    :param nice: run in a thread of its own at this niceness (FFmpeg's and x264's
        threads, started from it, inherit it); 0: the shared pool, as the caller.
    """
    loop = asyncio.get_running_loop()
    latest: list[tuple[float, str]] = []

    def progress(fraction: float, message: str) -> None:
        loop.call_soon_threadsafe(latest.append, (fraction, message))

    cancel = threading.Event()

    def run() -> list[DerivedFile]:
        return derive_all(
            source, out_dir, facts, config, progress, kinds=list(kinds), cancel=cancel
        )

    task = asyncio.create_task(asyncio.to_thread(run) if nice <= 0 else _niced(run, nice))
    last_sent = time.monotonic()
    try:
        while not task.done():
            await asyncio.wait({task}, timeout=1.0)
            if latest and time.monotonic() - last_sent >= PROGRESS_EVERY_S and not task.done():
                fraction, message = latest[-1]
                latest.clear()
                last_sent = time.monotonic()
                try:
                    await report(fraction, message)
                except TRANSIENT as exc:
                    get_logger().warning("progress_write_failed", error=str(exc))
    except asyncio.CancelledError:
        # The job timed out or the worker is stopping: stop the encode too, and wait for
        # it, so it neither burns CPU beside the next attempt nor writes into a folder
        # the caller is about to delete.
        cancel.set()
        await asyncio.wait({task})
        with contextlib.suppress(BaseException):
            task.result()  # DeriveCancelled, as asked
        get_logger().warning("derive_cancelled")
        raise
    return task.result()


async def _niced(work: Callable[[], list[DerivedFile]], nice: int) -> list[DerivedFile]:
    """``work`` in a new thread that lowers its own priority first (and for good: the
    thread ends with the work, so no later job inherits it)."""
    done: asyncio.Future[list[DerivedFile]] = asyncio.get_running_loop().create_future()
    loop = asyncio.get_running_loop()

    def body() -> None:
        with contextlib.suppress(OSError):  # a platform without per-thread niceness
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
        try:
            result = work()
        except BaseException as exc:  # handed to the awaiting task
            loop.call_soon_threadsafe(_settle, done, None, exc)
        else:
            loop.call_soon_threadsafe(_settle, done, result, None)

    threading.Thread(target=body, name="derive-niced", daemon=True).start()
    try:
        return await asyncio.shield(done)
    except asyncio.CancelledError:
        # As asyncio.to_thread's caller does: the work ends (the caller sets its cancel
        # event) before this task does, so nothing writes into a folder being removed.
        with contextlib.suppress(BaseException):
            await done
        raise


def _settle(
    future: asyncio.Future[list[DerivedFile]],
    result: list[DerivedFile] | None,
    error: BaseException | None,
) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert result is not None
        future.set_result(result)


async def store(
    deps: Deps,
    asset: MediaAsset,
    project_id: str,
    day: dt.date,
    original_key: str,
    outputs: list[DerivedFile],
    uploaded: list[str],
) -> list[StoredFile]:
    """Upload ``outputs`` under their deterministic keys, appending each key to ``uploaded``."""
    stored: list[StoredFile] = []
    for out in outputs:
        key = object_key(
            project_id,
            day,
            out.kind,
            asset.camera_label.value,
            version=version_of(original_key),
            ext=out.extension,
            take=asset.take,
        )
        obj = await deps.store.put_file(key, out.path, out.content_type, sha256=out.sha256)
        uploaded.append(key)
        stored.append(StoredFile(out, key, obj.url, obj.size, obj.sha256))
    return stored


async def make(
    deps: Deps,
    asset: MediaAsset,
    session: RecordingSession,
    original_key: str,
    source: Path,
    out_dir: Path,
    facts: ProbeResult,
    kinds: Collection[Kind],
    report: ReportFn,
    uploaded: list[str],
    nice: int = 0,
) -> list[DerivedFile] | None:
    """Derive ``kinds``, store them and record them on the asset, while it is still current.

    :param uploaded: every key stored is appended here (so a caller that fails later
        knows what to remove).
    :param nice: the derivation's niceness (see :func:`derive`).
    :returns: the files made, or None when the asset was re-uploaded meanwhile (its
        newer job owns it: what this one stored is removed, nothing is recorded).
    """
    outputs = await derive(deps.ingest, source, out_dir, facts, kinds, report, nice)
    files = await store(
        deps, asset, session.project_id, session.date, original_key, outputs, uploaded
    )
    if not await still_current(deps, asset):
        await delete_objects(deps, uploaded)
        return None
    await record(deps, asset.document_id, files)
    return outputs


async def record(deps: Deps, asset_id: str, files: list[StoredFile]) -> None:
    """Point the asset's derived-media entries (one per kind) at ``files``."""
    for f in files:
        await deps.strapi.upsert_derived_media(
            asset_id,
            f.file.kind,
            DerivedMediaInput(
                url=f.url,
                size_bytes=f.size,
                checksum=f"sha256:{f.sha256}",
                storage_key=f.key,
                content_type=f.file.content_type,
            ),
        )


async def still_current(deps: Deps, asset: MediaAsset) -> bool:
    """True while the asset holds the original this job started from."""
    current = await deps.strapi.assets.get(asset.document_id)
    if current.original_url != asset.original_url:
        get_logger().info("job_superseded", by=current.original_url)
        return False
    return True


async def delete_objects(deps: Deps, keys: list[str]) -> None:
    for key in keys:
        await deps.store.delete(key)


async def delete_derivative(
    deps: Deps, derived: DerivedMedia, asset: MediaAsset, session: RecordingSession | None
) -> None:
    """Remove one derived file: its object (only if the key is the entry's own), then its entry.

    The key is text in Strapi; whoever could change it must not be able to make the
    worker delete an original or another session's object.
    """
    for key in sorted(owned_clip_keys(derived, asset, session) - {derived.storage_key}):
        await deps.store.delete(key)
    if derived.storage_key:
        if owns_key(derived, asset, session):
            await deps.store.delete(derived.storage_key)
        else:
            get_logger().warning(
                "derived_key_not_owned",
                derived=derived.document_id,
                key=derived.storage_key[:200],
            )
    await deps.strapi.derived_media.delete(derived.document_id)


async def drop_kinds(deps: Deps, asset_id: str, keep: Callable[[DerivedMedia], bool]) -> None:
    """Remove the asset's derived files for which ``keep`` is false (object and entry)."""
    fresh = await deps.strapi.assets.get(asset_id, populate={"derivatives": True, "session": True})
    for old in fresh.derivatives or []:
        if not keep(old):
            await delete_derivative(deps, old, fresh, fresh.session)


async def heartbeat(deps: Deps, asset_id: str) -> None:
    """Touch the asset now and then so reconcile knows this job is alive.

    Downloads and uploads of big files report no progress of their own; without
    this, a long transfer would look like a dead worker and be started twice.
    """
    interval = max(5.0, deps.settings.stale_job_s / 4)
    while True:
        await asyncio.sleep(interval)
        try:
            current = await deps.strapi.assets.get(asset_id)
            await deps.strapi.update_asset(
                asset_id, MediaAssetInput(progress_message=current.progress_message)
            )
        except TRANSIENT:
            continue
