"""The real stack for the /v2 API tests: Strapi + PostgreSQL, a private Redis, moto's S3
server, `multicam serve` and `multicam worker` (as in tests/pipeline), with small upload
parts so multipart is exercised with files of a few MiB."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from strapi_client.base import RelationChange
from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, OperatorStatus, SessionState, SyncMethod
from strapi_client.models import (
    MediaAsset,
    MediaAssetInput,
    RecordingSession,
    RecordingSessionInput,
    SyncResult,
    SyncResultInput,
)
from tests.support.stack import API_TOKEN, Stack, running_stack
from worker.jobs.session_sync import inputs_digest
from worker.session_clips import asset_clips
from worker.sync.version import ENGINE_VERSION

TOKEN = API_TOKEN
# More credentials: a named token for a script, and the Strapi admin plugin's.
NAMED_TOKENS = {"render-farm": "test-render-farm-token-0123456789abcdef"}
PANEL_TOKEN = "test-admin-panel-token-0123456789abcdef"
MIB = 1024 * 1024
DAY = dt.date(2026, 11, 20)


# The API tests' stack is the pipeline tests' (tests/support/stack.py) with more
# credentials and small upload parts.
ApiStack = Stack


@pytest.fixture(scope="session")
def api_stack() -> Iterator[ApiStack]:
    with running_api_stack() as stack:
        yield stack


@contextlib.contextmanager
def running_api_stack() -> Iterator[ApiStack]:
    """Start everything (for the fixture above and for ``python -m tests.api.demo``)."""
    # Files over 5 MiB go multipart in 5 MiB parts (S3's minimum), two URLs at a
    # time, so a 12 MiB file exercises parts, part-urls and resume.
    with running_stack(
        {
            "MULTICAM_API_TOKENS": json.dumps(NAMED_TOKENS),
            # A named token may only read unless given more (#22 item 3).
            "MULTICAM_API_TOKEN_SCOPES": json.dumps({"render-farm": ["read", "review"]}),
            "MULTICAM_ADMIN_PANEL_TOKEN": PANEL_TOKEN,
            "MULTICAM_UPLOAD_SINGLE_MAX_MB": "5",
            "MULTICAM_UPLOAD_PART_SIZE_MB": "5",
            "MULTICAM_UPLOAD_URLS_PER_RESPONSE": "2",
        },
        prefix="multicam-api-",
    ) as stack:
        yield stack


@pytest.fixture
async def api(api_stack: ApiStack) -> AsyncIterator[httpx.AsyncClient]:
    """An API client with the right bearer token."""
    async with httpx.AsyncClient(
        base_url=api_stack.url, timeout=60, headers={"Authorization": f"Bearer {TOKEN}"}
    ) as client:
        yield client


@pytest.fixture
async def storage_http() -> AsyncIterator[httpx.AsyncClient]:
    """A plain client for presigned storage URLs (no API token on those)."""
    async with httpx.AsyncClient(timeout=60) as client:
        yield client


@pytest.fixture
async def strapi(api_stack: ApiStack) -> AsyncIterator[StrapiClient]:
    async with StrapiClient(api_stack.strapi.base_url, api_stack.strapi.api_token) as client:
        yield client


async def computed_at(api: httpx.AsyncClient, session_id: str) -> str:
    """computedAt of the session's current sync result: what a review must name."""
    r = await api.get(f"/v2/sessions/{session_id}/sync")
    assert r.status_code == 200, r.text
    return str(r.json()["computedAt"])


def project() -> str:
    return f"api-{secrets.token_hex(4)}"


async def new_session(
    api: httpx.AsyncClient, title: str = "api test", project_id: str | None = None
) -> str:
    r = await api.post(
        "/v2/sessions",
        json={"title": title, "date": DAY.isoformat(), "projectId": project_id or project()},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["sessionId"])


def random_file(tmp: Path, name: str, size: int, seed: int = 0) -> Path:
    path = tmp / name
    path.write_bytes(hashlib.shake_256(f"{name}-{seed}".encode()).digest(size))
    return path


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


async def put_parts(
    storage_http: httpx.AsyncClient,
    api: httpx.AsyncClient,
    session_id: str,
    ticket: dict[str, Any],
    path: Path,
    only: set[int] | None = None,
) -> list[dict[str, Any]]:
    """PUT the parts of a multipart ticket (``only``: just these), asking for missing URLs."""
    data = path.read_bytes()
    urls = {p["partNumber"]: p["url"] for p in ticket["parts"]}
    numbers = [n for n in range(1, ticket["partCount"] + 1) if only is None or n in only]
    need = [n for n in numbers if n not in urls]
    if need:
        r = await api.post(
            f"/v2/sessions/{session_id}/assets/{ticket['assetId']}/part-urls",
            json={"uploadId": ticket["uploadId"], "partNumbers": need},
        )
        assert r.status_code == 200, r.text
        urls.update({p["partNumber"]: p["url"] for p in r.json()["parts"]})
    parts = []
    size = ticket["partSizeBytes"]
    for n in numbers:
        chunk = data[(n - 1) * size : n * size]
        r = await storage_http.put(urls[n], content=chunk)
        assert r.status_code == 200, r.text
        assert r.headers["etag"].strip('"') == hashlib.md5(chunk).hexdigest()
        parts.append({"partNumber": n, "etag": r.headers["etag"]})
    return parts


