"""Static checks of deploy/strapi: every variable the app reads is documented."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "deploy" / "strapi"
# env('X'), env.int('X'), ... in config/; env.X / process.env.X in our own code.
READS = re.compile(r"\benv(?:\.\w+)?\('([A-Z][A-Z0-9_]*)'|\benv\.([A-Z][A-Z0-9_]*)\b")


def _variables_read() -> set[str]:
    names: set[str] = set()
    files = [*APP.glob("config/*.js"), *APP.glob("src/**/*.js"), *APP.glob("scripts/*.js")]
    files = [f for f in files if "src/api" not in f.as_posix()]
    for path in files:
        for quoted, bare in READS.findall(path.read_text()):
            names.add(quoted or bare)
    return names


def _documented() -> set[str]:
    text = (APP / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, re.M))


def test_env_example_lists_every_variable_the_app_reads() -> None:
    read = _variables_read()
    assert {"APP_KEYS", "DATABASE_NAME", "MULTICAM_API_TOKEN", "MULTICAM_WEBHOOK_URL"} <= read
    assert read - _documented() == set()


def test_secrets_have_no_working_defaults() -> None:
    config = "\n".join(p.read_text() for p in APP.glob("config/*.js"))
    for name in ("APP_KEYS", "API_TOKEN_SALT", "ADMIN_JWT_SECRET", "JWT_SECRET"):
        assert re.search(rf"env(?:\.\w+)?\('{name}'\)", config), f"{name} must have no default"
