"""Audio first: the sync result never waits for a video encode, and survives one crashing."""

from __future__ import annotations

import datetime as dt
import io
import secrets
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
import redis.asyncio as aioredis

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, DerivedKind, SessionState, VideoState
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
from tests.support.stack import API_TOKEN

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(900)]
DAY = dt.date(2026, 11, 21)
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}


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
            kinds = {d.kind.value for d in full.derivatives or []}
            assert kinds <= {"audio-wav", "waveform", "review-clips"}, kinds
            assert "audio ready" in (full.progress_message or "")
        await _review_clips_before_proxies(stack, session.document_id, result.offsets_ms)
        await _lost_clips_are_cut_again(strapi, stack, ids["B"])

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
    # The review clips stay beside the proxy (the view lists both).
    view = httpx.get(f"{stack.url}/v2/sessions/{session.document_id}/sync", headers=AUTH).json()
    for cam in view["cameras"]:
        assert cam["links"]["proxy"] and cam["reviewClips"], cam["label"]


async def _lost_clips_are_cut_again(strapi: StrapiClient, stack: Stack, asset_id: str) -> None:
    """A camera left without review clips (their job lost with Redis, say) while its
    proxy is to come gets them again from reconcile: no webhook asks for them."""

    def clips_entry(asset: Any) -> Any:
        kind = DerivedKind.REVIEW_CLIPS
        return next((d for d in asset.derivatives or [] if d.kind is kind), None)

    before = clips_entry(await strapi.assets.get(asset_id, populate={"derivatives": True}))
    assert before is not None
    await strapi.derived_media.delete(before.document_id)

    async def cut_again() -> Any:
        fresh = await strapi.assets.get(asset_id, populate={"derivatives": True})
        entry = clips_entry(fresh)
        return entry if entry is not None and entry.document_id != before.document_id else None

    again = await eventually(cut_again, timeout=120, what="camera B's clips again", stack=stack)
    assert again.clips is not None and again.clips.clips
    assert again.clips.sync_computed_at == before.clips.sync_computed_at
    assert (await strapi.assets.get(asset_id)).video_state is VideoState.PENDING


async def _review_clips_before_proxies(
    stack: Stack, session_id: str, offsets_ms: dict[str, float]
) -> None:
    """Within the main queue alone: every camera's review clips, cut by the sync's offsets."""

    def view() -> dict[str, Any]:
        response = httpx.get(f"{stack.url}/v2/sessions/{session_id}/sync", headers=AUTH)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    async def clipped() -> dict[str, Any] | None:
        body = view()
        return body if all(c["reviewClips"] for c in body["cameras"]) else None

    body = await eventually(clipped, timeout=120, what="every camera's review clips", stack=stack)
    for cam in body["cameras"]:
        assert "proxy" not in cam["links"] and cam["videoState"] == "pending"
        clips = cam["reviewClips"]
        assert [c["startMs"] for c in clips] == sorted(c["startMs"] for c in clips)
        duration_ms = cam["durationMs"]
        offset = offsets_ms[cam["label"]]
        for clip in clips:
            # On the master's timeline, inside the camera's own recording.
            assert offset - 1 <= clip["startMs"] < clip["endMs"] <= offset + duration_ms + 1
            assert clip["reasons"]
        # At most five 4-second moments (two events, start, middle, end), some joined.
        assert sum(c["endMs"] - c["startMs"] for c in clips) <= 5 * 4_000 + 100
        # The clip's picture is where its times say: decode it and count its frames.
        first = clips[0]
        data = httpx.get(first["url"]).raise_for_status().content
        with av.open(io.BytesIO(data)) as container:
            frames = [f.time for f in container.decode(video=0)]
            assert not container.streams.audio
        span_s = (first["proxyEndMs"] - first["proxyStartMs"]) / 1000
        assert frames[0] == 0.0
        assert len(frames) == pytest.approx(span_s * cam["fps"], abs=1.5)
