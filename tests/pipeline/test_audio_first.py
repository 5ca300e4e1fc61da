"""Audio first: the sync result never waits for a video encode, and survives one crashing."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, SessionState, VideoState
from strapi_client.models import MediaAssetInput, RecordingSessionInput
from tests.corpus import cases as corpus
from tests.pipeline.conftest import (
    Stack,
    eventually,
    fully_ingested,
    replaced_worker,
    session_case,
    upload_original,
)

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(900)]
DAY = dt.date(2026, 11, 21)


async def test_sync_result_arrives_before_any_video_and_survives_a_video_crash(
    stack: Stack, strapi: StrapiClient, media_dir: Path
) -> None:
    spec = session_case("pipeline-golden", 501)
    built = corpus.build_case(spec, media_dir)
    session = await strapi.sessions.create(
        RecordingSessionInput(
            title="audio first",
            date=DAY,
            project_id=f"af-{secrets.token_hex(3)}",
            state=SessionState.DRAFT,
        )
    )
    ids: dict[str, str] = {}
    # A worker that never encodes video (--queues main) stands in for the stack's.
    with replaced_worker(stack, "worker-main-only", args=["--queues", "main"]):
        for label in ("A", "B"):
            url = await upload_original(stack, session.project_id, DAY, label, built.paths[label])
            asset = await strapi.upsert_asset(
                session.document_id,
                label,
                MediaAssetInput(
                    original_filename=f"cam{label}.mp4",
                    original_url=url,
                    state=AssetState.INGESTING,
                ),
            )
            ids[label] = asset.document_id

        async def running() -> Any:
            a = await strapi.assets.get(ids["A"])
            return a if a.progress_pct else None

        await eventually(
            running, timeout=120, what="camera A's ingest to start", stack=stack, interval=0.1
        )
        # The ingest itself moves the session out of draft (not the session's own job).
        assert (await strapi.get_session(session.document_id)).state is not SessionState.DRAFT

        async def synced() -> Any:
            s = await strapi.get_session(session.document_id)
            return s if s.state is SessionState.NEEDS_REVIEW else None

        # No worker encodes video here, so the result below cannot have waited for one.
        done = await eventually(synced, timeout=300, what="the sync result", stack=stack)
        result = done.sync_result
        assert result is not None and result.offsets_ms is not None
        truth = corpus.truth_relative_to(built, str(result.master_camera))
        other = "B" if result.master_camera == "A" else "A"
        assert result.offsets_ms[other] == pytest.approx(truth.offsets_ms[other], abs=5.0)
        for asset in done.assets or []:
            assert asset.state is AssetState.READY
            assert asset.video_state is VideoState.PENDING
            full = await strapi.assets.get(asset.document_id, populate={"derivatives": True})
            assert {d.kind.value for d in full.derivatives or []} == {"audio-wav", "waveform"}
            assert "audio ready" in (full.progress_message or "")

    # The normal worker is back: kill it in the middle of the first video encode.
    redis = aioredis.from_url(stack.redis.url)
    try:

        async def encoding() -> Any:
            return await redis.keys("arq:in-progress:video:*")

        await eventually(
            encoding, timeout=120, what="a video encode to start", stack=stack, interval=0.05
        )
        stack.procs.worker.kill()  # SIGKILL, as the OOM killer would
        stack.procs.worker.start()
    finally:
        await redis.aclose()
    for label, asset_id in ids.items():
        # Reconcile releases the killed encode once its asset has been silent for
        # MULTICAM_STALE_JOB_S, and it runs again.
        full = await eventually(
            lambda a=asset_id: fully_ingested(strapi, a),
            timeout=300,
            what=f"camera {label}'s video",
            stack=stack,
        )
        kinds = [d.kind.value for d in full.derivatives or []]
        assert sorted(kinds) == sorted(set(kinds))
        assert {"audio-wav", "waveform", "proxy", "thumbnail"} <= set(kinds)
    after = await strapi.get_session(session.document_id)
    assert after.state is SessionState.NEEDS_REVIEW
    assert after.sync_result is not None
    assert after.sync_result.computed_at == result.computed_at  # the sync was kept
    listed = stack.s3.client().list_objects_v2(
        Bucket=stack.s3.bucket, Prefix=f"projects/{session.project_id}/"
    )
    proxies = [o["Key"] for o in listed.get("Contents", []) if "/proxies/" in o["Key"]]
    assert len(proxies) == 2, proxies  # one per camera: redone, not duplicated
