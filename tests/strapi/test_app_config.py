"""Static checks of deploy/strapi: every variable the app reads is documented."""

from __future__ import annotations

import json
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


def test_the_review_plugin_id_is_its_strapi_name_and_the_config_key() -> None:
    """The id lives in the plugin's package.json strapi.name (both halves read it there);
    config/plugins.js must declare the plugin under it, and nothing else spells it."""
    plugin = APP / "src" / "plugins" / "multicam-review"
    package = json.loads((plugin / "package.json").read_text())
    plugin_id = package["strapi"]["name"]
    assert package["name"] != plugin_id, "the npm name is not a second copy of the id"
    config = (APP / "config" / "plugins.js").read_text()
    assert re.search(rf"^\s*'{plugin_id}': \{{", config, re.M), config
    sources = [*plugin.glob("admin/src/**/*.js*"), *plugin.glob("server/src/**/*.js")]
    spelled = [
        p for p in sources if f"'{plugin_id}'" in p.read_text() or f'"{plugin_id}"' in p.read_text()
    ]
    assert not spelled, f"read the id from package.json instead: {spelled}"
