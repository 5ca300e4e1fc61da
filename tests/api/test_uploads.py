"""init-upload / part-urls / complete against Strapi, Redis and moto's S3 server."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx
import pytest

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState
from tests.api.conftest import (
    MIB,
    ApiStack,
    http_upload,
    new_session,
    project,
    put_parts,
    random_file,
    sha256_of,
)
from tests.pipeline.conftest import eventually

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(300)]


async def _init(
    api: httpx.AsyncClient, sid: str, label: str, path: Path, **extra: object
) -> httpx.Response:
    return await api.post(
        f"/v2/sessions/{sid}/assets/init-upload",
        json={
            "cameraLabel": label,
            "filename": path.name,
            "contentType": "video/mp4",
            "sizeBytes": path.stat().st_size,
            "sha256": sha256_of(path),
            **extra,
        },
    )


async def test_single_put_upload_and_complete_twice(
    api_stack: ApiStack,
    api: httpx.AsyncClient,
    storage_http: httpx.AsyncClient,
    strapi: StrapiClient,
    tmp_path: Path,
) -> None:
    sid = await new_session(api)
    path = random_file(tmp_path, "camA.mp4", 300_000)
    r = await _init(api, sid, "A", path)
    assert r.status_code == 200, r.text
    ticket = r.json()
    assert ticket["mode"] == "single" and ticket["partCount"] == 1
    assert ticket["url"]["method"] == "PUT"
    assert ticket["url"]["headers"]["x-amz-meta-sha256"] == sha256_of(path)
    complete = ticket["completePath"]
    # Complete before the file is there: nothing to record.
    early = await api.post(complete, json={"uploadId": ticket["uploadId"]})
    assert early.status_code == 400 and early.json()["error"]["code"] == "upload_incomplete"
    # A truncated PUT is refused at complete and removed, so it is never ingested.
    short = await storage_http.put(
        ticket["url"]["url"], headers=ticket["url"]["headers"], content=path.read_bytes()[:1000]
    )
    assert short.status_code == 200
    wrong = await api.post(complete, json={"uploadId": ticket["uploadId"]})
    assert wrong.status_code == 400 and "1000 bytes" in wrong.json()["error"]["message"]
    put = await storage_http.put(
        ticket["url"]["url"], headers=ticket["url"]["headers"], content=path.read_bytes()
    )
    assert put.status_code == 200
    done = await api.post(complete, json={"uploadId": ticket["uploadId"]})
    assert done.status_code == 202, done.text
    body = done.json()
    assert body["state"] == "ingesting" and not body["alreadyCompleted"]
    assert body["ingestJobId"].startswith(f"ingest:{ticket['assetId']}:")
    assert body["key"].endswith("/originals/angle-001_v001.mp4")
    assert api_stack.object_bytes(body["key"]) == path.read_bytes()
    asset = await strapi.assets.get(ticket["assetId"])
    assert asset.original_url == body["originalUrl"] and asset.original_filename == "camA.mp4"
    # Calling complete again changes nothing and says so.
    again = await api.post(complete, json={"uploadId": ticket["uploadId"]})
    assert again.status_code == 202 and again.json()["alreadyCompleted"] is True
    assert again.json()["originalUrl"] == body["originalUrl"]
    assert len((await strapi.get_session(sid)).assets or []) == 1


async def test_a_late_put_cannot_replace_a_completed_single_upload(
    api_stack: ApiStack, api: httpx.AsyncClient, storage_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    """The single-PUT URL stays valid for hours after complete, but only creates its object
    (If-None-Match: *, signed into the URL): a late PUT cannot swap the verified original."""
    sid = await new_session(api)
    path = random_file(tmp_path, "camB.mp4", 200_000, seed=5)
    ticket = (await _init(api, sid, "B", path)).json()
    url = ticket["url"]
    assert url["headers"]["If-None-Match"] == "*"
    signed = httpx.URL(url["url"]).params["X-Amz-SignedHeaders"].split(";")
    assert "if-none-match" in signed  # S3 and R2 refuse the URL without the header
    put = await storage_http.put(url["url"], headers=url["headers"], content=path.read_bytes())
    assert put.status_code == 200
    done = await api.post(ticket["completePath"], json={"uploadId": ticket["uploadId"]})
    assert done.status_code == 202, done.text
    late = await storage_http.put(
        url["url"], headers=url["headers"], content=b"not the camera file" * 1000
    )
    assert late.status_code == 412
    assert api_stack.object_bytes(done.json()["key"]) == path.read_bytes()


async def test_multipart_upload_with_part_urls(
    api_stack: ApiStack, api: httpx.AsyncClient, storage_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sid = await new_session(api)
    path = random_file(tmp_path, "camB.mov", 12 * MIB + 12345)
    r = await _init(api, sid, "B", path)
    ticket = r.json()
    assert ticket["mode"] == "multipart" and ticket["partSizeBytes"] == 5 * MIB
    assert ticket["partCount"] == 3 and len(ticket["parts"]) == 2  # two URLs per answer
    assert [p["offset"] for p in ticket["parts"]] == [0, 5 * MIB]
    assets = f"/v2/sessions/{sid}/assets/{ticket['assetId']}"
    bad = await api.post(
        f"{assets}/part-urls", json={"uploadId": ticket["uploadId"], "partNumbers": [4]}
    )
    assert (
        bad.status_code == 422 and bad.json()["error"]["details"][0]["loc"] == "body.partNumbers.0"
    )
    stale = await api.post(f"{assets}/part-urls", json={"uploadId": "other", "partNumbers": [3]})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "upload_replaced"
    parts = await put_parts(storage_http, api, sid, ticket, path)
    # Wrong ETags: storage refuses to assemble.
    forged = [{**p, "etag": '"00000000000000000000000000000000"'} for p in parts]
    r = await api.post(f"{assets}/complete", json={"uploadId": ticket["uploadId"], "parts": forged})
    assert r.status_code == 400 and r.json()["error"]["code"] == "upload_incomplete"
    done = await api.post(
        f"{assets}/complete", json={"uploadId": ticket["uploadId"], "parts": parts}
    )
    assert done.status_code == 202, done.text
    body = done.json()
    assert body["key"].endswith("/originals/angle-002_v001.mov")
    assert body["etag"].endswith("-3") and body["sizeBytes"] == path.stat().st_size
    stored = api_stack.object_bytes(body["key"])
    assert hashlib.sha256(stored).hexdigest() == sha256_of(path)
    head = api_stack.s3.client().head_object(Bucket=api_stack.s3.bucket, Key=body["key"])
    assert head["Metadata"]["sha256"] == sha256_of(path)  # what ingestion verifies
    again = await api.post(
        f"{assets}/complete", json={"uploadId": ticket["uploadId"], "parts": parts}
    )
    assert again.status_code == 202 and again.json()["alreadyCompleted"] is True
    done_parts = await api.post(
        f"{assets}/part-urls", json={"uploadId": ticket["uploadId"], "partNumbers": [1]}
    )
    assert done_parts.status_code == 409


async def test_reinit_replaces_the_pending_upload(
    api_stack: ApiStack,
    api: httpx.AsyncClient,
    storage_http: httpx.AsyncClient,
    strapi: StrapiClient,
    tmp_path: Path,
) -> None:
    sid = await new_session(api)
    first = random_file(tmp_path, "camC.mp4", 11 * MIB, seed=1)
    t1 = (await _init(api, sid, "C", first)).json()
    await put_parts(storage_http, api, sid, t1, first, only={1})
    second = random_file(tmp_path, "camC-take2.mp4", 200_000, seed=2)
    t2 = (await _init(api, sid, "C", second)).json()
    assert t2["assetId"] == t1["assetId"] and t2["uploadId"] != t1["uploadId"]
    assert t2["mode"] == "single" and t2["key"].endswith("angle-003_v001.mp4")
    # The first upload is gone: its id is refused, its parts were aborted.
    old = await api.post(
        f"/v2/sessions/{sid}/assets/{t1['assetId']}/complete", json={"uploadId": t1["uploadId"]}
    )
    assert old.status_code == 409 and old.json()["error"]["code"] == "upload_replaced"
    uploads = api_stack.s3.client().list_multipart_uploads(
        Bucket=api_stack.s3.bucket, Prefix=t1["key"]
    )
    assert not uploads.get("Uploads")
    put = await storage_http.put(
        t2["url"]["url"], headers=t2["url"]["headers"], content=second.read_bytes()
    )
    assert put.status_code == 200
    done = await api.post(t2["completePath"], json={"uploadId": t2["uploadId"]})
    assert done.status_code == 202
    session = await strapi.get_session(sid)
    assert [a.camera_label.value for a in session.assets or []] == ["C"]  # one asset

    async def settled() -> bool:  # random bytes: ingestion fails them
        return (await strapi.assets.get(t1["assetId"])).state is AssetState.FAILED

    await eventually(settled, timeout=120, what="the ingest of take 2", stack=api_stack)
    # Replacing a completed file takes the next version: nothing is overwritten.
    t3 = (await _init(api, sid, "C", first)).json()
    assert t3["assetId"] == t1["assetId"] and t3["key"].endswith("angle-003_v002.mp4")
    asset = await strapi.assets.get(t1["assetId"])
    assert asset.state is AssetState.UPLOADING and asset.original_url is None


async def test_resume_returns_the_parts_already_stored(
    api: httpx.AsyncClient, storage_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sid = await new_session(api)
    path = random_file(tmp_path, "camA.mp4", 11 * MIB, seed=3)
    t1 = (await _init(api, sid, "A", path)).json()
    await put_parts(storage_http, api, sid, t1, path, only={2})
    t2 = (await _init(api, sid, "A", path, resume=True)).json()
    assert t2["resumed"] and t2["uploadId"] == t1["uploadId"]
    assert [p["partNumber"] for p in t2["uploadedParts"]] == [2]
    assert [p["partNumber"] for p in t2["parts"]] == [1, 3]  # URLs for the missing parts
    # resume with a different file starts over.
    other = random_file(tmp_path, "camA.mp4", 11 * MIB, seed=4)
    t3 = (await _init(api, sid, "A", other, resume=True)).json()
    assert not t3["resumed"] and t3["uploadId"] != t1["uploadId"]


async def test_two_sessions_of_one_project_and_day_never_share_a_key(
    api: httpx.AsyncClient, storage_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    proj = project()
    s1, s2 = await new_session(api, "morning", proj), await new_session(api, "evening", proj)
    path = random_file(tmp_path, "camA.mp4", 100_000)
    k1 = (await http_upload(api, storage_http, s1, "A", path))["key"]
    pending = (await _init(api, s2, "A", path)).json()["key"]  # reserved before any PUT
    s3 = await new_session(api, "night", proj)
    k3 = (await _init(api, s3, "A", path)).json()["key"]
    assert [k.rsplit("/", 1)[1] for k in (k1, pending, k3)] == [
        "angle-001_v001.mp4",
        "angle-001_v002.mp4",
        "angle-001_v003.mp4",
    ]


async def test_upload_errors(api: httpx.AsyncClient, strapi: StrapiClient, tmp_path: Path) -> None:
    sid, other = await new_session(api), await new_session(api)
    path = random_file(tmp_path, "camA.mp4", 1000)
    r = await _init(api, "zzzzzzzzzzzzzzzzzzzzzzzz", "A", path)
    assert r.status_code == 404 and r.json()["error"]["code"] == "session_not_found"
    r = await _init(api, sid, "F", path)
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == "body.cameraLabel"
    for bad in ({"sizeBytes": 0}, {"sha256": "xyz"}, {"contentType": "a\nb"}, {"filename": ""}):
        r = await _init(api, sid, "A", path, **bad)
        assert r.status_code == 422, bad
    asset_id = (await _init(api, sid, "A", path)).json()["assetId"]
    r = await api.post(f"/v2/sessions/{other}/assets/{asset_id}/complete", json={"uploadId": "x"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "asset_not_found"
    r = await api.post(
        f"/v2/sessions/{sid}/assets/zzzzzzzzzzzzzzzzzzzzzzzz/complete", json={"uploadId": "x"}
    )
    assert r.status_code == 404
    # An asset made in the admin, never uploaded through the API: nothing to complete.
    made = await strapi.upsert_asset(other, "B")
    r = await api.post(
        f"/v2/sessions/{other}/assets/{made.document_id}/complete", json={"uploadId": "x"}
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "no_pending_upload"
    r = await api.post(
        f"/v2/sessions/{sid}/assets/{asset_id}/complete",
        json={"uploadId": "x", "parts": [{"partNumber": 0, "etag": "e"}]},
    )
    assert r.status_code == 422


async def test_an_abandoned_reupload_of_a_ready_camera_loses_nothing(
    api_stack: ApiStack,
    api: httpx.AsyncClient,
    storage_http: httpx.AsyncClient,
    strapi: StrapiClient,
    tmp_path: Path,
) -> None:
    from strapi_client.enums import VideoState
    from strapi_client.models import MediaAssetInput
    from worker.storage.factory import open_store

    sid = await new_session(api)
    async with open_store(api_stack.s3.settings) as store:
        good = store.url_for(f"projects/{project()}/20261120/originals/angle-001_v001.mp4")
    # Camera A's file is in and ingested (as the worker leaves it).
    ready = await strapi.upsert_asset(
        sid,
        "A",
        MediaAssetInput(
            original_filename="camA.mp4",
            original_url=good,
            state=AssetState.READY,
            video_state=VideoState.READY,
        ),
    )
    take2 = random_file(tmp_path, "camA-take2.mp4", 200_000, seed=7)
    for _ in range(2):  # started, abandoned, started again, abandoned again
        ticket = (await _init(api, sid, "A", take2)).json()
        assert ticket["assetId"] == ready.document_id
        kept = await strapi.assets.get(ready.document_id)
        assert kept.state is AssetState.READY and kept.original_url == good
        assert kept.original_filename == "camA.mp4"
        assert "is used until" in (kept.progress_message or "")
    # Finishing the new upload is what replaces the file.
    put = await storage_http.put(
        ticket["url"]["url"], headers=ticket["url"]["headers"], content=take2.read_bytes()
    )
    assert put.status_code == 200
    done = await api.post(ticket["completePath"], json={"uploadId": ticket["uploadId"]})
    assert done.status_code == 202, done.text
    replaced = await strapi.assets.get(ready.document_id)
    assert replaced.original_url == done.json()["originalUrl"] != good
    assert replaced.original_filename == "camA-take2.mp4"


async def test_each_take_of_a_camera_is_its_own_asset_and_file(
    api: httpx.AsyncClient, storage_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    sid = await new_session(api)
    tickets = {}
    for label, take in [("B", 1), ("B", 2), ("REC", 1)]:
        path = random_file(tmp_path, f"{label}{take}.wav", 50_000 + take)
        r = await _init(api, sid, label, path, take=take)
        assert r.status_code == 200, r.text
        tickets[(label, take)] = r.json()
    assert tickets[("B", 2)]["take"] == 2
    assert len({t["assetId"] for t in tickets.values()}) == 3  # takes never share an entry
    assert tickets[("B", 1)]["key"].endswith("/originals/angle-002_v001.wav")
    assert tickets[("B", 2)]["key"].endswith("/originals/angle-002_t02_v001.wav")
    assert tickets[("REC", 1)]["key"].endswith("/originals/angle-100_v001.wav")
    session = (await api.get(f"/v2/sessions/{sid}")).json()
    clips = {(a["cameraLabel"], a["take"]): a["clipId"] for a in session["assets"]}
    assert clips == {("B", 1): "B#1", ("B", 2): "B#2", ("REC", 1): "REC"}
    bad = await _init(api, sid, "B", tmp_path / "B1.wav", take=100)
    assert bad.status_code == 422 and "take" in bad.text
