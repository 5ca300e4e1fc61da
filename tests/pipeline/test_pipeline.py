"""End to end: Strapi entries -> webhooks -> arq jobs -> storage -> sync result in Strapi."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, SessionState
from strapi_client.models import MediaAssetInput, RecordingSession, RecordingSessionInput
from tests.corpus import cases as corpus
from tests.pipeline.conftest import (
    Stack,
    eventually,
    fully_ingested,
    session_case,
    upload_original,
)
from tests.support.flash_clap import make_flash_clap_clip
from tests.support.stack import post_webhook
from worker.ingest.probe import probe

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(900)]
DAY = dt.date(2026, 11, 20)


async def _new_session(strapi: StrapiClient, project: str, title: str) -> RecordingSession:
    return await strapi.sessions.create(
        RecordingSessionInput(title=title, date=DAY, project_id=project, state=SessionState.DRAFT)
    )


async def _add_camera(
    stack: Stack,
    strapi: StrapiClient,
    session: RecordingSession,
    label: str,
    path: Path,
    *,
    state: AssetState = AssetState.INGESTING,
) -> str:
    url = await upload_original(stack, session.project_id, DAY, label, path)
    asset = await strapi.upsert_asset(
        session.document_id,
        label,
        MediaAssetInput(original_filename=path.name, original_url=url, state=state),
    )
    return asset.document_id


async def _settled(strapi: StrapiClient, session_id: str, cameras: int) -> RecordingSession | None:
    """The session once synced with all ``cameras``: a result computed before the last
    camera was added (or ingested) is not the one to check."""
    s = await strapi.get_session(session_id)
    if s.state not in (SessionState.NEEDS_REVIEW, SessionState.READY) or s.sync_result is None:
        return None
    assets = s.assets or []
    r = s.sync_result
    covered = set(r.offsets_ms or {}) | set(r.classification or {})
    if len(assets) < cameras or not {a.camera_label.value for a in assets} <= covered:
        return None
    return s


async def _run_session(
    stack: Stack, strapi: StrapiClient, spec: corpus.CaseSpec, media_dir: Path, project: str
) -> tuple[RecordingSession, corpus.BuiltCase]:
    built = corpus.build_case(spec, media_dir)
    session = await _new_session(strapi, project, spec.name)
    for cam in spec.cameras:
        await _add_camera(stack, strapi, session, cam.label, built.paths[cam.label])
    done = await eventually(
        lambda: _settled(strapi, session.document_id, len(spec.cameras)),
        timeout=600,
        what=f"session {spec.name} to settle",
        stack=stack,
        interval=2,
    )
    return done, built


async def test_golden_path(stack: Stack, strapi: StrapiClient, media_dir: Path) -> None:
    spec = session_case("pipeline-golden", 501)
    project = f"gold-{secrets.token_hex(3)}"
    session, built = await _run_session(stack, strapi, spec, media_dir, project)
    assert session.state is SessionState.NEEDS_REVIEW, session.progress_message
    assert {a.camera_label.value for a in session.assets or []} == {"A", "B", "C"}
    assets = {}
    for a in session.assets or []:
        # The sync needs only the audio; the video derivatives follow.
        assets[a.camera_label.value] = await eventually(
            lambda doc=a.document_id: fully_ingested(strapi, doc),
            timeout=300,
            what=f"camera {a.camera_label.value}'s video derivatives",
            stack=stack,
        )
    s3 = stack.s3.client()
    for label, asset in assets.items():
        assert asset.state is AssetState.READY, asset.error_message
        assert asset.video_progress_pct == 100 and not asset.error_message
        assert asset.duration_ms and asset.fps and asset.resolution and asset.codec == "h264"
        assert asset.audio_codec == "aac" and asset.sample_rate and asset.audio_channels
        kinds = {d.kind.value: d for d in asset.derivatives or []}
        assert {"audio-wav", "proxy", "waveform", "thumbnail"} <= set(kinds), label
        for d in kinds.values():
            # Every derived object exists with the recorded size and checksum.
            assert d.storage_key and d.url.endswith(d.storage_key)
            body = s3.get_object(Bucket=stack.s3.bucket, Key=d.storage_key)["Body"].read()
            assert len(body) == d.size_bytes
            assert d.checksum == "sha256:" + hashlib.sha256(body).hexdigest()
    result = session.sync_result
    assert result is not None and result.offsets_ms is not None
    truth = corpus.truth_relative_to(built, str(result.master_camera))
    for label in ("A", "B", "C"):
        assert result.offsets_ms[label] == pytest.approx(truth.offsets_ms[label], abs=5.0)
        if label != result.master_camera:
            assert (result.classification or {})[label] == "looks-good"
    assert result.operator_status.value == "pending" and result.computed_at is not None
    # Debug artifacts were uploaded and are linked from the result.
    assert result.debug_artifacts is not None and result.debug_artifacts.artifacts is not None
    urls = result.debug_artifacts.artifacts
    for url in urls.values():
        key = url.split(f"{stack.s3.bucket}/", 1)[1]
        json.loads(s3.get_object(Bucket=stack.s3.bucket, Key=key)["Body"].read())
    # One sync result for the session, and re-running changes nothing.
    results = await strapi.sync_results.find(
        filters={"session": {"documentId": {"$eq": session.document_id}}}
    )
    assert len(results.items) == 1


async def test_unrelated_camera_needs_a_nudge(
    stack: Stack, strapi: StrapiClient, media_dir: Path
) -> None:
    spec = session_case("pipeline-unrelated", 502, unrelated_c=True)
    project = f"lowc-{secrets.token_hex(3)}"
    session, _ = await _run_session(stack, strapi, spec, media_dir, project)
    assert session.state is SessionState.NEEDS_REVIEW
    result = session.sync_result
    assert result is not None
    assert (result.classification or {})["C"] == "needs-manual-nudge"
    assert (result.classification or {}).get("B") == "looks-good" or result.master_camera == "B"


async def test_camera_without_audio_fails_clearly(
    stack: Stack, strapi: StrapiClient, media_dir: Path
) -> None:
    spec = session_case("pipeline-noaudio", 503, c_source="none")
    project = f"noau-{secrets.token_hex(3)}"
    session, _ = await _run_session(stack, strapi, spec, media_dir, project)
    assets = {a.camera_label.value: a for a in session.assets or []}
    assert assets["C"].state is AssetState.FAILED
    assert "audio" in (assets["C"].error_message or "").lower()
    assert not assets["C"].derivatives  # nothing half-written stays behind
    result = session.sync_result
    assert result is not None and (result.classification or {})["C"] == "needs-manual-nudge"
    assert result.debug_artifacts is not None and result.debug_artifacts.errors is not None
    assert "C" in result.debug_artifacts.errors
    assert "camera C failed" in (session.progress_message or "")


async def test_corrupt_original_fails_without_leftovers(
    stack: Stack, strapi: StrapiClient, tmp_path: Path
) -> None:
    bad = tmp_path / "camA.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + secrets.token_bytes(50_000))
    session = await _new_session(strapi, f"bad-{secrets.token_hex(3)}", "corrupt")
    asset_id = await _add_camera(stack, strapi, session, "A", bad)

    async def failed() -> Any:
        a = await strapi.assets.get(asset_id, populate={"derivatives": True})
        return a if a.state is AssetState.FAILED else None

    asset = await eventually(failed, timeout=120, what="corrupt asset to fail", stack=stack)
    assert asset.error_message and len(asset.error_message) > 10
    assert not asset.derivatives
    prefix = f"projects/{session.project_id}/"
    listed = stack.s3.client().list_objects_v2(Bucket=stack.s3.bucket, Prefix=prefix)
    keys = [o["Key"] for o in listed.get("Contents", [])]
    assert all("/originals/" in k for k in keys), keys  # no orphan derived objects


async def test_ingest_records_where_picture_and_sound_start(
    stack: Stack, strapi: StrapiClient, tmp_path: Path
) -> None:
    clip = make_flash_clap_clip(tmp_path / "camA.mp4", video_delay_ms=200)
    session = await _new_session(strapi, f"start-{secrets.token_hex(3)}", "start times")
    asset_id = await _add_camera(stack, strapi, session, "A", clip.path)

    asset = await eventually(
        lambda: fully_ingested(strapi, asset_id),
        timeout=300,
        what="the flash-clap asset ready",
        stack=stack,
    )
    assert asset.audio_start_ms is not None and asset.video_start_ms is not None
    assert asset.video_start_ms - asset.audio_start_ms == pytest.approx(200.0, abs=1.0)
    assert asset.fps == pytest.approx(30.0)
    # The stored proxy starts with its first frame (the sync view's proxyOriginMs).
    proxy = next(d for d in asset.derivatives or [] if d.kind.value == "proxy")
    local = tmp_path / "proxy.mp4"
    local.write_bytes(
        stack.s3.client().get_object(Bucket=stack.s3.bucket, Key=proxy.storage_key)["Body"].read()
    )
    assert probe(local, strict=False).video_start_ms == 0.0


def test_webhook_rejects_wrong_secret_and_malformed_bodies(stack: Stack) -> None:
    event = {
        "event": "entry.update",
        "model": "media-asset",
        "uid": "api::media-asset.media-asset",
        "createdAt": "2026-11-20T10:00:00.000Z",
        "entry": {"id": 1, "documentId": "x", "cameraLabel": "A", "state": "ready"},
    }
    assert post_webhook(stack, event, None).status_code == 401
    assert post_webhook(stack, event, "wrong").status_code == 401
    r = post_webhook(stack, b"{not json", stack.secret)
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_payload"
    r = post_webhook(stack, {"event": "entry.update"}, stack.secret)
    assert r.status_code == 400 and r.json()["error"]["details"]
    r = post_webhook(
        stack, {**event, "entry": {**event["entry"], "cameraLabel": "Z"}}, stack.secret
    )
    assert r.status_code == 400
    ok = post_webhook(stack, event, stack.secret)
    assert ok.status_code == 202 and ok.json()["reason"]


def test_readyz_reports_redis_and_strapi(stack: Stack) -> None:
    r = httpx.get(stack.procs.service_url + "/readyz", timeout=10)
    assert r.status_code == 200 and r.json()["checks"] == {"redis": "ok", "strapi": "ok"}


async def test_vfr_camera_gets_a_mezzanine_and_syncs(
    stack: Stack, strapi: StrapiClient, media_dir: Path, tmp_path: Path
) -> None:
    from tests.pipeline.conftest import make_vfr_copy

    spec = session_case("pipeline-golden", 501)
    built = corpus.build_case(spec, media_dir)
    vfr = make_vfr_copy(built.paths["B"], tmp_path / "phoneB.mp4")
    session = await _new_session(strapi, f"vfr-{secrets.token_hex(3)}", "vfr")
    await _add_camera(stack, strapi, session, "A", built.paths["A"])
    asset_b = await _add_camera(stack, strapi, session, "B", vfr)
    done = await eventually(
        lambda: _settled(strapi, session.document_id, 2),
        timeout=600,
        what="VFR session to settle",
        stack=stack,
        interval=2,
    )
    b = await eventually(
        lambda: fully_ingested(strapi, asset_b),
        timeout=300,
        what="the VFR camera's mezzanine",
        stack=stack,
    )
    assert b.is_vfr is True
    assert "mezzanine" in {d.kind.value for d in b.derivatives or []}
    result = done.sync_result
    assert result is not None and result.offsets_ms is not None
    truth = corpus.truth_relative_to(built, str(result.master_camera))
    other = "B" if result.master_camera == "A" else "A"
    assert result.offsets_ms[other] == pytest.approx(truth.offsets_ms[other], abs=5.0)
