"""Versions in use under a camera's originals prefix, as the upload API allocates them:
read from the keys with ``parse_object_key``, unfinished multipart uploads included."""

from __future__ import annotations

import datetime as dt

from worker.api.v2.upload_records import used_versions
from worker.storage.base import ObjectStore, direct_uploads
from worker.storage.keys import object_key

DAY = dt.date(2025, 3, 14)


def _original(camera: str, version: int, ext: str = "mov") -> str:
    return object_key("acme", DAY, "original", camera, version=version, ext=ext)


async def test_versions_of_one_angle_from_objects_and_unfinished_uploads(
    store: ObjectStore,
) -> None:
    prefix = _original("A", 1).rsplit("/", 1)[0] + "/"
    for key in [
        _original("A", 1),
        _original("A", 3, "mp4"),
        _original("B", 2),
        prefix + "notes.txt",
        prefix + "angle-001_v000.mov",
    ]:
        await store.put_bytes(key, b"x", "application/octet-stream")
    if store.backend == "s3":  # an upload in progress holds its version too
        await direct_uploads(store, "create_multipart").create_multipart(
            _original("A", 5), "video/quicktime"
        )
    expected = {1, 3, 5} if store.backend == "s3" else {1, 3}
    assert await used_versions(store, prefix, 1) == expected
    assert await used_versions(store, prefix, 2) == {2}
    assert await used_versions(store, prefix, 3) == set()
