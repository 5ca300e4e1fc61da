"""Poison jobs end in failed, with the reason, instead of looping through reconcile."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, SessionState, VideoState
from strapi_client.models import MediaAssetInput, RecordingSession, RecordingSessionInput
from tests.corpus import cases as corpus
from tests.pipeline.conftest import (
    Stack,
    eventually,
    fully_ingested,
    replaced_worker,
    session_case,
    upload_original,
)
from tests.support.services import Proc
from worker.jobs.attempts import NEVER_FINISHED, Attempts
from worker.jobs.context import TRANSIENT
from worker.queue import ingest_job_id

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(900)]
POISON = Path(__file__).with_name("poison")
DAY = dt.date(2026, 11, 20)


async def draft_session(strapi: StrapiClient, title: str) -> RecordingSession:
    return await strapi.sessions.create(RecordingSessionInput(
        title=title, date=DAY, project_id=f"poison-{secrets.token_hex(3)}",
        state=SessionState.DRAFT))


@contextlib.contextmanager
def poisoned_worker(stack: Stack, poison: str,
                    extra: dict[str, str] | None = None) -> Iterator[Proc]:
    """The stack's worker replaced by one whose jobs hit ``poison`` (see poison/)."""
    with replaced_worker(stack, f"worker-{poison}-poisoned", env={
            "PYTHONPATH": str(POISON), "MULTICAM_TEST_POISON": poison, **(extra or {})}) as w:
        yield w


async def test_attempts_count_failures_and_crashes_not_transient_errors(stack: Stack) -> None:
    redis = aioredis.from_url(stack.redis.url)
    try:
        work = Attempts(redis, f"test:{secrets.token_hex(4)}", 3)  # type: ignore[arg-type]
        with pytest.raises(ConnectionError):
            async with work.attempt():
                raise ConnectionError("Strapi is away")  # transient: arq retries it
        assert issubclass(ConnectionError, TRANSIENT)
        assert await work.exhausted() is None
        for _ in range(2):
            with pytest.raises(KeyError):
                async with work.attempt():
                    raise KeyError("boom")
        assert await work.exhausted() is None
        # A crash: the attempt starts and its process dies (nothing after the start runs).
        await work.attempt().__aenter__()
        assert await work.exhausted() == f"gave up after 3 attempts: {NEVER_FINISHED}"
        await work.forget()
        async with work.attempt():
            pass  # a finished attempt forgets the count
        assert await work.exhausted() is None
    finally:
        await redis.aclose()


async def test_a_file_that_crashes_every_ingest_ends_failed(
        stack: Stack, strapi: StrapiClient, media_dir: Path) -> None:
    built = corpus.build_case(session_case("pipeline-golden", 501), media_dir)
    session = await draft_session(strapi, "poison")
    with poisoned_worker(stack, "wav") as poisoned:
        url = await upload_original(stack, session.project_id, DAY, "A", built.paths["A"])
        asset = await strapi.upsert_asset(session.document_id, "A", MediaAssetInput(
            original_filename="camA.mp4", original_url=url, state=AssetState.INGESTING))

        async def failed() -> Any:
            a = await strapi.assets.get(asset.document_id, populate={"derivatives": True})
            return a if a.state is AssetState.FAILED else None

        # Each failed job's result is kept 60 s, then reconcile enqueues it anew.
        done = await eventually(failed, timeout=600, what="the poisoned asset to fail",
                                stack=stack, interval=2)
    log = poisoned.log_path.read_text()
    assert done.error_message == (
        "gave up after 3 attempts: error: 'L' format requires 0 <= number <= 4294967295")
    assert log.count('"ingest_started"') == 3, log
    assert not done.derivatives  # nothing half-written stays behind
    listed = stack.s3.client().list_objects_v2(Bucket=stack.s3.bucket,
                                               Prefix=f"projects/{session.project_id}/")
    assert all("/originals/" in o["Key"] for o in listed.get("Contents", []))

    async def settled() -> Any:
        s = await strapi.get_session(session.document_id)
        return s if s.state is SessionState.NEEDS_REVIEW else None

    final = await eventually(settled, timeout=120, what="the session to settle", stack=stack)
    assert "gave up after 3 attempts" in (final.progress_message or "")


