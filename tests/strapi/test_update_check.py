"""Strapi never asks the package registry for new versions (issue #12, item 11)."""

from __future__ import annotations

import json
import subprocess

import pytest

from tests.support.strapi_server import (
    APP_DIR,
    Postgres,
    fresh_database,
    install_node_deps,
    log_path_for,
    strapi_env,
    strapi_process,
)

pytestmark = pytest.mark.strapi

UPDATER_FILE = APP_DIR / ".strapi-updater.json"
LOAD_CONFIG = """
// Not an exported path of @strapi/core: required by file.
const { loadConfiguration } = require(require('path').resolve(
  'node_modules/@strapi/core/dist/configuration/index.js'));
const config = loadConfiguration({ appDir: process.cwd(), distDir: process.cwd() });
console.log(JSON.stringify(config.server.logger.updates));
"""


def test_update_check_is_off_in_the_configuration_strapi_loads() -> None:
    install_node_deps()
    # Strapi's own loader, as `strapi start` runs it (server.logger.updates.enabled).
    out = subprocess.run(
        ["node", "-e", LOAD_CONFIG],
        cwd=APP_DIR,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "NODE_ENV": "production", "APP_KEYS": "a,b,c,d"},
    ).stdout
    assert json.loads(out.strip().splitlines()[-1]) == {"enabled": False}


def test_a_started_strapi_does_not_contact_the_registry() -> None:
    install_node_deps()
    pg = Postgres()
    # Left by earlier runs (gitignored local state): start from none.
    UPDATER_FILE.unlink(missing_ok=True)
    with fresh_database(pg) as database:
        env = strapi_env(database=database, pg=pg)
        with strapi_process(env):
            log = log_path_for(env).read_text(errors="replace")
            # Strapi 5.54 creates the file (empty) whatever the setting, before it
            # decides; only a registry answer puts "latest" in it.
            stored = UPDATER_FILE.read_text() if UPDATER_FILE.exists() else "{}"
    assert "STRAPI_DISABLE_UPDATE_NOTIFICATION" not in log
    assert "latest" not in json.loads(stored or "{}"), stored
