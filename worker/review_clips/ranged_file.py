"""A read-only, seekable file over an object in storage, read in ranged blocks.

FFmpeg seeks into a container (the MP4 index, then each clip's first keyframe)
and reads a few megabytes at each place; reading only those blocks makes the
cost of a review clip independent of the original's length. The decoder runs in
a thread, the store is async: each block is fetched on the event loop the job
runs on, and the thread waits for it.
"""

from __future__ import annotations

import asyncio
import io
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from typing import Any

BLOCK_BYTES = 4 << 20
CACHED_BLOCKS = 16

ReadRange = Callable[[int, int], Coroutine[Any, Any, bytes]]


class RangedFile(io.RawIOBase):
    """``read``/``seek``/``tell`` over ``read_range(start, length)`` (not thread-safe).

    :param read_range: the store's ranged read of one object, bound to its key.
    :param size: the object's size in bytes.
    :param loop: the running event loop that ``read_range`` must run on.
    """

    def __init__(
        self,
        read_range: ReadRange,
        size: int,
        loop: asyncio.AbstractEventLoop,
        *,
        block_bytes: int = BLOCK_BYTES,
        cached_blocks: int = CACHED_BLOCKS,
    ) -> None:
        super().__init__()
        self._read_range = read_range
        self._size = size
        self._loop = loop
        self._block = block_bytes
        self._cache: OrderedDict[int, bytes] = OrderedDict()
        self._cached = cached_blocks
        self._pos = 0
        self.bytes_fetched = 0
        self.requests = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _block_at(self, index: int) -> bytes:
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        start = index * self._block
        length = min(self._block, self._size - start)
        future = asyncio.run_coroutine_threadsafe(self._read_range(start, length), self._loop)
        block: bytes = future.result()
        self.requests += 1
        self.bytes_fetched += len(block)
        self._cache[index] = block
        if len(self._cache) > self._cached:
            self._cache.popitem(last=False)
        return block

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._pos >= self._size:
            return 0
        index, within = divmod(self._pos, self._block)
        block = self._block_at(index)
        n = min(len(buffer), len(block) - within)
        buffer[:n] = block[within : within + n]
        self._pos += n
        return n
