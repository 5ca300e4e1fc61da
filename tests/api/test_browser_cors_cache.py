"""The CORS check's cache, on a real bucket (moto's S3 server): a burst of uploads reads
the rules once, a refusal is always confirmed on fresh rules, the local backend says why."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.s3_server import S3Server, running_s3
from worker.api.errors import ApiError
from worker.api.v2.browser_upload_check import require_browser_upload
from worker.api.v2.cors_cache import CACHE_SECONDS, CorsRulesCache
from worker.storage.base import ObjectStore
from worker.storage.cors import apply_cors
from worker.storage.factory import open_store
from worker.storage.settings import StorageSettings

CMS = "https://cms.example"


class Counting:
    """The store's CORS reads, counted."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.reads = 0

    async def get_cors_rules(self) -> list[dict[str, Any]]:
        self.reads += 1
        return await self.store.get_cors_rules()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with running_s3() as server:
        yield server


@pytest.fixture
async def store(s3: S3Server) -> AsyncIterator[ObjectStore]:
    async with open_store(s3.new_bucket()) as opened:
        yield opened


async def test_allowed_uploads_read_the_rules_once_per_period(store: ObjectStore) -> None:
    await apply_cors(store, [CMS])
    counting, clock = Counting(store), Clock()
    cache = CorsRulesCache(clock=clock)
    for _ in range(5):
        await require_browser_upload(counting, cache, CMS)
    assert counting.reads == 1
    clock.now += CACHE_SECONDS
    await require_browser_upload(counting, cache, CMS)
    assert counting.reads == 2


async def test_a_refusal_is_confirmed_on_fresh_rules(store: ObjectStore) -> None:
    counting, cache = Counting(store), CorsRulesCache(clock=Clock())
    with pytest.raises(ApiError) as refused:
        await require_browser_upload(counting, cache, CMS)
    assert refused.value.status == 409 and refused.value.code == "browser_upload_blocked"
    assert "the bucket has no CORS rules" in refused.value.message
    assert counting.reads == 1  # read just now: no second read

    await apply_cors(store, [CMS])
    await require_browser_upload(counting, cache, CMS)  # cached rules refuse; fresh allow
    assert counting.reads == 2
    await require_browser_upload(counting, cache, CMS)
    assert counting.reads == 2


async def test_a_bucket_the_key_cannot_read_is_blocked_with_the_reason(s3: S3Server) -> None:
    settings = s3.new_bucket()
    s3.client().delete_bucket(Bucket=settings.s3_bucket)  # GetBucketCors: NoSuchBucket
    async with open_store(settings) as gone:
        with pytest.raises(ApiError) as refused:
            await require_browser_upload(gone, CorsRulesCache(), CMS)
    assert refused.value.code == "browser_upload_blocked"
    assert "the service cannot read them" in refused.value.message
    assert "NoSuchBucket" in refused.value.message


async def test_the_local_backend_cannot_take_browser_uploads(tmp_path: Path) -> None:
    settings = StorageSettings(storage_backend="local", storage_root=tmp_path)
    async with open_store(settings) as local:
        with pytest.raises(ApiError) as refused:
            await require_browser_upload(local, CorsRulesCache(), CMS)
    assert refused.value.status == 409 and refused.value.code == "browser_upload_unsupported"
    assert "MULTICAM_STORAGE_BACKEND=s3" in refused.value.message
