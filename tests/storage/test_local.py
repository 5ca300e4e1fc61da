"""Local-folder backend: symlinks, temp files, metadata, and what it cannot do."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from worker.storage.base import DirectUploadStore, ObjectStore, direct_uploads
from worker.storage.errors import ForeignUrlError, InvalidKey, UnsupportedOperation
from worker.storage.local import LocalObjectStore


def root_of(store: ObjectStore) -> Path:
    assert isinstance(store, LocalObjectStore)
    return store.root


async def test_layout_on_disk(local_store: ObjectStore, files: Path) -> None:
    src = files / "a.json"
    src.write_bytes(b"{}")
    stored = await local_store.put_file(
        "projects/p/20250314/waveforms/x.json", src, "application/json"
    )
    root = root_of(local_store)
    assert (root / stored.key).read_bytes() == b"{}"
    assert stored.url == (root / stored.key).as_uri()
    # Checksum and type live beside, not among, the objects; no temp file is left.
    assert (root / ".multicam/meta" / f"{stored.key}.json").is_file()
    assert list((root / ".multicam/tmp").iterdir()) == []
    assert [i.key async for i in local_store.list_objects()] == [stored.key]
    await local_store.delete(stored.key)
    assert sorted(p.name for p in root.iterdir()) == [".multicam"]  # empty folders pruned


async def test_symlinks_cannot_lead_outside_the_root(
    local_store: ObjectStore,
    tmp_path: Path,
    files: Path,
) -> None:
    root = root_of(local_store)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"top secret")
    (root / "projects").mkdir()
    (root / "projects" / "link").symlink_to(outside, target_is_directory=True)
    (root / "file-link").symlink_to(outside / "secret")

    for key in ["projects/link/secret", "file-link"]:
        with pytest.raises(InvalidKey, match="symlink"):
            await local_store.get_file(key, files / "x")
        with pytest.raises(InvalidKey):
            await local_store.head(key)
        with pytest.raises(ForeignUrlError, match="symlink"):
            local_store.key_from_url((root / key).as_uri())
    src = files / "payload"
    src.write_bytes(b"x")
    with pytest.raises(InvalidKey):
        await local_store.put_file("projects/link/planted", src, "text/plain")
    assert not (outside / "planted").exists()
    with pytest.raises(InvalidKey):
        await local_store.delete("projects/link/secret")
    assert (outside / "secret").read_bytes() == b"top secret"
    # Listings do not descend into links either.
    assert [i.key async for i in local_store.list_objects()] == []
    with pytest.raises(ForeignUrlError):
        local_store.key_from_url((outside / "secret").as_uri())


async def test_root_reached_through_a_symlink_still_works(tmp_path: Path, files: Path) -> None:
    real = tmp_path / "real-root"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    store = LocalObjectStore(tmp_path / "alias")
    stored = await store.put_bytes("a/b", b"1", "text/plain")
    assert stored.url == (real / "a/b").as_uri()  # canonical: the resolved root
    assert store.key_from_url(stored.url) == "a/b"


async def test_objects_changed_behind_the_stores_back_keep_failing_safely(
    local_store: ObjectStore,
    files: Path,
) -> None:
    await local_store.put_bytes("k", b"abc", "text/plain")
    (root_of(local_store) / ".multicam/meta/k.json").unlink()  # metadata lost
    info = await local_store.head("k")
    assert info is not None and info.sha256 is None and info.size == 3
    out = await local_store.get_file("k", files / "k")  # nothing to check against but size
    assert out.sha256 == hashlib.sha256(b"abc").hexdigest()


async def test_s3_only_operations_say_so(local_store: ObjectStore) -> None:
    # Presigning and multipart are a DirectUploadStore's: callers ask direct_uploads().
    assert not isinstance(local_store, DirectUploadStore)
    operations = [
        "presign_put",
        "presign_get",
        "create_multipart",
        "presign_part",
        "list_parts",
        "complete_multipart",
        "abort_multipart",
    ]
    for operation in operations:
        with pytest.raises(UnsupportedOperation, match="S3 backend") as refused:
            direct_uploads(local_store, operation)
        assert str(refused.value).startswith(f"{operation} needs the S3 backend")
        assert not hasattr(local_store, operation)
    with pytest.raises(UnsupportedOperation, match="sweep-expired"):
        await local_store.get_lifecycle_rules()
    with pytest.raises(UnsupportedOperation):
        await local_store.put_lifecycle_rules([])
    assert await local_store.list_multipart_uploads() == []
    assert local_store.public_url("k") is None


async def test_missing_source_file_is_the_callers_error(
    local_store: ObjectStore, tmp_path: Path
) -> None:
    with pytest.raises(FileNotFoundError):
        await local_store.put_file("k", tmp_path / "nope", "text/plain")
    assert await local_store.head("k") is None
