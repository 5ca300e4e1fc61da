"""Behaviour both backends share, run against the local folder and moto's real S3 server."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tests.support.s3_server import S3Server
from worker.storage.base import ObjectStore
from worker.storage.errors import (
    ChecksumMismatch,
    ForeignUrlError,
    InvalidKey,
    ObjectNotFound,
    StorageError,
)
from worker.storage.factory import open_store
from worker.storage.keys import ObjectKind, object_key
from worker.storage.local import LocalObjectStore
from worker.storage.s3 import S3ObjectStore
from worker.storage.settings import StorageSettings

DAY = dt.date(2025, 3, 14)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def tamper(store: ObjectStore, s3_server: S3Server, key: str, data: bytes) -> None:
    """Replace an object's bytes behind the store's back, keeping its recorded SHA-256."""
    if isinstance(store, LocalObjectStore):
        (store.root / key).write_bytes(data)
        return
    assert isinstance(store, S3ObjectStore)
    info = s3_server.client().head_object(Bucket=store.bucket, Key=key)
    s3_server.client().put_object(
        Bucket=store.bucket, Key=key, Body=data, Metadata=info["Metadata"]
    )


async def test_put_get_round_trip(store: ObjectStore, files: Path) -> None:
    data = os.urandom(300_000)
    key = object_key("acme", DAY, ObjectKind.PROXY, "A")
    stored = await store.put_file(key, write(files / "p.mp4", data), "video/mp4")
    digest = hashlib.sha256(data).hexdigest()
    assert (stored.key, stored.size, stored.sha256, stored.content_type) == (
        key,
        len(data),
        digest,
        "video/mp4",
    )
    assert stored.url == store.url_for(key)

    info = await store.head(key)
    assert info is not None
    assert (info.size, info.sha256, info.content_type) == (len(data), digest, "video/mp4")

    fetched = await store.get_file(key, files / "out" / "deep" / "p.mp4", expected_sha256=digest)
    assert (files / "out" / "deep" / "p.mp4").read_bytes() == data
    assert fetched.sha256 == digest and fetched.size == len(data)
    assert leftovers(files / "out" / "deep") == []
    assert await store.get_bytes(key) == data


async def test_put_bytes_and_empty_objects(store: ObjectStore, files: Path) -> None:
    stored = await store.put_bytes(
        "projects/acme/20250314/sync/s.json", b'{"a":1}', "application/json"
    )
    assert await store.get_bytes(stored.key, expected_sha256=stored.sha256) == b'{"a":1}'
    empty = await store.put_file("e/empty", write(files / "empty", b""), "text/plain")
    assert empty.size == 0
    assert empty.sha256 == hashlib.sha256(b"").hexdigest()
    await store.get_file("e/empty", files / "empty.out")
    assert (files / "empty.out").read_bytes() == b""


async def test_overwrite_replaces_object_and_checksum(store: ObjectStore, files: Path) -> None:
    await store.put_bytes("k/x", b"one", "text/plain")
    second = await store.put_bytes("k/x", b"two!", "text/plain")
    info = await store.head("k/x")
    assert info is not None and info.sha256 == second.sha256 and info.size == 4
    assert await store.get_bytes("k/x") == b"two!"


async def test_corrupted_object_is_detected_and_nothing_is_written(
    store: ObjectStore,
    s3_server: S3Server,
    files: Path,
) -> None:
    original = os.urandom(50_000)
    stored = await store.put_file("c/clip.mov", write(files / "clip.mov", original), "video/mp4")
    tamper(store, s3_server, "c/clip.mov", os.urandom(50_000))

    dest = files / "dl" / "clip.mov"
    with pytest.raises(ChecksumMismatch) as info:
        await store.get_file("c/clip.mov", dest)  # checked against the recorded sha256
    assert info.value.what.startswith("sha256")
    assert not dest.exists() and leftovers(dest.parent) == []

    with pytest.raises(ChecksumMismatch):
        await store.get_file("c/clip.mov", dest, expected_sha256=stored.sha256)
    with pytest.raises(ChecksumMismatch):
        await store.get_bytes("c/clip.mov")

    # An existing destination is left as it was.
    write(dest, b"previous")
    with pytest.raises(ChecksumMismatch):
        await store.get_file("c/clip.mov", dest)
    assert dest.read_bytes() == b"previous" and leftovers(dest.parent) == []


async def test_expected_checksum_that_differs_from_the_recorded_one(
    store: ObjectStore,
    files: Path,
) -> None:
    await store.put_bytes("c/a", b"abc", "text/plain")
    wrong = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(ChecksumMismatch, match="recorded"):
        await store.get_file("c/a", files / "a", expected_sha256=wrong)
    assert not (files / "a").exists()
    with pytest.raises(ValueError):
        await store.get_file("c/a", files / "a", expected_sha256="not-hex")


async def test_wrong_sha256_given_to_put_stores_nothing(store: ObjectStore, files: Path) -> None:
    path = write(files / "f", b"data")
    with pytest.raises(ChecksumMismatch):
        await store.put_file("w/f", path, "text/plain", sha256=hashlib.sha256(b"x").hexdigest())
    assert await store.head("w/f") is None


async def test_missing_objects(store: ObjectStore, files: Path) -> None:
    assert await store.head("no/such") is None
    with pytest.raises(ObjectNotFound):
        await store.get_file("no/such", files / "x")
    with pytest.raises(ObjectNotFound):
        await store.get_bytes("no/such")
    assert not (files / "x").exists() and leftovers(files) == []


async def test_delete_is_idempotent(store: ObjectStore) -> None:
    await store.put_bytes("d/x", b"1", "text/plain")
    await store.delete("d/x")
    assert await store.head("d/x") is None
    await store.delete("d/x")
    await store.delete("never/existed")


async def test_list_and_delete_prefix(store: ObjectStore) -> None:
    keys = ["p/a/2", "p/a/1", "p/ab", "p/b/1", "q/1"]
    for k in keys:
        await store.put_bytes(k, k.encode(), "text/plain")
    listed = [i.key async for i in store.list_objects("p/a")]
    assert listed == ["p/a/1", "p/a/2", "p/ab"]
    assert [i.key async for i in store.list_objects("p/a/")] == ["p/a/1", "p/a/2"]
    infos = [i async for i in store.list_objects("p/")]
    assert [i.size for i in infos] == [5, 5, 4, 5]
    assert all(i.last_modified is not None for i in infos)
    assert [i.key async for i in store.list_objects("nothing/")] == []

    assert await store.delete_prefix("p/a/") == 2
    assert [i.key async for i in store.list_objects("p/")] == ["p/ab", "p/b/1"]
    assert await store.delete_prefix("p/a/") == 0
    with pytest.raises(InvalidKey):
        await store.delete_prefix("")
    assert await store.head("q/1") is not None


async def test_urls_round_trip_and_foreign_urls_are_refused(store: ObjectStore) -> None:
    key = object_key("Acme Films", DAY, "waveform", "B")
    url = store.url_for(key)
    assert store.key_from_url(url) == key
    foreign = [
        "s3://someone-else/x",
        "file:///etc/passwd",
        "https://evil.example/x",
        url.replace(key, "../../etc/passwd"),
        url.replace(key, ".multicam/meta/x"),
    ]
    for bad in foreign:
        with pytest.raises(ForeignUrlError):
            store.key_from_url(bad)


@pytest.mark.parametrize("key", ["../x", "/x", "a//b", ".multicam/tmp/x", "a\\b"])
async def test_unsafe_keys_are_refused_everywhere(
    store: ObjectStore, files: Path, key: str
) -> None:
    path = write(files / "f", b"x")
    with pytest.raises(InvalidKey):
        await store.put_file(key, path, "text/plain")
    with pytest.raises(InvalidKey):
        await store.get_file(key, files / "o")
    with pytest.raises(InvalidKey):
        await store.head(key)
    with pytest.raises(InvalidKey):
        await store.delete(key)


async def test_bad_content_type_is_refused(store: ObjectStore) -> None:
    with pytest.raises(StorageError):
        await store.put_bytes("x", b"", "text/plain\r\nX-Evil: 1")


async def test_ping_answers_and_says_when_the_store_is_unusable(
    store: ObjectStore, request: pytest.FixtureRequest
) -> None:
    await store.ping()  # reachable and usable: no error
    if isinstance(store, LocalObjectStore):
        shutil.rmtree(store.root)  # the folder is gone
        with pytest.raises(StorageError, match="missing or read-only"):
            await store.ping()
        return
    settings: StorageSettings = request.getfixturevalue("s3_settings")
    missing = settings.model_copy(update={"s3_bucket": "no-such-bucket-" + os.urandom(4).hex()})
    async with open_store(missing) as elsewhere:
        with pytest.raises(StorageError):
            await elsewhere.ping()
