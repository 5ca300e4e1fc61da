"""The queue's vocabulary (worker/queue.py): ids, queues, the one enqueue, Redis URLs."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from arq import create_pool

from strapi_client.enums import AssetState, CameraLabel, DerivedKind, VideoState
from strapi_client.models import DerivedMedia, MediaAsset, SyncResult
from strapi_client.review_clips import ReviewClipSet
from tests.support.services import private_redis
from worker.pipeline.rules import (
    advance_request,
    ingest_request,
    review_clips_missing,
    review_clips_request,
    video_request,
)
from worker.queue import (
    CUT_REVIEW_CLIPS,
    ENCODE_VIDEO,
    Queue,
    enqueue,
    ingest_job_id,
    queue_name,
    redis_settings,
    review_clips_job_prefix,
    video_job_id,
)


def test_redis_urls_keep_their_database_and_socket() -> None:
    tcp = redis_settings("redis://:secret@cache.internal:6380/3")
    assert (tcp.host, tcp.port, tcp.database, tcp.password) == ("cache.internal", 6380, 3, "secret")
    assert redis_settings("rediss://cache.internal/1").ssl
    sock = redis_settings("unix:///run/redis/redis.sock?db=2")
    assert sock.unix_socket_path == "/run/redis/redis.sock" and sock.database == 2
    assert tcp.retry is not None and tcp.retry_on_timeout  # survives a Redis restart


def _asset(state: AssetState, video: VideoState | None) -> MediaAsset:
    return MediaAsset(
        id=1,
        document_id="asset1",
        camera_label=CameraLabel.A,
        state=state,
        video_state=video,
        original_url="s3://bucket/projects/p/o.mp4",
    )


def test_each_track_has_its_job_and_queue() -> None:
    ingesting = _asset(AssetState.INGESTING, VideoState.PENDING)
    audio = ingest_request(ingesting)
    assert audio is not None and audio.queue is Queue.MAIN
    assert audio.job_id == ingest_job_id("asset1", "s3://bucket/projects/p/o.mp4")
    assert video_request(ingesting) is None  # the video waits for the audio
    ready = _asset(AssetState.READY, VideoState.PENDING)
    video = video_request(ready)
    assert video is not None and video.function == ENCODE_VIDEO and video.queue is Queue.VIDEO
    assert video.job_id == video_job_id("asset1", "s3://bucket/projects/p/o.mp4")
    assert video.job_id != audio.job_id
    for settled in (VideoState.READY, VideoState.FAILED, None):
        assert video_request(_asset(AssetState.READY, settled)) is None
    assert advance_request("s1", force=True).args == ("s1", True)


async def test_enqueue_puts_each_job_on_its_queue(tmp_path: Path) -> None:
    with private_redis(tmp_path) as server:
        pool = await create_pool(redis_settings(server.url), default_queue_name="mc")
        try:
            video = video_request(_asset(AssetState.READY, VideoState.PENDING))
            assert video is not None
            assert await enqueue(pool, video, main_queue="mc") is not None
            assert await enqueue(pool, video, main_queue="mc") is None  # one job per id
            await enqueue(pool, advance_request("s1"), main_queue="mc")
            assert queue_name("mc", Queue.VIDEO) == "mc:video"
            assert await pool.zcard("mc:video") == 1 and await pool.zcard("mc") == 1
        finally:
            await pool.aclose()


async def test_a_job_refused_for_used_up_tries_blocks_its_id_briefly(tmp_path: Path) -> None:
    """A video job whose tries went on retries through a Strapi outage, then a shutdown,
    is refused by arq without running; the result arq keeps then blocks the job id, so
    reconcile could not enqueue the encode again for arq's default hour."""
    from arq.constants import result_key_prefix, retry_key_prefix

    from worker.ingest.config import IngestSettings
    from worker.jobs.arq_workers import build_worker
    from worker.settings import Settings
    from worker.storage.settings import StorageSettings

    with private_redis(tmp_path) as server:
        settings = Settings(redis_url=server.url, work_dir=str(tmp_path / "work"))
        pool = await create_pool(redis_settings(server.url))
        try:
            video = video_request(_asset(AssetState.READY, VideoState.PENDING))
            assert video is not None
            assert await enqueue(pool, video, main_queue=settings.queue_name) is not None
            await pool.set(retry_key_prefix + video.job_id, settings.max_tries)  # all used
            worker = build_worker(
                settings,
                StorageSettings(storage_root=tmp_path / "store"),
                IngestSettings(),
                burst=True,
                queue=Queue.VIDEO,
            )
            await worker.async_run()
            await worker.close()
            assert worker.jobs_failed == 1 and worker.jobs_complete == 0
            ttl_ms = await pool.pttl(result_key_prefix + video.job_id)
            assert 0 < ttl_ms <= settings.job_result_keep_s * 1000
        finally:
            await pool.aclose()


