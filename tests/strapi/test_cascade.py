"""Deleting a parent deletes its children (Strapi alone would only unlink them)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from strapi_client import (
    CameraLabel,
    DerivedKind,
    DerivedMediaInput,
    RecordingSession,
    StrapiClient,
    StrapiNotFound,
    SyncResultInput,
)

pytestmark = pytest.mark.strapi


async def _gone(strapi: StrapiClient, get: Callable[[str], Awaitable[object]], doc: str) -> bool:
    try:
        await get(doc)
    except StrapiNotFound:
        return True
    return False


async def test_deleting_a_session_deletes_its_whole_tree(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    sid = session_entry.document_id
    assets = [await strapi.upsert_asset(sid, c) for c in (CameraLabel.A, CameraLabel.B)]
    derived = [
        await strapi.upsert_derived_media(
            a.document_id, kind, DerivedMediaInput(url=f"https://cdn.example/{a.id}/{kind}")
        )
        for a in assets
        for kind in (DerivedKind.PROXY, DerivedKind.WAVEFORM)
    ]
    result = await strapi.upsert_sync_result(sid, SyncResultInput(offsets_ms={"A": 0}))

    await strapi.sessions.delete(sid)

    assert await _gone(strapi, strapi.sessions.get, sid)
    for asset in assets:
        assert await _gone(strapi, strapi.assets.get, asset.document_id)
    for item in derived:
        assert await _gone(strapi, strapi.derived_media.get, item.document_id)
    assert await _gone(strapi, strapi.sync_results.get, result.document_id)


async def test_deleting_an_asset_deletes_its_derived_media_only(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    sid = session_entry.document_id
    doomed = await strapi.upsert_asset(sid, CameraLabel.A)
    kept = await strapi.upsert_asset(sid, CameraLabel.B)
    doomed_proxy = await strapi.upsert_derived_media(
        doomed.document_id, DerivedKind.PROXY, DerivedMediaInput(url="https://cdn.example/a")
    )
    kept_proxy = await strapi.upsert_derived_media(
        kept.document_id, DerivedKind.PROXY, DerivedMediaInput(url="https://cdn.example/b")
    )

    await strapi.assets.delete(doomed.document_id)

    assert await _gone(strapi, strapi.derived_media.get, doomed_proxy.document_id)
    session = await strapi.get_session(sid)
    assert session.assets is not None
    assert [a.document_id for a in session.assets] == [kept.document_id]
    still = await strapi.derived_media.get(kept_proxy.document_id)
    assert still.document_id == kept_proxy.document_id

    # The camera slot is free again: a new asset A can be created for the session.
    again = await strapi.upsert_asset(sid, CameraLabel.A)
    assert again.document_id != doomed.document_id
