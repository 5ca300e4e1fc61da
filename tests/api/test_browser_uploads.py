"""Browser uploads are refused while the bucket's CORS rules would block them: the
service as a process, moto's S3 server, and `multicam storage apply-cors` to fix it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import ApiStack, new_session, random_file, sha256_of
from tests.support.services import MULTICAM

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(300)]
CMS = "https://cms.example"
HEADER = "X-Multicam-Browser-Origin"


def _apply_cors(stack: ApiStack, *origins: str) -> None:
    args = [a for o in origins for a in ("--origin", o)]
    run = subprocess.run(
        [str(MULTICAM), "storage", "apply-cors", *args],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr


def _init_body(path: Path, label: str) -> dict[str, Any]:
    return {
        "cameraLabel": label,
        "filename": path.name,
        "contentType": "video/mp4",
        "sizeBytes": path.stat().st_size,
        "sha256": sha256_of(path),
    }


def _error(r: httpx.Response, code: str) -> str:
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == code
    message: str = r.json()["error"]["message"]
    return message


async def test_browser_uploads_are_offered_only_where_cors_allows_them(
    api_stack: ApiStack, api: httpx.AsyncClient, tmp_path: Path
) -> None:
    s3 = api_stack.s3.client()
    s3.delete_bucket_cors(Bucket=api_stack.s3.bucket)
    try:
        r = await api.get("/v2/uploads/browser-check", params={"origin": CMS})
        assert _error(r, "browser_upload_blocked") == (
            "browser uploads from https://cms.example would be blocked by the bucket's CORS "
            "rules: the bucket has no CORS rules; fix: run `multicam storage apply-cors "
            "--origin https://cms.example`"
        )

        sid = await new_session(api)
        path = random_file(tmp_path, "camA.mp4", 1000, seed=30)
        r = await api.post(
            f"/v2/sessions/{sid}/assets/init-upload",
            json=_init_body(path, "A"),
            headers={HEADER: CMS},
        )
        assert "the bucket has no CORS rules" in _error(r, "browser_upload_blocked")
        session = await api.get(f"/v2/sessions/{sid}")
        assert session.json()["assets"] == []  # refused before anything was made

        # The fix the message names works at once: a refusal is never served from cache.
        _apply_cors(api_stack, CMS)
        r = await api.get("/v2/uploads/browser-check", params={"origin": CMS})
        assert r.status_code == 200 and r.json() == {"origin": CMS, "ok": True}
        r = await api.post(
            f"/v2/sessions/{sid}/assets/init-upload",
            json=_init_body(path, "A"),
            headers={HEADER: CMS},
        )
        assert r.status_code == 200, r.text
        ticket = r.json()

        # What the browser then does: the preflight of the ticket's PUT is answered.
        url = ticket["url"]
        preflight = httpx.options(
            url["url"],
            headers={
                "Origin": CMS,
                "Access-Control-Request-Method": url["method"],
                "Access-Control-Request-Headers": ",".join(h.lower() for h in url["headers"]),
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == CMS
        assert preflight.headers["access-control-expose-headers"] == "ETag"

        other = "http://localhost:1337"
        r = await api.get("/v2/uploads/browser-check", params={"origin": other})
        assert _error(r, "browser_upload_blocked") == (
            "browser uploads from http://localhost:1337 would be blocked by the bucket's CORS "
            "rules: no CORS rule allows origin http://localhost:1337; fix: run `multicam "
            "storage apply-cors --origin https://cms.example --origin http://localhost:1337`"
        )
        r = await api.post(
            f"/v2/sessions/{sid}/assets/init-upload",
            json=_init_body(path, "B"),
            headers={HEADER: other},
        )
        _error(r, "browser_upload_blocked")
        # Without the header (the CLI, scripts) nothing is checked.
        r = await api.post(f"/v2/sessions/{sid}/assets/init-upload", json=_init_body(path, "B"))
        assert r.status_code == 200, r.text

        # A rule that allows the origin but hides ETag is named as such.
        s3.put_bucket_cors(
            Bucket=api_stack.s3.bucket,
            CORSConfiguration={
                "CORSRules": [
                    {"AllowedOrigins": [other], "AllowedMethods": ["PUT"], "AllowedHeaders": ["*"]}
                ]
            },
        )
        r = await api.get("/v2/uploads/browser-check", params={"origin": other})
        assert "does not expose the ETag header" in _error(r, "browser_upload_blocked")
    finally:
        s3.delete_bucket_cors(Bucket=api_stack.s3.bucket)


async def test_origins_must_be_origins(api: httpx.AsyncClient) -> None:
    for bad in ("cms.example", "https://cms.example/admin", "HTTPS://CMS.EXAMPLE"):
        r = await api.get("/v2/uploads/browser-check", params={"origin": bad})
        assert r.status_code == 422, r.text
        assert r.json()["error"]["details"][0]["loc"] == "query.origin"
    r = await api.post(
        "/v2/sessions/x/assets/init-upload", json={}, headers={HEADER: "https://cms.example/admin"}
    )
    assert r.status_code == 422
    assert "header.X-Multicam-Browser-Origin" in [d["loc"] for d in r.json()["error"]["details"]]


async def test_the_check_needs_the_bearer_token(api_stack: ApiStack) -> None:
    r = httpx.get(api_stack.url + "/v2/uploads/browser-check", params={"origin": CMS})
    assert r.status_code == 401
