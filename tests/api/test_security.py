"""#22 through a real `multicam serve` (local backend, signed media links): no link to
another object (item 2), nosniff and bounded Range digits on /v2/media (items 7 and 8),
and a one-line mediaRoot (item 5)."""

from __future__ import annotations

import httpx
import pytest

from strapi_client.client import StrapiClient
from strapi_client.models import DerivedMediaInput, RecordingSession
from tests.api.conftest import DAY, TOKEN, ApiStack, reviewable_session
from tests.api.test_media import DATA, local_service
from tests.support.services import MulticamProcesses
from worker.storage.keys import ObjectKind, object_key
from worker.storage.local import LocalObjectStore

__all__ = ["local_service"]  # the fixture, shared with test_media.py
AUTH = {"Authorization": f"Bearer {TOKEN}"}


async def _link_kinds(
    procs: MulticamProcesses,
    strapi: StrapiClient,
    store: LocalObjectStore,
    session: RecordingSession,
    keys: dict[str, str],
) -> dict[str, dict[str, dict[str, str]]]:
    """Point camera B's derived entries (kind -> key) at ``keys``; the /v2 links then."""
    full = await strapi.get_session(session.document_id, populate={"assets": True})
    asset = next(a for a in full.assets or [] if a.camera_label.value == "B")
    for kind, key in keys.items():
        stored = await store.put_bytes(key, DATA, "video/mp4")
        await strapi.upsert_derived_media(
            asset.document_id,
            kind,
            DerivedMediaInput(url=stored.url, storage_key=key, content_type="video/mp4"),
        )
    async with httpx.AsyncClient(base_url=procs.service_url, timeout=30) as api:
        r = await api.get(f"/v2/sessions/{session.document_id}/sync", headers=AUTH)
    assert r.status_code == 200, r.text
    return {c["label"]: c["links"] for c in r.json()["cameras"]}


async def test_v2_signs_no_link_to_another_cameras_or_an_original_key(
    local_service: tuple[MulticamProcesses, LocalObjectStore],
    api_stack: ApiStack,
    strapi: StrapiClient,
) -> None:
    procs, store = local_service
    session, _ = await reviewable_session(strapi)
    project = session.project_id
    keys = {
        "proxy": object_key(project, DAY, ObjectKind.ORIGINAL, "B", ext="mov"),
        "waveform": object_key(project, DAY, ObjectKind.WAVEFORM, "A"),
        "thumbnail": object_key("someone-else", DAY, ObjectKind.THUMBNAIL, "B"),
    }
    links = await _link_kinds(procs, strapi, store, session, keys)
    assert not set(links.get("B", {})) & set(keys), links.get("B")


async def test_media_answers_nosniff_and_survives_thousands_of_range_digits(
    local_service: tuple[MulticamProcesses, LocalObjectStore],
    api_stack: ApiStack,
    strapi: StrapiClient,
) -> None:
    procs, store = local_service
    session, _ = await reviewable_session(strapi)
    project = session.project_id
    key = object_key(project, DAY, ObjectKind.PROXY, "B")
    links = await _link_kinds(procs, strapi, store, session, {"proxy": key})
    url = links["B"]["proxy"]["url"]
    async with httpx.AsyncClient(timeout=30) as api:
        whole = await api.get(url)
        assert whole.status_code == 200
        assert whole.headers["x-content-type-options"] == "nosniff"
        for header in ("bytes=" + "9" * 5000 + "-", "bytes=0-" + "9" * 5000):
            r = await api.get(url, headers={"Range": header})
            assert r.status_code == 200 and r.content == DATA, (header[:20], r.status_code)


@pytest.mark.parametrize("root", ["/Volumes/Shoot\n002  AX V C", "/x\r", "/x\x00"])
async def test_a_media_root_of_more_than_one_line_is_refused(
    api: httpx.AsyncClient, strapi: StrapiClient, root: str
) -> None:
    session, _ = await reviewable_session(strapi)
    r = await api.get(
        f"/v2/sessions/{session.document_id}/timeline",
        params={"format": "edl", "draft": "true", "mediaRoot": root},
    )
    assert r.status_code == 422, r.text
