"""Strapi answers browsers of the admin's own origin only (#22 item 4).

Strapi's default CORS is any origin with credentials, and its CSP let the admin's
scripts connect to any https: origin; both are now the admin's public origin, the
bucket and the service.
"""

from __future__ import annotations

import httpx
import pytest

from tests.support.strapi_server import StrapiServer

EVIL = "https://evil.example"


def _admin_origin(server: StrapiServer) -> str:
    return f"http://127.0.0.1:{server.port}"


@pytest.mark.parametrize("method", ["OPTIONS", "GET"])
def test_another_sites_scripts_may_not_read_strapis_answers(
    strapi_server: StrapiServer, method: str
) -> None:
    headers = {"Origin": EVIL, "Access-Control-Request-Method": "PUT"}
    r = httpx.request(
        method, f"{strapi_server.base_url}/api/recording-sessions", headers=headers, timeout=30
    )
    allowed = r.headers.get("access-control-allow-origin")
    assert allowed in (None, ""), (r.status_code, dict(r.headers))


def test_the_admins_own_origin_is_allowed(strapi_server: StrapiServer) -> None:
    origin = _admin_origin(strapi_server)
    r = httpx.options(
        f"{strapi_server.base_url}/admin/login",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        timeout=30,
    )
    assert r.headers.get("access-control-allow-origin") == origin, dict(r.headers)


def test_the_admin_may_connect_to_named_origins_only(strapi_server: StrapiServer) -> None:
    r = httpx.get(f"{strapi_server.base_url}/_health", timeout=30)
    csp = r.headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    connect = directives["connect-src"]
    assert "https:" not in connect and "*" not in connect, connect
    assert _admin_origin(strapi_server) in connect
