"""The review plugin's pure front-end modules (clock mapping, nudge steps, card logic,
waveform placement) under Node's own test runner."""

from __future__ import annotations

import shutil
import subprocess

from tests.support.strapi_server import APP_DIR

UNITS = APP_DIR / "src" / "plugins" / "multicam-review" / "admin" / "src" / "lib" / "__tests__"


def test_plugin_front_end_units_pass() -> None:
    node = shutil.which("node")
    assert node is not None, "Node.js is required (it runs Strapi too)"
    files = sorted(str(p) for p in UNITS.glob("*.test.mjs"))
    assert len(files) >= 4
    result = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
