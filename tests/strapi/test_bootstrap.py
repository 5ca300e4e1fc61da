"""The env-driven bootstrap: admin user, API token and webhook, idempotent across restarts."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests.support.strapi_server import (
    Postgres,
    StrapiServer,
    StrapiStartError,
    fresh_database,
    install_node_deps,
    strapi_env,
    strapi_process,
)
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.strapi

# Secrets follow the service's rule (worker/secret_rule.py): 32+ characters.
FIRST_SECRET = "first-secret-" + "1" * 32
SECOND_SECRET = "second-secret-" + "2" * 32


def refusal_to_start(variable: str, value: str, webhook_receiver: WebhookReceiver) -> str:
    """What Strapi says when it refuses to start with ``variable`` set to ``value``."""
    install_node_deps()
    pg = Postgres()
    with fresh_database(pg) as database:
        env = strapi_env(
            database=database,
            pg=pg,
            webhook_url=webhook_receiver.url,
            webhook_secret=FIRST_SECRET,
            extra={variable: value},
        )
        with pytest.raises(StrapiStartError) as refused, strapi_process(env):
            pass
    return str(refused.value)


def _status_with_token(env: dict[str, str], token: str) -> int:
    url = f"http://127.0.0.1:{env['PORT']}/api/recording-sessions"
    return httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code


def _counts(pg: Postgres, database: str) -> tuple[str, str, str]:
    admins = pg.psql("SELECT count(*) FROM admin_users", database)
    tokens = pg.psql(
        "SELECT count(*) FROM strapi_api_tokens WHERE name = 'multicam-worker'", database
    )
    hooks = pg.psql("SELECT url, headers FROM strapi_webhooks", database)
    return admins, tokens, hooks


async def test_admin_user_can_log_in(strapi_server: StrapiServer) -> None:
    async with httpx.AsyncClient(base_url=strapi_server.base_url) as http:
        response = await http.post(
            "/admin/login",
            json={"email": strapi_server.admin_email, "password": strapi_server.admin_password},
        )
        assert response.status_code == 200, response.text
        assert response.json()["data"]["user"]["email"] == strapi_server.admin_email
        wrong = await http.post(
            "/admin/login", json={"email": strapi_server.admin_email, "password": "Wrong-pass1"}
        )
        assert wrong.status_code == 400


def test_bootstrap_is_idempotent_and_follows_the_environment(
    webhook_receiver: WebhookReceiver,
) -> None:
    install_node_deps()
    pg = Postgres()
    with fresh_database(pg) as database:
        env = strapi_env(
            database=database,
            pg=pg,
            webhook_url=webhook_receiver.url,
            webhook_secret=FIRST_SECRET,
        )
        token = env["MULTICAM_API_TOKEN"]
        with strapi_process(env):
            assert _status_with_token(env, token) == 200
        first = _counts(pg, database)
        assert first[:2] == ("1", "1")
        assert webhook_receiver.url in first[2] and FIRST_SECRET in first[2]

        with strapi_process(env):  # same environment: nothing changes
            assert _status_with_token(env, token) == 200
        assert _counts(pg, database) == first

        new_token = secrets.token_hex(32)
        changed = {
            **env,
            "MULTICAM_API_TOKEN": new_token,
            "MULTICAM_WEBHOOK_URL": webhook_receiver.url + "/v2",
            "MULTICAM_WEBHOOK_SECRET": SECOND_SECRET,
        }
        with strapi_process(changed):
            assert _status_with_token(changed, new_token) == 200
            assert _status_with_token(changed, token) == 401, "the old key is revoked"
        admins, tokens, hooks = _counts(pg, database)
        assert (admins, tokens) == ("1", "1")
        assert hooks.count("\n") == 0, "still exactly one webhook"
        assert "/v2" in hooks and SECOND_SECRET in hooks and FIRST_SECRET not in hooks


@pytest.mark.parametrize(
    "variable,value",
    [
        ("APP_KEYS", "change-me-1,change-me-2,change-me-3,change-me-4"),
        ("JWT_SECRET", "change-me"),
        ("MULTICAM_API_TOKEN", "change-me"),
        ("MULTICAM_WEBHOOK_SECRET", "too-short-for-a-secret"),
        ("MULTICAM_ADMIN_PANEL_TOKEN", "change-me"),
    ],
)
def test_bootstrap_refuses_placeholder_secrets(
    variable: str, value: str, webhook_receiver: WebhookReceiver
) -> None:
    refused = refusal_to_start(variable, value, webhook_receiver)
    assert "refusing to start" in refused
    assert f"{variable} is" in refused