async def test_a_person_s_request_waits_briefly_for_a_job_holding_its_id(tmp_path: Path) -> None:
    """A recompute right after an approval met the session job the approval's webhook
    had queued a moment before (same id) and was answered 409; it now waits for it."""
    from arq.constants import job_key_prefix

    from worker.queue import enqueue_when_free

    with private_redis(tmp_path) as server:
        pool = await create_pool(redis_settings(server.url), default_queue_name="mc")
        try:
            advance = advance_request("s1")
            assert await enqueue(pool, advance, main_queue="mc") is not None
            forced = advance_request("s1", force=True)
            assert forced.job_id == advance.job_id
            # Held for longer than the wait: None, as enqueue says.
            assert await enqueue_when_free(pool, forced, main_queue="mc", wait_s=0.3) is None

            async def finish_the_held_job() -> None:
                # As a worker does once the job ran (session jobs keep no result).
                await pool.delete(job_key_prefix + advance.job_id)
                await pool.zrem("mc", advance.job_id)

            waiting = asyncio.create_task(
                enqueue_when_free(pool, forced, main_queue="mc", wait_s=30)
            )
            await finish_the_held_job()
            job = await waiting
            assert job is not None and job.job_id == forced.job_id
            info = await job.info()
            assert info is not None and info.args == forced.args
        finally:
            await pool.aclose()


def test_review_clips_are_due_while_the_proxy_is_to_come_and_none_are_held() -> None:
    computed = dt.datetime(2026, 12, 7, 13, 40, 2, tzinfo=dt.UTC)
    result = SyncResult(id=1, document_id="result1", computed_at=computed)
    ready = _asset(AssetState.READY, VideoState.PENDING)
    wanted = review_clips_request(ready, result)
    assert wanted is not None and wanted.function == CUT_REVIEW_CLIPS
    assert wanted.queue is Queue.MAIN  # never behind an encode
    assert wanted.job_id.startswith(review_clips_job_prefix("asset1"))
    later = SyncResult(id=1, document_id="result1", computed_at=computed + dt.timedelta(seconds=1))
    again = review_clips_request(ready, later)
    assert again is not None and again.job_id != wanted.job_id  # a recompute cuts again
    assert review_clips_request(ready, None) is None
    assert review_clips_request(_asset(AssetState.READY, VideoState.READY), result) is None
    assert review_clips_request(_asset(AssetState.INGESTING, VideoState.PENDING), result) is None

    def holding(cut_for: dt.datetime) -> MediaAsset:
        entry = DerivedMedia(
            id=2,
            document_id="derived1",
            kind=DerivedKind.REVIEW_CLIPS,
            url="s3://bucket/projects/p/review-clips/angle-001_v001_p001.mp4",
            clips=ReviewClipSet(sync_computed_at=cut_for),
        )
        return ready.model_copy(update={"derivatives": [entry]})

    assert review_clips_missing(ready, result) == wanted
    assert review_clips_missing(holding(computed), result) is None
    assert review_clips_missing(holding(computed), later) is not None  # cut for another result
