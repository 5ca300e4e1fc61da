"""Create, read, update and delete each content type against the real Strapi."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from strapi_client import (
    AssetState,
    CameraLabel,
    DerivedKind,
    DerivedMediaInput,
    MediaAssetInput,
    OperatorStatus,
    RecordingSession,
    RecordingSessionInput,
    SessionState,
    StrapiClient,
    StrapiNotFound,
    SyncMethod,
    SyncResultInput,
)
from tests.support.strapi_server import StrapiServer

pytestmark = pytest.mark.strapi

# Presigned R2/S3 URLs run to several hundred characters: URL fields must be `text`.
LONG_URL = "https://bucket.r2.example.com/projects/p/20260314/originals/angle-001_v001.mov?" + (
    "X-Amz-Signature=" + "a" * 700
)


async def test_recording_session_crud(strapi: StrapiClient) -> None:
    created = await strapi.sessions.create(
        RecordingSessionInput(
            title="Podcast ep. 12",
            date=dt.date(2026, 3, 14),
            project_id="proj-crud",
            location="Studio 2",
            notes="three cameras",
        )
    )
    assert created.id > 0 and len(created.document_id) > 10
    assert created.state is SessionState.DRAFT
    assert created.created_at is not None and created.updated_at is not None

    fetched = await strapi.sessions.get(created.document_id)
    assert fetched.title == "Podcast ep. 12"
    assert fetched.date == dt.date(2026, 3, 14)
    assert fetched.location == "Studio 2"

    updated = await strapi.sessions.update(
        created.document_id,
        RecordingSessionInput(state=SessionState.NEEDS_REVIEW, progress_pct=100),
    )
    assert updated.state is SessionState.NEEDS_REVIEW
    assert updated.progress_pct == 100
    assert updated.title == "Podcast ep. 12", "a partial update keeps the other fields"

    cleared = await strapi.sessions.update(created.document_id, RecordingSessionInput(notes=None))
    assert cleared.notes is None and cleared.location == "Studio 2"

    await strapi.sessions.delete(created.document_id)
    with pytest.raises(StrapiNotFound):
        await strapi.sessions.get(created.document_id)


async def test_media_asset_crud(strapi: StrapiClient, session_entry: RecordingSession) -> None:
    created = await strapi.assets.create(
        MediaAssetInput(
            session=session_entry.document_id,
            camera_label=CameraLabel.B,
            original_filename="cam-b.mov",
            original_url=LONG_URL,
            duration_ms=3_600_000,
            fps=29.97,
            resolution="1920x1080",
            codec="h264",
            audio_codec="aac",
            sample_rate=48_000,
            audio_channels=2,
            is_vfr=True,
        )
    )
    assert created.state is AssetState.UPLOADING
    assert created.natural_key == f"{session_entry.document_id}:B"

    fetched = await strapi.assets.get(created.document_id)
    assert fetched.original_url == LONG_URL
    assert fetched.fps == pytest.approx(29.97)
    assert fetched.duration_ms == 3_600_000
    assert (fetched.sample_rate, fetched.audio_channels, fetched.is_vfr) == (48_000, 2, True)

    failed = await strapi.update_asset(
        created.document_id,
        MediaAssetInput(state=AssetState.FAILED, error_message="no audio stream"),
    )
    assert failed.state is AssetState.FAILED and failed.error_message == "no audio stream"

    await strapi.assets.delete(created.document_id)
    with pytest.raises(StrapiNotFound):
        await strapi.assets.get(created.document_id)


async def test_derived_media_crud_and_biginteger_round_trip(
    strapi: StrapiClient, strapi_server: StrapiServer, session_entry: RecordingSession
) -> None:
    asset = await strapi.upsert_asset(session_entry.document_id, CameraLabel.A)
    huge = 2**62 + 12345  # beyond 2**53: a JavaScript number would round it
    created = await strapi.derived_media.create(
        DerivedMediaInput(
            asset=asset.document_id,
            kind=DerivedKind.PROXY,
            url=LONG_URL,
            size_bytes=huge,
            checksum="sha256:" + "0" * 64,
            storage_key="projects/p/20260314/proxies/angle-001_v001.mp4",
            content_type="video/mp4",
        )
    )
    assert created.size_bytes == huge
    fetched = await strapi.derived_media.get(created.document_id)
    assert fetched.size_bytes == huge and fetched.url == LONG_URL

    # On the wire Strapi sends biginteger as a string, exact.
    async with httpx.AsyncClient(base_url=strapi_server.base_url) as http:
        raw = await http.get(
            f"/api/derived-medias/{created.document_id}",
            headers={"Authorization": f"Bearer {strapi_server.api_token}"},
        )
    assert raw.json()["data"]["sizeBytes"] == str(huge)

    smaller = await strapi.derived_media.update(
        created.document_id, DerivedMediaInput(size_bytes=7)
    )
    assert smaller.size_bytes == 7

    await strapi.derived_media.delete(created.document_id)
    with pytest.raises(StrapiNotFound):
        await strapi.derived_media.get(created.document_id)


async def test_sync_result_crud(strapi: StrapiClient, session_entry: RecordingSession) -> None:
    computed = dt.datetime(2026, 3, 14, 12, 30, tzinfo=dt.UTC)
    created = await strapi.sync_results.create(
        SyncResultInput(
            session=session_entry.document_id,
            master_camera=CameraLabel.A,
            offsets_ms={"A": 0.0, "B": -1234.5, "C": 87.25},
            confidence={"B": 14.2, "C": 3.1},
            confidence_pct={"B": 98.0, "C": 41.0},
            classification={"B": "looks-good", "C": "needs-manual-nudge"},
            drift_ppm={"B": 1.5, "C": -0.2},
            method=SyncMethod.XCORR,
            debug_artifacts={"plot": LONG_URL, "pairs": [["A", "B"], ["A", "C"]]},
            computed_at=computed,
        )
    )
    assert created.operator_status is OperatorStatus.PENDING
    assert created.offsets_ms == {"A": 0.0, "B": -1234.5, "C": 87.25}
    assert created.classification == {"B": "looks-good", "C": "needs-manual-nudge"}
    assert created.debug_artifacts == {"plot": LONG_URL, "pairs": [["A", "B"], ["A", "C"]]}
    assert created.computed_at == computed
    assert created.natural_key == session_entry.document_id

    approved_at = dt.datetime(2026, 3, 15, 9, 0, tzinfo=dt.UTC)
    approved = await strapi.sync_results.update(
        created.document_id,
        SyncResultInput(
            operator_status=OperatorStatus.CORRECTED,
            operator_offsets_ms={"C": 120.0},
            approved_at=approved_at,
            approved_by="editor@studio.example",
            review_notes="C nudged by hand",
        ),
    )
    assert approved.operator_status is OperatorStatus.CORRECTED
    assert approved.operator_offsets_ms == {"C": 120.0}
    assert approved.approved_at == approved_at and approved.approved_by == "editor@studio.example"
    assert approved.offsets_ms == created.offsets_ms

    await strapi.sync_results.delete(created.document_id)
    with pytest.raises(StrapiNotFound):
        await strapi.sync_results.get(created.document_id)


async def test_messages_quoting_control_bytes_are_stored_escaped(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    # A corrupt file's box type, quoted in the reason: PostgreSQL text refuses NUL.
    asset = await strapi.upsert_asset(
        session_entry.document_id,
        "C",
        MediaAssetInput(
            original_filename="cut.mp4", error_message="its '\u00d3\x12\x00\x08' box declares"
        ),
    )
    stored = await strapi.assets.get(asset.document_id)
    assert stored.error_message == "its '\u00d3\\x12\\x00\\x08' box declares"