async def http_upload(
    api: httpx.AsyncClient,
    storage_http: httpx.AsyncClient,
    session_id: str,
    label: str,
    path: Path,
    content_type: str = "video/mp4",
) -> dict[str, Any]:
    """What a browser uploader does: init-upload, PUT, complete. Returns complete's answer."""
    r = await api.post(
        f"/v2/sessions/{session_id}/assets/init-upload",
        json={
            "cameraLabel": label,
            "filename": path.name,
            "contentType": content_type,
            "sizeBytes": path.stat().st_size,
            "sha256": sha256_of(path),
        },
    )
    assert r.status_code == 200, r.text
    ticket = r.json()
    parts: list[dict[str, Any]] = []
    if ticket["mode"] == "single":
        url = ticket["url"]
        put = await storage_http.put(url["url"], headers=url["headers"], content=path.read_bytes())
        assert put.status_code == 200, put.text
    else:
        parts = await put_parts(storage_http, api, session_id, ticket, path)
    done = await api.post(
        ticket["completePath"], json={"uploadId": ticket["uploadId"], "parts": parts}
    )
    assert done.status_code == 202, done.text
    body: dict[str, Any] = done.json()
    return body


def _camera_and_take(clip: str) -> tuple[str, int]:
    """("B", 2) of clip id "B#2", ("B", 1) of "B"."""
    camera, _, take = clip.partition("#")
    return camera, int(take) if take else 1


async def reviewable_session(
    strapi: StrapiClient,
    *,
    offsets: dict[str, float] | None = None,
    durations: dict[str, int] | None = None,
    classification: dict[str, str] | None = None,
    master: str = "A",
    starts: dict[str, tuple[float, float]] | None = None,
) -> tuple[RecordingSession, SyncResult]:
    """A session in needs-review with a sync result, written as the worker would.

    Keys are clip ids: ``B`` for a camera with one file, ``B#1``, ``B#2`` for its takes
    (``master`` too: ``REC#1``). No media: for the review rules, which only read the
    result and the cameras' durations (``starts``: a camera's audio and video start
    times, as ingest probes them). The assets and the result are written first,
    belonging to no session (their webhooks start nothing), and the session is created
    in needs-review with all of them at once, its result's inputs digest matching its
    cameras: no state in between is one the pipeline acts on. (Adding the cameras one
    by one to a ready session let a sync job that ran between two of them, as it did on
    a busy machine, see changed inputs and sync the session under the test.)
    """
    offsets = {"A": 0.0, "B": 6432.1, "C": -4123.4} if offsets is None else offsets
    durations = durations or {"A": 40_000, "B": 36_000, "C": 38_000}
    labels = sorted(durations)
    classification = classification or {lbl: "looks-good" for lbl in labels if lbl != master}
    fake = [
        MediaAsset(id=0, document_id="-", camera_label=cam, take=take, derivatives=[])
        for cam, take in map(_camera_and_take, labels)
    ]
    others = [lbl for lbl in labels if lbl != master and lbl in offsets]
    master_camera, _ = _camera_and_take(master)
    result = await strapi.sync_results.create(
        SyncResultInput(
            master_camera=master_camera,
            offsets_ms=offsets,
            confidence={lbl: 40.0 for lbl in others},
            confidence_pct={lbl: 97.5 for lbl in others},
            classification=classification,
            drift_ppm={lbl: 0.0 for lbl in others},
            method=SyncMethod.XCORR,
            operator_status=OperatorStatus.PENDING,
            debug_artifacts={
                "inputsDigest": inputs_digest(asset_clips(fake)),
                "engine": ENGINE_VERSION,
                "artifacts": {},
                "errors": {},
                **({"masterClip": master} if master != master_camera else {}),
            },
            computed_at=dt.datetime.now(dt.UTC),
        )
    )
    asset_ids = []
    for lbl in labels:
        audio, video = (starts or {}).get(lbl, (None, None))
        cam, take = _camera_and_take(lbl)
        asset = await strapi.assets.create(
            MediaAssetInput(
                camera_label=cam,
                take=take,
                original_filename=f"cam{cam}_{take}.mp4" if "#" in lbl else f"cam{lbl}.mp4",
                state=AssetState.READY,
                duration_ms=durations[lbl],
                fps=29.97 if starts else None,
                audio_start_ms=audio,
                video_start_ms=video,
            )
        )
        asset_ids.append(asset.document_id)
    session = await strapi.sessions.create(
        RecordingSessionInput(
            title="review test",
            date=DAY,
            project_id=project(),
            state=SessionState.NEEDS_REVIEW,
            progress_message="synced (test)",
            assets=RelationChange.connecting(*asset_ids),
            sync_result=RelationChange.connecting(result.document_id),
        )
    )
    return session, result
