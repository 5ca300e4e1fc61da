"""Token scopes (#22 item 3), through a real `multicam serve`: a named token given no
scopes may only read; MULTICAM_API_TOKEN, given none, may do everything."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from strapi_client.client import StrapiClient
from tests.api.conftest import NAMED_TOKENS, TOKEN, ApiStack, reviewable_session
from tests.support.ports import free_port
from tests.support.services import MulticamProcesses
from worker.api.v2.scopes import ALL_SCOPES, default_scopes, required_scope

READER = "render-farm"


@pytest.fixture(scope="module")
def scoped_service(
    api_stack: ApiStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MulticamProcesses]:
    """A second `multicam serve` on the same Strapi and Redis, no credential given scopes."""
    port = free_port()
    env = {**api_stack.env, "MULTICAM_API_TOKEN_SCOPES": json.dumps({})}
    procs = MulticamProcesses(env, port, Path(tmp_path_factory.mktemp("scoped-serve")))
    try:
        procs.start_service()
        yield procs
    finally:
        procs.service.stop()


async def test_a_named_token_without_scopes_reads_and_nothing_else(
    scoped_service: MulticamProcesses, strapi: StrapiClient
) -> None:
    session, result = await reviewable_session(strapi)
    sid = session.document_id
    reader = {"Authorization": f"Bearer {NAMED_TOKENS[READER]}"}
    full = {"Authorization": f"Bearer {TOKEN}"}
    async with httpx.AsyncClient(base_url=scoped_service.service_url, timeout=30) as api:
        view = await api.get(f"/v2/sessions/{sid}/sync", headers=reader)
        assert view.status_code == 200, view.text
        computed = view.json()["computedAt"]
        for method, path, body in [
            ("POST", f"/v2/sessions/{sid}/sync/approve", {"computedAt": computed}),
            ("POST", f"/v2/sessions/{sid}/sync/recompute", {}),
            ("POST", "/v2/sessions", {"title": "x", "date": "2026-03-14", "projectId": "p"}),
        ]:
            r = await api.request(method, path, json=body, headers=reader)
            assert r.status_code == 403, (path, r.status_code, r.text)
            assert r.json()["error"]["code"] == "insufficient_scope"
        after = await strapi.sync_results.get(result.document_id)
        assert after.operator_status == result.operator_status
        # MULTICAM_API_TOKEN has no scopes configured: all four.
        r = await api.post(
            f"/v2/sessions/{sid}/sync/approve", json={"computedAt": computed}, headers=full
        )
        assert r.status_code == 200, r.text


def test_each_route_needs_its_scope() -> None:
    assert required_scope("/v2/sessions/{session_id}/sync", {"GET"}) == "read"
    assert required_scope("/v2/sessions/{session_id}/timeline", {"GET"}) == "read"
    assert required_scope("/v2/sessions/{session_id}/sync/approve", {"POST"}) == "review"
    assert required_scope("/v2/sessions/{session_id}/sync/correct", {"POST"}) == "review"
    assert required_scope("/v2/sessions/{session_id}/sync/recompute", {"POST"}) == "admin"
    assert required_scope("/v2/sessions", {"POST"}) == "upload"
    assert required_scope("/v2/uploads/browser-check", {"GET"}) == "upload"
    path = "/v2/sessions/{session_id}/assets/{asset_id}/complete"
    assert required_scope(path, {"POST"}) == "upload"


def test_what_a_credential_left_out_may_do() -> None:
    assert default_scopes("named") == {"read"}
    assert default_scopes("main") == default_scopes("admin") == ALL_SCOPES
    assert set(ALL_SCOPES) == {"read", "upload", "review", "admin"}
