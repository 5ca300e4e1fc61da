"""read_range: slices of an object without reading the rest, on both backends."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from worker.storage.base import MAX_RANGE_BYTES, ObjectStore
from worker.storage.errors import InvalidKey, ObjectNotFound, StorageError
from worker.storage.keys import ObjectKind, object_key

DAY = dt.date(2025, 3, 14)
DATA = hashlib.shake_256(b"read-range").digest(300_000)


async def test_slices_of_an_object(store: ObjectStore) -> None:
    key = object_key("acme", DAY, ObjectKind.AUDIO_WAV, "A")
    await store.put_bytes(key, DATA, "audio/wav")
    assert await store.read_range(key, 0, 44) == DATA[:44]
    assert await store.read_range(key, 123_456, 1000) == DATA[123_456:124_456]
    # At the end: what there is; past it: nothing.
    assert await store.read_range(key, len(DATA) - 10, 1000) == DATA[-10:]
    assert await store.read_range(key, len(DATA), 10) == b""
    assert await store.read_range(key, len(DATA) + 5000, 10) == b""
    assert await store.read_range(key, 100, 0) == b""


async def test_missing_objects_and_bad_arguments(store: ObjectStore) -> None:
    key = object_key("acme", DAY, ObjectKind.AUDIO_WAV, "B")
    with pytest.raises(ObjectNotFound):
        await store.read_range(key, 0, 10)
    with pytest.raises(ObjectNotFound):
        await store.read_range(key, 0, 0)
    await store.put_bytes(key, b"0123456789", "audio/wav")
    for start, length in ((-1, 10), (0, -1), (0, MAX_RANGE_BYTES + 1)):
        with pytest.raises(StorageError):
            await store.read_range(key, start, length)
    with pytest.raises(InvalidKey):
        await store.read_range("../etc/passwd", 0, 10)
