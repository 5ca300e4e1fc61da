"""Filters, numbered pages and the keyset iterator."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest

from strapi_client import (
    AssetState,
    CameraLabel,
    MediaAssetInput,
    RecordingSession,
    RecordingSessionInput,
    SessionState,
    StrapiClient,
    eq,
)

pytestmark = pytest.mark.strapi


async def _sessions(
    strapi: StrapiClient, project: str, states: list[SessionState]
) -> list[RecordingSession]:
    return [
        await strapi.sessions.create(
            RecordingSessionInput(
                title=f"s{i}", date=dt.date(2026, 1, 1), project_id=project, state=state
            )
        )
        for i, state in enumerate(states)
    ]


async def test_filter_by_state_and_paginate(strapi: StrapiClient) -> None:
    project = f"proj-{secrets.token_hex(4)}"
    ingesting, ready = SessionState.INGESTING, SessionState.READY
    made = await _sessions(strapi, project, [ingesting, ready, ingesting, ingesting, ready] * 2)
    mine = {"projectId": eq(project)}

    found = [s async for s in strapi.iter_sessions(state=ingesting, filters=mine, page_size=2)]
    expected = [s.document_id for s in made if s.state is ingesting]
    assert [s.document_id for s in found] == expected, "all of them, oldest first"
    assert all(s.state is ingesting for s in found)

    both = [s async for s in strapi.iter_sessions(state=[ingesting, ready], filters=mine)]
    assert len(both) == 10

    page = await strapi.sessions.find(filters=mine, sort="id:asc", page=2, page_size=4)
    assert page.pagination.total == 10
    assert page.pagination.page_count == 3
    assert page.pagination.page == 2
    assert [s.document_id for s in page.items] == [s.document_id for s in made[4:8]]

    assert await strapi.sessions.count(filters=mine) == 10
    assert await strapi.sessions.count(filters={"projectId": eq("no-such-project")}) == 0


async def test_iteration_survives_changing_the_filtered_field(strapi: StrapiClient) -> None:
    project = f"proj-{secrets.token_hex(4)}"
    sessions = await _sessions(strapi, project, [SessionState.INGESTING] * 2)
    created = []
    for session, cameras in zip(sessions, ("ABC", "AB"), strict=True):
        for camera in cameras:
            created.append(await strapi.upsert_asset(session.document_id, CameraLabel(camera)))
    mine = {"session": {"projectId": eq(project)}}

    seen = []
    # What the reconcile loop does: list "uploading" assets and move each on.
    async for asset in strapi.iter_assets(state=AssetState.UPLOADING, filters=mine, page_size=2):
        seen.append(asset.document_id)
        await strapi.update_asset(asset.document_id, MediaAssetInput(state=AssetState.INGESTING))
    assert sorted(seen) == sorted(a.document_id for a in created), "none skipped, none twice"

    remaining = [a async for a in strapi.iter_assets(state=AssetState.UPLOADING, filters=mine)]
    assert remaining == []


async def test_iter_assets_of_one_session(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    sid = session_entry.document_id
    for camera in (CameraLabel.A, CameraLabel.C):
        await strapi.upsert_asset(sid, camera)
    assets = [a async for a in strapi.iter_assets(session_id=sid, populate=["session"])]
    assert sorted(a.camera_label for a in assets) == [CameraLabel.A, CameraLabel.C]
    assert all(a.session is not None and a.session.document_id == sid for a in assets)
    assert await strapi.find_asset(sid, CameraLabel.B) is None
    found = await strapi.find_asset(sid, "C")
    assert found is not None and found.camera_label is CameraLabel.C