async def test_a_worker_killed_on_every_attempt_ends_failed(
        stack: Stack, strapi: StrapiClient, media_dir: Path) -> None:
    built = corpus.build_case(session_case("pipeline-golden", 501), media_dir)
    session = await draft_session(strapi, "killed thrice")
    url = await upload_original(stack, session.project_id, DAY, "B", built.paths["B"])
    redis = aioredis.from_url(stack.redis.url)
    try:
        asset = await strapi.upsert_asset(session.document_id, "B", MediaAssetInput(
            original_filename="camB.mp4", original_url=url, state=AssetState.INGESTING))
        counter = "multicam:attempts:" + ingest_job_id(asset.document_id, url)
        for attempt in (1, 2, 3):
            async def started(n: int = attempt) -> bool:
                return int(await redis.get(counter) or 0) == n

            # Reconcile releases each killed job once the asset has been silent for
            # MULTICAM_STALE_JOB_S (15 s here), and the restarted worker runs it again.
            await eventually(started, timeout=180, what=f"attempt {attempt} to start",
                             stack=stack, interval=0.05)
            stack.procs.worker.kill()  # SIGKILL mid-ingest, as the OOM killer would
            stack.procs.worker.start()

        async def failed() -> Any:
            a = await strapi.assets.get(asset.document_id)
            return a if a.state is AssetState.FAILED else None

        done = await eventually(failed, timeout=180, what="the asset to be given up",
                                stack=stack)
    finally:
        await redis.aclose()
    assert done.error_message == f"gave up after 3 attempts: {NEVER_FINISHED}"


async def test_a_sync_that_crashes_every_time_ends_in_needs_review(
        stack: Stack, strapi: StrapiClient, media_dir: Path) -> None:
    built = corpus.build_case(session_case("pipeline-golden", 501), media_dir)
    session = await draft_session(strapi, "sync poison")
    with poisoned_worker(stack, "sync") as poisoned:
        for label in ("A", "B"):
            url = await upload_original(stack, session.project_id, DAY, label,
                                        built.paths[label])
            await strapi.upsert_asset(session.document_id, label, MediaAssetInput(
                original_filename=f"cam{label}.mp4", original_url=url,
                state=AssetState.INGESTING))

        async def given_up() -> Any:
            s = await strapi.get_session(session.document_id)
            return s if "gave up" in (s.progress_message or "") else None

        done = await eventually(given_up, timeout=600, what="the sync to be given up",
                                stack=stack, interval=1)
    assert done.state is SessionState.NEEDS_REVIEW
    assert done.progress_message == (
        "sync failed: gave up after 3 attempts: MemoryError: cannot allocate the "
        "cross-correlation buffers; re-ingest the camera(s) or recompute")
    assert poisoned.log_path.read_text().count('"sync_started"') == 3


async def test_a_failed_video_encode_keeps_the_sync(
        stack: Stack, strapi: StrapiClient, media_dir: Path) -> None:
    built = corpus.build_case(session_case("pipeline-golden", 501), media_dir)
    session = await draft_session(strapi, "video poison")
    with poisoned_worker(stack, "video") as poisoned:
        ids = []
        for label in ("A", "B"):
            url = await upload_original(stack, session.project_id, DAY, label,
                                        built.paths[label])
            asset = await strapi.upsert_asset(session.document_id, label, MediaAssetInput(
                original_filename=f"cam{label}.mp4", original_url=url,
                state=AssetState.INGESTING))
            ids.append(asset.document_id)

        async def video_failed(asset_id: str) -> Any:
            a = await strapi.assets.get(asset_id, populate={"derivatives": True})
            return a if a.video_state is VideoState.FAILED else None

        failed = [await eventually(lambda a=i: video_failed(a), timeout=300,
                                   what="the video encode to fail", stack=stack)
                  for i in ids]

        async def synced() -> Any:
            s = await strapi.get_session(session.document_id)
            return s if s.state is SessionState.NEEDS_REVIEW and s.sync_result else None

        done = await eventually(synced, timeout=120, what="the sync result", stack=stack)
    for asset in failed:
        assert asset.state is AssetState.READY  # the camera still syncs
        assert (asset.error_message or "").startswith(
            "video derivatives failed (the audio and the sync are not affected): ")
        assert "video stream is damaged" in (asset.error_message or "")
        assert {d.kind.value for d in asset.derivatives or []} == {"audio-wav", "waveform"}
    result = done.sync_result
    assert result is not None and set(result.offsets_ms or {}) == {"A", "B"}
    assert "looks-good" in (result.classification or {}).values()
    log = poisoned.log_path.read_text()
    assert log.count('"video_failed"') == 2, log  # failed once each, not retried in a loop
    listed = stack.s3.client().list_objects_v2(Bucket=stack.s3.bucket,
                                               Prefix=f"projects/{session.project_id}/")
    assert not [o["Key"] for o in listed.get("Contents", []) if "/proxies/" in o["Key"]]


