"""Placeholder and short secrets are refused at start-up, by the service and by Strapi.

The rule lives twice (Python for serve/worker, JavaScript for Strapi's bootstrap);
these tests keep the two identical and cover every placeholder the example files ship.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.files import CONTAINER_ENV_EXAMPLES, ENV_EXAMPLE, STRAPI
from worker.secret_rule import MIN_SECRET_LENGTH, PLACEHOLDERS, is_placeholder, weak_secrets
from worker.settings import Settings

RULE_JS = STRAPI / "src" / "multicam" / "secret-rule.js"
MULTICAM = Path(sys.executable).with_name("multicam")
GOOD = "x" * MIN_SECRET_LENGTH


def _node(script: str) -> object:
    out = subprocess.run(
        ["node", "-e", script], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    return json.loads(out)


def test_strapi_applies_the_same_rule() -> None:
    rule = _node(
        f"const r = require({json.dumps(str(RULE_JS))}); "
        "console.log(JSON.stringify([r.MIN_SECRET_LENGTH, r.PLACEHOLDERS]))"
    )
    assert isinstance(rule, list)
    assert rule[0] == MIN_SECRET_LENGTH
    assert sorted(rule[1]) == sorted(PLACEHOLDERS)


def test_every_placeholder_the_examples_ship_is_refused() -> None:
    shipped: set[str] = set()
    for example in (ENV_EXAMPLE, *CONTAINER_ENV_EXAMPLES, STRAPI / ".env.example"):
        for value in re.findall(r"^[A-Z][A-Z0-9_]*=(.*)$", example.read_text(), re.M):
            shipped.update(v for v in value.split(",") if "change" in v.lower())
    assert shipped >= {"change-me", "change-me-1"}
    assert all(is_placeholder(v) for v in shipped), shipped - PLACEHOLDERS


def test_weak_secrets_names_every_weak_setting() -> None:
    settings = Settings(
        _env_file=None,
        webhook_secret="change-me",  # type: ignore[call-arg,arg-type]
        api_token="short",
        api_tokens={"ci": "CHANGE-ME", "ok": GOOD},
        admin_panel_token=GOOD + "p",
        media_url_secret="",
        strapi_token="y" * 31,
    )
    problems = weak_secrets(settings)
    assert [p.split(" ")[0] for p in problems] == [
        "MULTICAM_WEBHOOK_SECRET",
        "MULTICAM_API_TOKEN",
        "MULTICAM_API_TOKENS['ci']",
        "MULTICAM_STRAPI_TOKEN",
    ]
    assert "placeholder" in problems[0] and "at least 32" in problems[1]
    # Empty keeps its meaning (feature off); storage credentials are not ours.
    assert weak_secrets(Settings(_env_file=None)) == []  # type: ignore[call-arg]


@pytest.mark.parametrize("command", ["serve", "worker"])
@pytest.mark.parametrize(
    "variable,value",
    [
        ("MULTICAM_WEBHOOK_SECRET", "change-me"),
        ("MULTICAM_API_TOKEN", "change-me"),
        ("MULTICAM_API_TOKENS", '{"ci": "a-token-of-31-characters-xxxxxx"}'),
        ("MULTICAM_ADMIN_PANEL_TOKEN", "change-me"),
        ("MULTICAM_MEDIA_URL_SECRET", "too-short"),
        ("MULTICAM_STRAPI_TOKEN", "change-me"),
    ],
)
def test_serve_and_worker_refuse_to_start(
    command: str, variable: str, value: str, tmp_path: Path
) -> None:
    # Nothing runs on the Redis URL: the check comes before any connection.
    env = {"PATH": "/usr/bin:/bin", "MULTICAM_REDIS_URL": "redis://127.0.0.1:1/0", variable: value}
    done = subprocess.run(
        [str(MULTICAM), command], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert f"configuration error: {variable}" in done.stderr, done.stderr


def test_strapi_bootstrap_names_each_weak_variable() -> None:
    env = {
        "APP_KEYS": "k1-aaaaaaaa,change-me-2",
        "API_TOKEN_SALT": "salt-ok-0123456789abcdef",
        "ADMIN_JWT_SECRET": "change-me",
        "JWT_SECRET": "ok-0123456789abcdef",
        "TRANSFER_TOKEN_SALT": "ok-0123456789abcdef",
        "ENCRYPTION_KEY": "ok-0123456789abcdef",
        "MULTICAM_API_TOKEN": "short",
        "MULTICAM_WEBHOOK_SECRET": GOOD,
        "MULTICAM_ADMIN_PANEL_TOKEN": "Change-Me",
    }
    problems = _node(
        f"const r = require({json.dumps(str(RULE_JS))}); "
        f"console.log(JSON.stringify(r.weakSecrets({json.dumps(env)})))"
    )
    assert isinstance(problems, list)
    assert [p.split(" ")[0] for p in problems] == [
        "APP_KEYS",
        "ADMIN_JWT_SECRET",
        "MULTICAM_API_TOKEN",
        "MULTICAM_ADMIN_PANEL_TOKEN",
    ]
    assert (
        _node(
            f"const r = require({json.dumps(str(RULE_JS))}); "
            "console.log(JSON.stringify(r.weakSecrets({})))"
        )
        == []
    )
