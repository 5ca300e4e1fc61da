"""Idempotent upserts by natural key, including several at once for the same key."""

from __future__ import annotations

import asyncio

import pytest

from strapi_client import (
    AssetState,
    CameraLabel,
    DerivedKind,
    DerivedMediaInput,
    MediaAssetInput,
    OperatorStatus,
    RecordingSession,
    StrapiClient,
    SyncMethod,
    SyncResultInput,
    related,
)
from tests.support.strapi_server import StrapiServer

pytestmark = pytest.mark.strapi

CONCURRENCY = 8


async def test_upsert_asset_is_idempotent(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    sid = session_entry.document_id
    first = await strapi.upsert_asset(
        sid, CameraLabel.A, MediaAssetInput(original_filename="a.mov")
    )
    again = await strapi.upsert_asset(
        sid, CameraLabel.A, MediaAssetInput(original_filename="a.mov")
    )
    assert again.document_id == first.document_id
    assert again.updated_at == first.updated_at, "nothing changed, nothing written"

    ready = await strapi.upsert_asset(
        sid, CameraLabel.A, MediaAssetInput(state=AssetState.READY, duration_ms=61_000)
    )
    assert ready.document_id == first.document_id
    assert ready.state is AssetState.READY and ready.duration_ms == 61_000
    assert ready.original_filename == "a.mov"
    assert await strapi.assets.count(filters={"session": related(sid)}) == 1


async def test_concurrent_asset_upserts_make_one_entry(
    strapi: StrapiClient, strapi_server: StrapiServer, session_entry: RecordingSession
) -> None:
    sid = session_entry.document_id
    # Two clients, two connection pools: as two workers would race.
    async with StrapiClient(strapi_server.base_url, strapi_server.api_token) as other:
        results = await asyncio.gather(
            *(
                client.upsert_asset(sid, CameraLabel.B, MediaAssetInput(codec=f"h264-{i % 2}"))
                for i, client in enumerate([strapi, other] * (CONCURRENCY // 2))
            )
        )
    assert len({r.document_id for r in results}) == 1
    assert await strapi.assets.count(filters={"session": related(sid)}) == 1
    final = await strapi.find_asset(sid, CameraLabel.B)
    assert final is not None and final.codec in {"h264-0", "h264-1"}


async def test_takes_of_one_camera_are_entries_of_their_own(
    strapi: StrapiClient, strapi_server: StrapiServer, session_entry: RecordingSession
) -> None:
    sid = session_entry.document_id
    one = await strapi.upsert_asset(sid, CameraLabel.B, MediaAssetInput(original_filename="b1"))
    async with StrapiClient(strapi_server.base_url, strapi_server.api_token) as other:
        twos = await asyncio.gather(
            *(
                client.upsert_asset(
                    sid, CameraLabel.B, MediaAssetInput(original_filename="b2"), take=2
                )
                for client in [strapi, other] * (CONCURRENCY // 2)
            )
        )
    assert len({t.document_id for t in twos}) == 1  # concurrent upserts of a take: one entry
    two = twos[0]
    assert one.take == 1 and two.take == 2 and two.document_id != one.document_id
    assert one.natural_key == f"{sid}:B" and two.natural_key == f"{sid}:B:2"
    found = await strapi.find_asset(sid, CameraLabel.B)
    assert found is not None and found.document_id == one.document_id
    again = await strapi.find_asset(sid, CameraLabel.B, take=2)
    assert again is not None and again.document_id == two.document_id
    rec = await strapi.upsert_asset(sid, CameraLabel.REC, MediaAssetInput(original_filename="r"))
    assert rec.camera_label is CameraLabel.REC and rec.take == 1
    assert await strapi.assets.count(filters={"session": related(sid)}) == 3


async def test_concurrent_derived_media_upserts_make_one_entry(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    asset = await strapi.upsert_asset(session_entry.document_id, CameraLabel.C)
    results = await asyncio.gather(
        *(
            strapi.upsert_derived_media(
                asset.document_id,
                DerivedKind.WAVEFORM,
                DerivedMediaInput(url="https://cdn.example/w.json", size_bytes=1000 + i),
            )
            for i in range(CONCURRENCY)
        )
    )
    assert len({r.document_id for r in results}) == 1
    same_kind = {"asset": related(asset.document_id), "kind": {"$eq": "waveform"}}
    assert await strapi.derived_media.count(filters=same_kind) == 1

    other_kind = await strapi.upsert_derived_media(
        asset.document_id, DerivedKind.THUMBNAIL, DerivedMediaInput(url="https://cdn.example/t")
    )
    assert other_kind.document_id != results[0].document_id
    assert await strapi.derived_media.count(filters={"asset": related(asset.document_id)}) == 2


async def test_concurrent_sync_result_upserts_make_one_entry(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    sid = session_entry.document_id
    results = await asyncio.gather(
        *(
            strapi.upsert_sync_result(
                sid, SyncResultInput(method=SyncMethod.XCORR, offsets_ms={"A": 0.0, "B": 12.5})
            )
            for _ in range(CONCURRENCY)
        )
    )
    assert len({r.document_id for r in results}) == 1
    assert await strapi.sync_results.count(filters={"session": related(sid)}) == 1

    # Re-running sync updates the one result.
    rerun = await strapi.upsert_sync_result(
        sid, SyncResultInput(method=SyncMethod.HYBRID, offsets_ms={"A": 0.0, "B": 12.75})
    )
    assert rerun.document_id == results[0].document_id
    assert rerun.method is SyncMethod.HYBRID and rerun.offsets_ms == {"A": 0.0, "B": 12.75}
    assert rerun.operator_status is OperatorStatus.PENDING

    session = await strapi.get_session(sid)
    assert session.sync_result is not None
    assert session.sync_result.document_id == rerun.document_id
