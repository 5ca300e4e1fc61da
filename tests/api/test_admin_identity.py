"""The plugin's signer (server/src/utils/admin-identity.js, under Node) and the service's
check (worker/api/v2/admin_identity.py) agree, on the exact bytes a request carries."""

from __future__ import annotations

import json
import shutil
import subprocess

from tests.support.strapi_server import APP_DIR
from worker.api.v2.admin_identity import AdminUser, verified_admin_user

SIGNER = APP_DIR / "src" / "plugins" / "multicam-review" / "server" / "src" / "utils"
SIGNER = SIGNER / "admin-identity.js"
NOW = 1_790_000_000


def _signed_by_node(method: str, url: str, user: dict[str, object]) -> tuple[str, dict[str, str]]:
    """The target Node puts on the wire for ``url``, and the headers the plugin signs it with."""
    node = shutil.which("node")
    assert node is not None, "Node.js is required (it runs Strapi too)"
    script = (
        f"const {{ identityHeaders }} = require({json.dumps(str(SIGNER))});"
        f"const url = new URL({json.dumps(url)});"
        f"const headers = identityHeaders('panel-token', {NOW}, {json.dumps(method)}, url, "
        f"{json.dumps(user)});"
        "process.stdout.write(JSON.stringify({target: url.pathname + url.search, headers}));"
    )
    out = subprocess.run([node, "-e", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    given = json.loads(out.stdout)
    return given["target"], given["headers"]


def test_what_the_plugin_signs_the_service_accepts_and_nothing_else() -> None:
    user = {"id": 12, "email": "dana.o'neil+ops@studio.example"}
    target, headers = _signed_by_node(
        "get", "http://127.0.0.1:9/v2/sessions/a%20b/sync/listen?camera=B&startMs=1.5", user
    )
    assert target == "/v2/sessions/a%20b/sync/listen?camera=B&startMs=1.5"
    ok = verified_admin_user(headers, "GET", target, "panel-token", NOW + 10)
    assert ok == AdminUser(12, "dana.o'neil+ops@studio.example")
    for method, other, key in (
        ("POST", target, "panel-token"),
        ("GET", "/v2/sessions/a%20b/sync/listen?camera=C&startMs=1.5", "panel-token"),
        ("GET", target, "another-token"),
    ):
        refused = verified_admin_user(headers, method, other, key, NOW)
        assert isinstance(refused, str) and "does not match" in refused
