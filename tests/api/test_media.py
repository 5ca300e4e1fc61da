"""Signed media links of the local storage backend, served by a real `multicam serve` process:
what the review's <video> elements play when there is no S3/R2 to presign."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from strapi_client.client import StrapiClient
from strapi_client.models import DerivedMediaInput
from tests.api.conftest import DAY, TOKEN, ApiStack, reviewable_session
from tests.support.ports import free_port
from tests.support.services import MulticamProcesses
from worker.api.v2.byte_ranges import ByteRange, parse_range
from worker.api.v2.media_links import MediaSigner, Verdict, media_key, media_signer
from worker.errors import Unsatisfiable
from worker.settings import Settings
from worker.storage.keys import ObjectKind, object_key
from worker.storage.local import LocalObjectStore

pytestmark = [pytest.mark.timeout(300)]
SECRET = "test-media-url-secret-0123456789abcdef"
DATA = hashlib.shake_256(b"proxy bytes").digest(3 * 1024 * 1024 + 17)  # > 1 chunk


# -- the pure parts ---------------------------------------------------------------------


def test_signatures_cover_key_and_expiry() -> None:
    signer = MediaSigner("https://multicam.example/", b"k")
    now = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    exp = int(now.timestamp()) + 60
    url = signer.url("projects/a/20261120/proxies/angle-001_v001.mp4", exp)
    assert url.startswith(
        "https://multicam.example/v2/media/projects/a/20261120/proxies/"
        f"angle-001_v001.mp4?exp={exp}&sig="
    )
    sig = url.rsplit("sig=", 1)[1]
    key = "projects/a/20261120/proxies/angle-001_v001.mp4"
    assert signer.check(key, exp, sig, now) is Verdict.OK
    assert signer.check(key, exp, sig.upper(), now) is Verdict.OK
    assert signer.check(key, exp + 1, sig, now) is Verdict.BAD
    assert signer.check(key.replace("001.mp4", "002.mp4"), exp, sig, now) is Verdict.BAD
    assert MediaSigner("x", b"other").check(key, exp, sig, now) is Verdict.BAD
    assert signer.check(key, exp, sig, now + dt.timedelta(seconds=61)) is Verdict.EXPIRED
    assert signer.check(key, exp, "not hex", now) is Verdict.BAD


def test_the_key_is_configured_or_derived_never_a_secret_itself() -> None:
    assert media_key(Settings(media_url_secret=SECRET)) == SECRET.encode()  # type: ignore[arg-type]
    derived = media_key(Settings(api_token="t", webhook_secret="w"))  # type: ignore[arg-type]
    assert derived is not None and derived not in (b"t", b"w")
    assert media_key(Settings(api_token="t2", webhook_secret="w")) != derived  # type: ignore[arg-type]
    assert media_key(Settings()) is None and media_signer(Settings()) is None


@pytest.mark.parametrize(
    "header,size,expected",
    [
        (None, 100, None),
        ("bytes=0-9", 100, ByteRange(0, 9)),
        ("bytes=90-", 100, ByteRange(90, 99)),
        ("bytes=90-500", 100, ByteRange(90, 99)),
        ("bytes=-10", 100, ByteRange(90, 99)),
        ("bytes=-500", 100, ByteRange(0, 99)),
        ("bytes=0-0", 1, ByteRange(0, 0)),
        ("bytes=5-2", 100, None),  # invalid: ignored
        ("bytes=0-1,5-6", 100, None),  # several ranges: the whole file
        ("items=0-1", 100, None),
        ("bytes=-", 100, None),
    ],
)
def test_range_headers(header: str | None, size: int, expected: ByteRange | None) -> None:
    assert parse_range(header, size) == expected


@pytest.mark.parametrize(
    "header,size", [("bytes=100-", 100), ("bytes=100-200", 100), ("bytes=-0", 100), ("bytes=0-", 0)]
)
def test_unsatisfiable_ranges(header: str, size: int) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header, size)


# -- through the service ----------------------------------------------------------------


@pytest.fixture(scope="module")
def local_service(
    api_stack: ApiStack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[MulticamProcesses, LocalObjectStore]]:
    """A second `multicam serve` on the same Strapi and Redis, with the local backend."""
    root = tmp_path_factory.mktemp("local-storage")
    port = free_port()
    env = {
        **api_stack.env,
        "MULTICAM_STORAGE_BACKEND": "local",
        "MULTICAM_STORAGE_ROOT": str(root),
        "MULTICAM_MEDIA_URL_SECRET": SECRET,
        "MULTICAM_API_URL": f"http://127.0.0.1:{port}",
    }
    procs = MulticamProcesses(env, port, Path(tmp_path_factory.mktemp("local-serve")))
    try:
        procs.start_service()
        yield procs, LocalObjectStore(root)
    finally:
        procs.service.stop()


async def test_review_links_play_from_the_local_backend(
    local_service: tuple[MulticamProcesses, LocalObjectStore],
    api_stack: ApiStack,
    strapi: StrapiClient,
) -> None:
    procs, store = local_service
    session, _ = await reviewable_session(strapi)
    full = await strapi.get_session(session.document_id, populate={"assets": True})
    asset = next(a for a in full.assets or [] if a.camera_label.value == "B")
    key = object_key(full.project_id, DAY, ObjectKind.PROXY, "B")
    stored = await store.put_bytes(key, DATA, "video/mp4")
    await strapi.upsert_derived_media(
        asset.document_id,
        "proxy",
        DerivedMediaInput(
            url=stored.url,
            storage_key=key,
            size_bytes=stored.size,
            content_type="video/mp4",
            checksum=f"sha256:{stored.sha256}",
        ),
    )
    async with httpx.AsyncClient(base_url=procs.service_url, timeout=30) as api:
        view = (
            await api.get(
                f"/v2/sessions/{session.document_id}/sync",
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
        ).json()
        link = {c["label"]: c for c in view["cameras"]}["B"]["links"]["proxy"]
        assert link["url"].startswith(f"{procs.service_url}/v2/media/{key}?exp=")
        expires = dt.datetime.fromisoformat(link["expiresAt"])
        assert 3000 < (expires - dt.datetime.now(dt.UTC)).total_seconds() <= 3600
        url = link["url"]  # no bearer header from here on: the link is the credential

        whole = await api.get(url)
        assert whole.status_code == 200 and whole.content == DATA
        assert whole.headers["content-type"] == "video/mp4"
        assert whole.headers["accept-ranges"] == "bytes"
        assert whole.headers["content-length"] == str(len(DATA))

        for header, start, end in [
            ("bytes=100-199", 100, 199),
            ("bytes=-10", len(DATA) - 10, len(DATA) - 1),
            (f"bytes={len(DATA) - 5}-", len(DATA) - 5, len(DATA) - 1),
            ("bytes=1048570-2097160", 1048570, 2097160),
        ]:
            part = await api.get(url, headers={"Range": header})
            assert part.status_code == 206, (header, part.text[:200])
            assert part.content == DATA[start : end + 1], header
            assert part.headers["content-range"] == f"bytes {start}-{end}/{len(DATA)}"
            assert part.headers["content-length"] == str(end - start + 1)

        beyond = await api.get(url, headers={"Range": f"bytes={len(DATA)}-"})
        assert beyond.status_code == 416
        assert beyond.headers["content-range"] == f"bytes */{len(DATA)}"
        assert beyond.json()["error"]["code"] == "range_not_satisfiable"

        # A stale copy (If-Range names another version) gets the whole file.
        stale = await api.get(url, headers={"Range": "bytes=0-9", "If-Range": '"other"'})
        assert stale.status_code == 200 and len(stale.content) == len(DATA)
        fresh = await api.get(
            url, headers={"Range": "bytes=0-9", "If-Range": whole.headers["etag"]}
        )
        assert fresh.status_code == 206 and fresh.content == DATA[:10]

        tampered = url.replace("angle-002", "angle-001")
        r = await api.get(tampered)
        assert r.status_code == 403 and r.json()["error"]["code"] == "invalid_signature"
        r = await api.get(url[:-4] + ("0000" if not url.endswith("0000") else "1111"))
        assert r.status_code == 403
        signer = MediaSigner(procs.service_url, SECRET.encode())
        past = int(time.time()) - 5
        r = await api.get(signer.url(key, past))
        assert r.status_code == 403 and r.json()["error"]["code"] == "link_expired"
        gone = object_key(full.project_id, DAY, ObjectKind.PROXY, "C")
        r = await api.get(signer.url(gone, int(time.time()) + 60))
        assert r.status_code == 404 and r.json()["error"]["code"] == "media_not_found"
        r = await api.get(f"/v2/media/{key}")
        assert r.status_code == 422
