"""`multicam upload` as an operator runs it: multipart, progress, resume, checksums."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import MIB, TOKEN, ApiStack, new_session, put_parts, random_file, sha256_of
from tests.support.services import MULTICAM

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(300)]


def _cli(
    stack: ApiStack, tmp_path: Path, *args: str, token: str = TOKEN
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "MULTICAM_API_URL": stack.url,
        "MULTICAM_API_TOKEN": token,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    return subprocess.run(
        [str(MULTICAM), "upload", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


async def test_cli_uploads_in_parts(
    api_stack: ApiStack, api: httpx.AsyncClient, tmp_path: Path
) -> None:
    sid = await new_session(api)
    path = random_file(tmp_path, "camB.mp4", 11 * MIB, seed=10)
    run = _cli(api_stack, tmp_path, "--session", sid, "--camera", "B", str(path))
    assert run.returncode == 0, run.stderr
    done = json.loads(run.stdout)
    assert done["state"] == "ingesting" and done["etag"].endswith("-3")
    assert hashlib.sha256(api_stack.object_bytes(done["key"])).hexdigest() == sha256_of(path)
    assert "camera B: upload done" in run.stderr  # the progress line (stderr is no tty)


async def test_cli_resumes_an_interrupted_upload(
    api_stack: ApiStack, api: httpx.AsyncClient, storage_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sid = await new_session(api)
    path = random_file(tmp_path, "camC.mp4", 12 * MIB, seed=11)
    # An upload that stopped after its first part (as a dropped connection leaves it).
    r = await api.post(
        f"/v2/sessions/{sid}/assets/init-upload",
        json={
            "cameraLabel": "C",
            "filename": path.name,
            "contentType": "video/mp4",
            "sizeBytes": path.stat().st_size,
            "sha256": sha256_of(path),
        },
    )
    ticket = r.json()
    await put_parts(storage_http, api, sid, ticket, path, only={1})
    run = _cli(api_stack, tmp_path, "--session", sid, "--camera", "C", str(path), "--no-progress")
    assert run.returncode == 0, run.stderr
    assert "resuming: 1 of 3 parts already in storage" in run.stderr
    done = json.loads(run.stdout)
    assert hashlib.sha256(api_stack.object_bytes(done["key"])).hexdigest() == sha256_of(path)
    assert done["key"] == ticket["key"]  # the same upload, finished
    # Run again: the upload is complete, so this is a new upload of the camera.
    again = _cli(api_stack, tmp_path, "--session", sid, "--camera", "C", str(path), "--no-progress")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["key"].endswith("_v002.mp4")


async def test_cli_finishes_a_single_upload_whose_put_already_arrived(
    api_stack: ApiStack, api: httpx.AsyncClient, storage_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """A run that PUT the file but stopped before complete: the resumed URL only creates
    (If-None-Match: *), so its PUT answers 412, which means the bytes are there."""
    sid = await new_session(api)
    path = random_file(tmp_path, "camA.mp4", 300_000, seed=12)
    ticket = (
        await api.post(
            f"/v2/sessions/{sid}/assets/init-upload",
            json={
                "cameraLabel": "A",
                "filename": path.name,
                "contentType": "video/mp4",
                "sizeBytes": path.stat().st_size,
                "sha256": sha256_of(path),
            },
        )
    ).json()
    assert ticket["mode"] == "single"
    put = await storage_http.put(
        ticket["url"]["url"], headers=ticket["url"]["headers"], content=path.read_bytes()
    )
    assert put.status_code == 200
    run = _cli(api_stack, tmp_path, "--session", sid, "--camera", "A", str(path), "--no-progress")
    assert run.returncode == 0, run.stderr
    done = json.loads(run.stdout)
    assert done["key"] == ticket["key"] and done["state"] == "ingesting"
    assert api_stack.object_bytes(done["key"]) == path.read_bytes()


async def test_cli_refuses_without_a_good_token_or_session(
    api_stack: ApiStack, api: httpx.AsyncClient, tmp_path: Path
) -> None:
    path = random_file(tmp_path, "camA.mp4", 1000)
    sid = await new_session(api)
    bad = _cli(api_stack, tmp_path, "--session", sid, "--camera", "A", str(path), token="wrong")
    assert bad.returncode == 1 and "401" in bad.stderr and "unauthorized" in bad.stderr
    missing = _cli(
        api_stack, tmp_path, "--session", "zzzzzzzzzzzzzzzzzzzzzzzz", "--camera", "A", str(path)
    )
    assert missing.returncode == 1 and "session_not_found" in missing.stderr
    nofile = _cli(api_stack, tmp_path, "--session", sid, "--camera", "A", "nope.mp4")
    assert nofile.returncode == 2