@pytest.mark.parametrize("mode", ["finish", "fail"])
async def test_an_old_ingest_ending_after_a_reupload_changes_nothing(
        stack: Stack, strapi: StrapiClient, media_dir: Path, tmp_path: Path,
        mode: str) -> None:
    """The first file's ingest, overtaken by a re-upload, finishes (or fails) last."""
    built = corpus.build_case(session_case("pipeline-golden", 501), media_dir)
    session = await draft_session(strapi, f"reupload {mode}")
    gate = tmp_path / "gate"
    redis = aioredis.from_url(stack.redis.url)
    try:
        with poisoned_worker(stack, "gate", {"MULTICAM_TEST_GATE": str(gate),
                                             "MULTICAM_TEST_GATE_MODE": mode}):
            first = await upload_original(stack, session.project_id, DAY, "A",
                                          built.paths["A"])
            asset = await strapi.upsert_asset(session.document_id, "A", MediaAssetInput(
                original_filename="camA.mp4", original_url=first,
                state=AssetState.INGESTING))

            async def at_gate() -> bool:
                return gate.with_suffix(".waiting").exists()

            await eventually(at_gate, timeout=120, what="the first ingest to reach the gate",
                             stack=stack, interval=0.1)
            # The operator replaces the file while the first ingest is still running.
            second = await upload_original(stack, session.project_id, DAY, "A",
                                           built.paths["B"], version=2)
            await strapi.upsert_asset(session.document_id, "A", MediaAssetInput(
                original_url=second, state=AssetState.INGESTING, progress_pct=None))

            async def second_in() -> Any:
                a = await strapi.assets.get(asset.document_id, populate={"derivatives": True})
                keys = [d.storage_key or "" for d in a.derivatives or []]
                return a if (a.state is AssetState.READY and a.original_url == second
                             and any("_v002." in k for k in keys)) else None

            await eventually(second_in, timeout=180, what="the second file's audio",
                             stack=stack)
            gate.touch()  # now the first ingest finishes (or fails), last
            done_key = "arq:result:" + ingest_job_id(asset.document_id, first)

            async def first_done() -> bool:
                return bool(await redis.exists(done_key))

            await eventually(first_done, timeout=120, what="the first ingest to end",
                             stack=stack, interval=0.1)
            final = await eventually(lambda: fully_ingested(strapi, asset.document_id),
                                     timeout=300, what="the second file's video",
                                     stack=stack)
    finally:
        await redis.aclose()
    assert final.original_url == second and final.error_message is None
    keys = sorted(d.storage_key or "" for d in final.derivatives or [])
    assert keys and all("_v002." in k for k in keys), keys
    listed = stack.s3.client().list_objects_v2(Bucket=stack.s3.bucket)
    stale = [o["Key"] for o in listed.get("Contents", [])
             if session.project_id in o["Key"] and "_v001." in o["Key"]
             and "/originals/" not in o["Key"]]
    assert not stale, stale  # the first ingest's files were removed, not recorded
