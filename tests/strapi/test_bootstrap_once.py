"""Bootstrap creates the first admin once, and refuses short Strapi secrets (#22 item 8)."""

from __future__ import annotations

import httpx
import pytest

from tests.strapi.test_bootstrap import refusal_to_start
from tests.support.strapi_server import (
    Postgres,
    fresh_database,
    install_node_deps,
    strapi_env,
    strapi_process,
)
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.strapi
SECRET = "bootstrap-once-secret-" + "3" * 32


def _login(env: dict[str, str]) -> int:
    r = httpx.post(
        f"http://127.0.0.1:{env['PORT']}/admin/login",
        json={"email": env["MULTICAM_ADMIN_EMAIL"], "password": env["MULTICAM_ADMIN_PASSWORD"]},
        timeout=30,
    )
    return r.status_code


def test_a_deleted_super_admin_is_not_recreated_from_the_environment(
    webhook_receiver: WebhookReceiver,
) -> None:
    install_node_deps()
    pg = Postgres()
    with fresh_database(pg) as database:
        env = strapi_env(
            database=database, pg=pg, webhook_url=webhook_receiver.url, webhook_secret=SECRET
        )
        with strapi_process(env):
            assert _login(env) == 200
        # Another admin takes over and removes the first one (as in the admin's Users page).
        email = env["MULTICAM_ADMIN_EMAIL"].lower()
        pg.psql(
            "INSERT INTO admin_users (document_id, firstname, email, is_active, blocked) "
            "VALUES ('otheradmin0000000000000', 'Other', 'other@multicam.test', true, false)",
            database,
        )
        pg.psql(
            "DELETE FROM admin_users_roles_lnk WHERE user_id IN "
            f"(SELECT id FROM admin_users WHERE email = '{email}')",
            database,
        )
        pg.psql(f"DELETE FROM admin_users WHERE email = '{email}'", database)
        with strapi_process(env):
            assert _login(env) in (400, 401)
        assert pg.psql(f"SELECT count(*) FROM admin_users WHERE email = '{email}'", database) == "0"


@pytest.mark.parametrize(
    "variable,value", [("JWT_SECRET", "fifteen-chars-x"), ("APP_KEYS", "a" * 24 + ",short")]
)
def test_short_strapi_secrets_are_refused(
    variable: str, value: str, webhook_receiver: WebhookReceiver
) -> None:
    refused = refusal_to_start(variable, value, webhook_receiver)
    assert "refusing to start" in refused
    assert f"{variable} " in refused and "characters long" in refused
