"""An asset's original for a job that reads part of it: in place when kept here, else
in ranged blocks from storage, so the cost follows what is read, not the file's size.

Review clips and proxy segments seek into the original and decode a few seconds or
minutes of it; the decode runs in a thread (niced like the encodes where asked) and
stops when the job is cancelled (timeout, shutdown) before the job ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import threading
from collections.abc import Callable
from typing import IO, TypeVar

from strapi_client.models import MediaAsset
from worker.jobs import workdir
from worker.jobs.context import Deps
from worker.jobs.derived import niced
from worker.review_clips.ranged_file import RangedFile

T = TypeVar("T")
Handle = IO[bytes] | io.RawIOBase
ReadFn = Callable[[Handle, threading.Event], T]

KEPT = "kept original"
RANGED = "storage (ranged reads)"


async def read_original(
    deps: Deps, asset: MediaAsset, key: str, size: int, work: ReadFn[T], *, nice: int = 0
) -> tuple[T, str]:
    """Run ``work(handle, cancel)`` in a thread on the asset's original.

    :param key: the original's storage key; ``size`` its size (a kept file of another
        size is not this original).
    :param nice: the thread's niceness (0: the shared pool).
    :returns: what ``work`` returned, and where the original was read (``KEPT``, ``RANGED``).
    """
    assert asset.original_url is not None
    loop = asyncio.get_running_loop()
    kept = workdir.kept_original(
        deps.settings.work_dir, asset.document_id, asset.original_url, size
    )
    handle: Handle
    where = RANGED
    try:
        # Opened now: the video job may forget the kept name meanwhile; this stays readable.
        if kept is not None:
            handle, where = kept.open("rb"), KEPT
        else:
            handle = _remote(deps, key, size, loop)
    except FileNotFoundError:
        handle = _remote(deps, key, size, loop)
    cancel = threading.Event()

    def run() -> T:
        return work(handle, cancel)

    task = asyncio.create_task(asyncio.to_thread(run) if nice <= 0 else niced(run, nice))
    try:
        result = await asyncio.shield(task)
    except asyncio.CancelledError:
        cancel.set()
        with contextlib.suppress(BaseException):
            await task
        raise
    finally:
        if task.done():
            handle.close()
    return result, where


def _remote(deps: Deps, key: str, size: int, loop: asyncio.AbstractEventLoop) -> RangedFile:
    async def read(start: int, length: int) -> bytes:
        return await deps.store.read_range(key, start, length)

    return RangedFile(read, size, loop)
