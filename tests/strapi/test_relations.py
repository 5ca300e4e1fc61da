"""Relations, populate, connect/disconnect, and the server-maintained natural keys."""

from __future__ import annotations

import datetime as dt

import pytest

from strapi_client import (
    CameraLabel,
    DerivedKind,
    DerivedMediaInput,
    MediaAssetInput,
    RecordingSession,
    RecordingSessionInput,
    StrapiClient,
    StrapiValidationError,
    SyncResultInput,
)

pytestmark = pytest.mark.strapi


async def _another_session(strapi: StrapiClient) -> RecordingSession:
    return await strapi.sessions.create(
        RecordingSessionInput(title="Other", date=dt.date(2026, 3, 15), project_id="proj-rel")
    )


async def test_session_populates_assets_derivatives_and_sync_result(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    sid = session_entry.document_id
    cam_a = await strapi.upsert_asset(sid, CameraLabel.A)
    await strapi.upsert_asset(sid, CameraLabel.B)
    for kind in (DerivedKind.PROXY, DerivedKind.AUDIO_WAV):
        await strapi.upsert_derived_media(
            cam_a.document_id, kind, DerivedMediaInput(url=f"https://cdn.example/{kind}")
        )
    result = await strapi.upsert_sync_result(sid, SyncResultInput(offsets_ms={"A": 0, "B": 5}))

    full = await strapi.get_session(sid)
    assert full.assets is not None
    by_camera = {asset.camera_label: asset for asset in full.assets}
    assert set(by_camera) == {CameraLabel.A, CameraLabel.B}
    derivatives = by_camera[CameraLabel.A].derivatives
    assert derivatives is not None
    assert {d.kind for d in derivatives} == {DerivedKind.PROXY, DerivedKind.AUDIO_WAV}
    assert by_camera[CameraLabel.B].derivatives == []
    assert full.sync_result is not None
    assert full.sync_result.document_id == result.document_id

    bare = await strapi.sessions.get(sid, populate=None)
    assert bare.assets is None and bare.sync_result is None, "relations only with populate"

    asset = await strapi.assets.get(cam_a.document_id, populate=["session", "derivatives"])
    assert asset.session is not None and asset.session.document_id == sid
    assert asset.derivatives is not None and len(asset.derivatives) == 2


async def test_connect_disconnect_and_keys_follow_relations(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    sid = session_entry.document_id
    other = await _another_session(strapi)

    loose = await strapi.assets.create(MediaAssetInput(camera_label=CameraLabel.C))
    assert loose.natural_key is None, "no session yet, no key"

    linked = await strapi.assets.connect(loose.document_id, "session", sid)
    assert linked.natural_key == f"{sid}:C"

    # Moving it from the other side of the relation re-keys it too.
    await strapi.sessions.connect(other.document_id, "assets", loose.document_id)
    moved = await strapi.assets.get(loose.document_id, populate=["session"])
    assert moved.session is not None and moved.session.document_id == other.document_id
    assert moved.natural_key == f"{other.document_id}:C"

    await strapi.sessions.disconnect(other.document_id, "assets", loose.document_id)
    freed = await strapi.assets.get(loose.document_id, populate=["session"])
    assert freed.session is None and freed.natural_key is None

    relinked = await strapi.assets.set_relation(loose.document_id, "session", sid)
    assert relinked.natural_key == f"{sid}:C"


async def test_one_asset_per_session_and_camera(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    sid = session_entry.document_id
    await strapi.upsert_asset(sid, CameraLabel.A)
    with pytest.raises(StrapiValidationError) as caught:
        await strapi.assets.create(MediaAssetInput(session=sid, camera_label=CameraLabel.A))
    assert caught.value.path == ["naturalKey"]
    assert caught.value.has_field("naturalKey")


async def test_natural_key_is_not_writable(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    with pytest.raises(StrapiValidationError) as caught:
        await strapi.assets.create(
            {"cameraLabel": "B", "session": session_entry.document_id, "naturalKey": "forged"}
        )
    assert caught.value.path == ["naturalKey"]
