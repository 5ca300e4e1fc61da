"""The worker's Strapi API token is scoped to the four multicam content types (#12 item 7).

It lives in the internet-facing ``multicam serve``: a leaked copy must not read or
change anything else (users-permissions users and roles, uploads, admin routes). The
bootstrap makes it a custom token whose permissions are exactly find, findOne, create,
update and delete on recording-session, media-asset, derived-media and sync-result,
and turns a full-access token left by an older bootstrap into that on the next start.
"""

from __future__ import annotations

import datetime as dt
import secrets

import httpx
import pytest

from strapi_client import StrapiClient
from strapi_client.enums import DerivedKind
from strapi_client.models import (
    DerivedMediaInput,
    MediaAssetInput,
    RecordingSessionInput,
    SyncResultInput,
)
from tests.support.strapi_server import (
    Postgres,
    fresh_database,
    install_node_deps,
    strapi_env,
    strapi_process,
)

pytestmark = pytest.mark.strapi

TYPES = ("recording-session", "media-asset", "derived-media", "sync-result")
ACTIONS = ("find", "findOne", "create", "update", "delete")
WANTED = sorted(f"api::{t}.{t}.{a}" for t in TYPES for a in ACTIONS)

# Content API routes of other plugins: a scoped token gets 403 (401 on admin routes).
FORBIDDEN = [
    ("GET", "/api/users"),
    ("GET", "/api/users/1"),
    ("GET", "/api/users-permissions/roles"),
    ("POST", "/api/users"),
    ("GET", "/api/upload/files"),
    ("GET", "/api/i18n/locales"),
]
ADMIN_ROUTES = [("GET", "/admin/users"), ("GET", "/admin/api-tokens"), ("GET", "/admin/users/me")]


def _stored(pg: Postgres, database: str) -> tuple[str, list[str]]:
    kind = pg.psql("SELECT type FROM strapi_api_tokens WHERE name = 'multicam-worker'", database)
    actions = pg.psql(
        "SELECT p.action FROM strapi_api_token_permissions p "
        "JOIN strapi_api_token_permissions_token_lnk l ON l.api_token_permission_id = p.id "
        "JOIN strapi_api_tokens t ON t.id = l.api_token_id "
        "WHERE t.name = 'multicam-worker' ORDER BY p.action",
        database,
    )
    return kind, sorted(a for a in actions.splitlines() if a)


async def _worker_round_trip(base_url: str, token: str) -> None:
    """What the worker and the API do, end to end: every action on the four types."""
    async with StrapiClient(base_url, token) as strapi:
        session = await strapi.sessions.create(
            RecordingSessionInput(
                title="scope",
                date=dt.date(2026, 11, 20),
                project_id=f"scope-{secrets.token_hex(4)}",
            )
        )
        asset = await strapi.upsert_asset(
            session.document_id, "A", MediaAssetInput(original_filename="a.mp4")
        )
        derived = await strapi.upsert_derived_media(
            asset.document_id, DerivedKind.PROXY, DerivedMediaInput(url="s3://b/proxy.mp4")
        )
        result = await strapi.upsert_sync_result(
            session.document_id, SyncResultInput(master_camera="A", offsets_ms={"A": 0.0})
        )
        full = await strapi.get_session(session.document_id)  # populate across the four
        assets = full.assets or []
        assert [a.document_id for a in assets] == [asset.document_id]
        assert [d.document_id for d in assets[0].derivatives or []] == [derived.document_id]
        assert full.sync_result is not None
        assert full.sync_result.document_id == result.document_id
        assert [
            s.document_id
            async for s in strapi.iter_sessions(
                filters={"documentId": {"$eq": session.document_id}}
            )
        ] == [session.document_id]
        await strapi.update_asset(asset.document_id, MediaAssetInput(progress_pct=50))
        for collection, doc in (
            (strapi.derived_media, derived.document_id),
            (strapi.sync_results, result.document_id),
            (strapi.assets, asset.document_id),
            (strapi.sessions, session.document_id),
        ):
            await collection.delete(doc)


def _refused(base_url: str, token: str) -> dict[str, int]:
    """Status of every route the token must not use (only the wrong ones are returned)."""
    wrong = {}
    with httpx.Client(
        base_url=base_url, timeout=10, headers={"Authorization": f"Bearer {token}"}
    ) as http:
        for method, path in FORBIDDEN:
            body = {"username": "x", "email": "x@example.com", "password": "Aa1-xxxxxxxx"}
            r = http.request(method, path, json=body if method == "POST" else None)
            # 404: a plugin this app does not have (i18n, upload): nothing to reach either.
            if r.status_code not in (403, 404):
                wrong[f"{method} {path}"] = r.status_code
        for method, path in ADMIN_ROUTES:
            r = http.request(method, path)
            if r.status_code != 401:
                wrong[f"{method} {path}"] = r.status_code
    return wrong


async def test_worker_token_is_scoped_to_the_four_types() -> None:
    install_node_deps()
    pg = Postgres()
    with fresh_database(pg) as database:
        env = strapi_env(database=database, pg=pg)
        base_url = f"http://127.0.0.1:{env['PORT']}"
        token = env["MULTICAM_API_TOKEN"]
        with strapi_process(env):
            await _worker_round_trip(base_url, token)
            assert _refused(base_url, token) == {}
            assert _stored(pg, database) == ("custom", WANTED)

        # A full-access token left by an older bootstrap is scoped on the next start.
        pg.psql(
            "UPDATE strapi_api_tokens SET type = 'full-access' WHERE name = 'multicam-worker'",
            database,
        )
        pg.psql("DELETE FROM strapi_api_token_permissions", database)
        assert _stored(pg, database) == ("full-access", [])
        with strapi_process(env):
            assert _stored(pg, database) == ("custom", WANTED)
            assert _refused(base_url, token) == {}
            await _worker_round_trip(base_url, token)
