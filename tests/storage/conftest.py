"""Storage fixtures: one moto S3 server per session, a fresh bucket per test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.support.s3_server import S3Server, running_s3
from worker.storage.base import ObjectStore
from worker.storage.factory import open_store
from worker.storage.settings import StorageSettings

# Small parts so a 12 MiB file takes the multipart path (5 MiB is S3's minimum).
THRESHOLD_MB = 5
PART_MB = 5


@pytest.fixture(autouse=True)
def _no_multicam_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's MULTICAM_* variables must not change what these tests configure."""
    for name in list(os.environ):
        if name.startswith("MULTICAM_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    with running_s3(s3_multipart_threshold_mb=THRESHOLD_MB, s3_part_size_mb=PART_MB) as server:
        yield server


@pytest.fixture
def s3_settings(s3_server: S3Server) -> StorageSettings:
    return s3_server.new_bucket()


@pytest.fixture
async def s3_store(s3_settings: StorageSettings) -> AsyncIterator[ObjectStore]:
    async with open_store(s3_settings) as store:
        yield store


@pytest.fixture
def local_root(tmp_path: Path) -> Path:
    return tmp_path / "storage"


@pytest.fixture
async def local_store(local_root: Path) -> AsyncIterator[ObjectStore]:
    settings = StorageSettings(storage_backend="local", storage_root=local_root)
    async with open_store(settings) as store:
        yield store


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest) -> ObjectStore:
    """Each backend in turn, for behaviour both must share (sync: it resolves async fixtures)."""
    name = "local_store" if request.param == "local" else "s3_store"
    result: ObjectStore = request.getfixturevalue(name)
    return result


@pytest.fixture
def files(tmp_path: Path) -> Path:
    folder = tmp_path / "files"
    folder.mkdir()
    return folder
