"""Only the worker's API token writes worker-owned fields (#22 items 1 and 2).

The guard decides by how the request was authenticated, so no spelling of the
Content Manager's URL (Strapi's router matches paths case-insensitively) lets an
admin user write an approval, an asset's stored URL or a derived file's key.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from strapi_client import RecordingSession, StrapiClient
from strapi_client.enums import CameraLabel, DerivedKind
from strapi_client.models import DerivedMediaInput, MediaAssetInput, SyncResultInput
from tests.support.strapi_server import StrapiServer

SYNC = "api::sync-result.sync-result"
ASSET = "api::media-asset.media-asset"
DERIVED = "api::derived-media.derived-media"
PREFIXES = ["/content-manager", "/CONTENT-MANAGER", "/Content-Manager"]


@dataclass(frozen=True)
class Admin:
    http: httpx.Client

    def put(
        self, prefix: str, uid: str, document_id: str, data: dict[str, object]
    ) -> httpx.Response:
        return self.http.put(f"{prefix}/collection-types/{uid}/{document_id}", json=data)


def _login(base_url: str, email: str, password: str) -> str:
    r = httpx.post(
        f"{base_url}/admin/login", json={"email": email, "password": password}, timeout=30
    )
    r.raise_for_status()
    token: str = r.json()["data"]["token"]
    return token


@pytest.fixture(scope="module")
def editor(strapi_server: StrapiServer) -> Iterator[Admin]:
    """A new admin user with Strapi's Editor role (Content Manager rights on every type)."""
    base = strapi_server.base_url
    root = _login(base, strapi_server.admin_email, strapi_server.admin_password)
    auth = {"Authorization": f"Bearer {root}"}
    roles = httpx.get(f"{base}/admin/roles", headers=auth, timeout=30).json()["data"]
    role = next(r["id"] for r in roles if r["code"] == "strapi-editor")
    email = f"editor-{secrets.token_hex(3)}@multicam.test"
    created = httpx.post(
        f"{base}/admin/users",
        headers=auth,
        json={"email": email, "firstname": "Eddie", "lastname": "Editor", "roles": [role]},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    password = "Ed1tor-" + secrets.token_hex(6)
    registered = httpx.post(
        f"{base}/admin/register",
        json={
            "registrationToken": created.json()["data"]["registrationToken"],
            "userInfo": {"firstname": "Eddie", "lastname": "Editor", "password": password},
        },
        timeout=30,
    )
    assert registered.status_code == 200, registered.text
    jwt = _login(base, email, password)
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {jwt}"}, timeout=30
    ) as http:
        yield Admin(http)


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_no_spelling_of_the_content_manager_lets_an_editor_approve(
    strapi: StrapiClient, session_entry: RecordingSession, editor: Admin, prefix: str
) -> None:
    sid = session_entry.document_id
    result = await strapi.upsert_sync_result(sid, SyncResultInput(offsets_ms={"A": 0, "B": 12.5}))
    r = editor.put(
        prefix, SYNC, result.document_id, {"operatorStatus": "approved", "approvedBy": "anyone"}
    )
    assert r.status_code == 403, (prefix, r.status_code, r.text)
    after = await strapi.sync_results.get(result.document_id)
    assert (after.operator_status, after.approved_by) == (
        result.operator_status,
        result.approved_by,
    )
    # Fields that are the operator's stay theirs.
    r = editor.put(prefix, SYNC, result.document_id, {"reviewNotes": "checked the clap"})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("prefix", PREFIXES)
async def test_an_editor_cannot_point_an_asset_or_derived_file_at_other_objects(
    strapi: StrapiClient, session_entry: RecordingSession, editor: Admin, prefix: str
) -> None:
    sid = session_entry.document_id
    asset = await strapi.upsert_asset(
        sid, CameraLabel.A, MediaAssetInput(original_url="s3://bucket/projects/p/orig.mov")
    )
    derived = await strapi.upsert_derived_media(
        asset.document_id,
        DerivedKind.PROXY,
        DerivedMediaInput(
            url="s3://bucket/projects/p/20260314/proxies/angle-001_v001.mp4",
            storage_key="projects/p/20260314/proxies/angle-001_v001.mp4",
        ),
    )
    for uid, document_id, data in [
        (ASSET, asset.document_id, {"originalUrl": "s3://bucket/projects/other/secret.mov"}),
        (ASSET, asset.document_id, {"state": "uploaded"}),
        (DERIVED, derived.document_id, {"storageKey": "projects/other/originals/x.mov"}),
        (DERIVED, derived.document_id, {"url": "https://elsewhere.example/x"}),
    ]:
        r = editor.put(prefix, uid, document_id, data)
        assert r.status_code == 403, (prefix, uid, data, r.status_code, r.text)
    assert (await strapi.assets.get(asset.document_id)).original_url == asset.original_url
    assert (await strapi.derived_media.get(derived.document_id)).storage_key == derived.storage_key
    for uid in (ASSET, DERIVED, SYNC):
        r = editor.http.post(f"{prefix}/collection-types/{uid}", json={})
        assert r.status_code == 403, (prefix, uid, r.status_code, r.text)
    # The operator's own field of an asset stays editable; the worker's token writes all.
    r = editor.put(prefix, ASSET, asset.document_id, {"originalFilename": "camA-take2.mov"})
    assert r.status_code == 200, r.text
    moved = await strapi.update_asset(
        asset.document_id, MediaAssetInput(original_url="s3://bucket/projects/p/orig2.mov")
    )
    assert moved.original_url == "s3://bucket/projects/p/orig2.mov"
