"""Auth on every /v2 endpoint, sessions, error shapes."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from tests.api.conftest import DAY, TOKEN, ApiStack, new_session

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(300)]


# Signed links carry their own credential (a <video src> cannot send a bearer header).
UNAUTHENTICATED = ("/v2/media/",)


def _operations(stack: ApiStack) -> list[tuple[str, str]]:
    doc = httpx.get(stack.url + "/openapi.json", timeout=10).json()
    ops = []
    for path, item in doc["paths"].items():
        if path.startswith("/v2/") and not path.startswith(UNAUTHENTICATED):
            for method in item:
                concrete = path.replace("{session_id}", "k3v9x0q2m7l1p8r4t6w5y2z0").replace(
                    "{asset_id}", "a1b2c3d4e5f6g7h8i9j0k1l2"
                )
                ops.append((method.upper(), concrete))
    return ops


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer wrong-token",
        f"Basic {base64.b64encode(TOKEN.encode()).decode()}",
        "Bearer",
        TOKEN,
        f"Bearer {TOKEN}-x",
    ],
)
def test_every_v2_endpoint_needs_the_token(api_stack: ApiStack, header: str | None) -> None:
    ops = _operations(api_stack)
    assert len(ops) == 12  # 2 session, 4 upload, 5 sync, 1 timeline (/v2/media is signed)
    headers = {"Authorization": header} if header else {}
    for method, path in ops:
        # An invalid body too: authentication is checked before the body is read.
        r = httpx.request(
            method, api_stack.url + path, headers=headers, content=b"{not json", timeout=10
        )
        assert r.status_code == 401, (method, path, r.text)
        assert r.json()["error"]["code"] == "unauthorized"
        assert r.headers["www-authenticate"] == "Bearer"


def test_openapi_declares_bearer_auth(api_stack: ApiStack) -> None:
    doc = httpx.get(api_stack.url + "/openapi.json", timeout=10).json()
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for path, item in doc["paths"].items():
        if path.startswith(UNAUTHENTICATED):
            for op in item.values():
                assert "security" not in op and "401" not in op["responses"], path
                assert "403" in op["responses"], path
        elif path.startswith("/v2/"):
            for op in item.values():
                assert op["security"] == [{"bearer": []}], path
                assert "401" in op["responses"] and "503" in op["responses"]


async def test_create_and_get_session(api: httpx.AsyncClient) -> None:
    r = await api.post(
        "/v2/sessions",
        json={
            "title": "Interview",
            "date": DAY.isoformat(),
            "projectId": "Acme Films",
            "location": "Studio 2",
            "notes": "two\nlines",
        },
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["state"] == "draft" and body["assets"] == []
    assert r.headers["location"] == f"/v2/sessions/{body['sessionId']}"
    got = await api.get(f"/v2/sessions/{body['sessionId']}")
    assert got.status_code == 200
    assert {k: got.json()[k] for k in ("title", "date", "projectId", "location", "notes")} == {
        "title": "Interview",
        "date": DAY.isoformat(),
        "projectId": "Acme Films",
        "location": "Studio 2",
        "notes": "two\nlines",
    }


@pytest.mark.parametrize(
    "body,field",
    [
        ({"date": "2026-11-20", "projectId": "p"}, "body.title"),
        ({"title": "t", "date": "2026-13-40", "projectId": "p"}, "body.date"),
        ({"title": "t", "date": "2026-11-20", "projectId": ""}, "body.projectId"),
        ({"title": "nul\x00byte", "date": "2026-11-20", "projectId": "p"}, "body.title"),
        ({"title": "t" * 201, "date": "2026-11-20", "projectId": "p"}, "body.title"),
        ({"title": "t", "date": "2026-11-20", "projectId": "p", "state": "ready"}, "body.state"),
    ],
)
async def test_create_session_rejects_bad_bodies(
    api: httpx.AsyncClient, body: dict[str, Any], field: str
) -> None:
    r = await api.post("/v2/sessions", json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "invalid_request"
    assert field in [d["loc"] for d in error["details"]]


async def test_unknown_session_and_bad_ids(api: httpx.AsyncClient) -> None:
    r = await api.get("/v2/sessions/zzzzzzzzzzzzzzzzzzzzzzzz")
    assert r.status_code == 404 and r.json()["error"]["code"] == "session_not_found"
    r = await api.get("/v2/sessions/not-an-id!")
    assert r.status_code == 422
    r = await api.get("/v2/nothing-here")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    sid = await new_session(api)
    r = await api.delete(f"/v2/sessions/{sid}")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"
