"""S3 backend against moto's real HTTP server: multipart, presigned URLs, errors."""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path

import httpx
import pytest
from botocore.exceptions import ClientError

from tests.support.s3_server import S3Server
from worker.storage.base import DirectUploadStore, ObjectStore, Part, direct_uploads
from worker.storage.errors import (
    ChecksumMismatch,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
    UploadNotFound,
)
from worker.storage.factory import open_store
from worker.storage.hashing import normalise_etag
from worker.storage.parts import MIB
from worker.storage.s3 import S3ObjectStore, storage_error
from worker.storage.settings import StorageSettings

from .conftest import PART_MB


def random_file(path: Path, size: int) -> tuple[Path, bytes]:
    data = os.urandom(size)
    path.write_bytes(data)
    return path, data


async def test_large_file_goes_up_in_parts_and_is_verified(
    s3_store: ObjectStore,
    s3_server: S3Server,
    files: Path,
) -> None:
    path, data = random_file(files / "big.mov", 2 * PART_MB * MIB + 123_456)
    stored = await s3_store.put_file("big/clip.mov", path, "video/quicktime")
    assert stored.size == len(data) and stored.sha256 == hashlib.sha256(data).hexdigest()

    info = await s3_store.head("big/clip.mov")
    assert info is not None and info.sha256 == stored.sha256
    assert info.etag is not None and info.etag.endswith("-3")  # three parts
    assert await s3_store.list_multipart_uploads() == []

    # The bytes in the bucket are the file's, read by a client that is not ours.
    assert isinstance(s3_store, S3ObjectStore)
    body = s3_server.client().get_object(Bucket=s3_store.bucket, Key="big/clip.mov")["Body"]
    assert body.read() == data

    await s3_store.get_file("big/clip.mov", files / "back.mov")
    assert (files / "back.mov").read_bytes() == data


async def test_known_sha256_skips_the_hashing_pass_but_is_still_checked(
    s3_store: ObjectStore,
    files: Path,
) -> None:
    path, data = random_file(files / "big.bin", PART_MB * MIB + 1)
    digest = hashlib.sha256(data).hexdigest()
    stored = await s3_store.put_file("big/a", path, "application/octet-stream", sha256=digest)
    assert stored.sha256 == digest
    with pytest.raises(ChecksumMismatch, match="wrong sha256 given"):
        await s3_store.put_file(
            "big/b", path, "application/octet-stream", sha256=hashlib.sha256(b"stale").hexdigest()
        )
    # Nothing half-made stays: no object, no open upload.
    assert await s3_store.head("big/b") is None
    assert await s3_store.list_multipart_uploads() == []


async def test_the_s3_backend_is_the_direct_upload_store(s3_store: ObjectStore) -> None:
    assert isinstance(s3_store, DirectUploadStore)
    assert direct_uploads(s3_store, "presign_put") is s3_store


async def test_presigned_put_with_plain_httpx(s3_store: ObjectStore) -> None:
    data = b"camera original bytes"
    digest = hashlib.sha256(data).hexdigest()
    req = await s3_store.presign_put("up/a.mov", "video/quicktime", expires_in=600, sha256=digest)
    assert req.method == "PUT"
    assert req.headers == {
        "Content-Type": "video/quicktime",
        "x-amz-meta-sha256": digest,
        "If-None-Match": "*",
    }
    # Content type, checksum and the create-only condition are signed into the URL:
    # clients cannot change or drop them.
    assert "content-type%3Bhost%3Bif-none-match%3Bx-amz-meta-sha256" in req.url
    async with httpx.AsyncClient() as http:
        response = await http.put(req.url, content=data, headers=req.headers)
        assert response.status_code == 200
        # The URL stays valid, but only creates: a second PUT cannot replace the object.
        late = await http.put(req.url, content=b"other bytes", headers=req.headers)
    assert late.status_code == 412
    info = await s3_store.head("up/a.mov")
    assert info is not None
    assert (info.size, info.sha256, info.content_type) == (len(data), digest, "video/quicktime")
    assert info.etag == hashlib.md5(data).hexdigest()


async def test_presigned_get(s3_store: ObjectStore) -> None:
    await s3_store.put_bytes("dl/w.json", b"[1,2]", "application/json")
    req = await s3_store.presign_get("dl/w.json", expires_in=60, filename="Cam A waveform.json")
    async with httpx.AsyncClient() as http:
        response = await http.get(req.url)
    assert response.status_code == 200 and response.content == b"[1,2]"
    assert "filename*=UTF-8''Cam%20A%20waveform.json" in response.headers["content-disposition"]
    with pytest.raises(StorageError):
        await s3_store.presign_get("dl/w.json", expires_in=8 * 24 * 3600)


async def test_presigned_multipart_resume_complete_and_retry(
    s3_store: ObjectStore,
    files: Path,
) -> None:
    key = "up/big.mov"
    part_size = 5 * MIB
    data = os.urandom(2 * part_size + 777)
    chunks = [data[i : i + part_size] for i in range(0, len(data), part_size)]
    upload_id = await s3_store.create_multipart(key, "video/quicktime")
    assert [u.upload_id for u in await s3_store.list_multipart_uploads("up/")] == [upload_id]

    async with httpx.AsyncClient() as http:

        async def send(number: int) -> str:
            req = await s3_store.presign_part(key, upload_id, number)
            response = await http.put(req.url, content=chunks[number - 1])
            assert response.status_code == 200
            return response.headers["etag"]

        first = await send(1)
        # "Interrupted": the client forgets everything but the upload id and asks the store.
        parts = await s3_store.list_parts(key, upload_id)
        assert [(p.part_number, normalise_etag(p.etag), p.size) for p in parts] == [
            (1, normalise_etag(first), part_size)
        ]
        etags = [first, await send(2), await send(3)]

    with pytest.raises(ChecksumMismatch, match="size"):
        await s3_store.complete_multipart(
            key,
            upload_id,
            [Part(part_number=i + 1, etag=e) for i, e in enumerate(etags)],
            expected_size=len(data) + 1,
        )
    # That check ran after completion; the object is there and a retry is harmless.
    chosen = [Part(part_number=i + 1, etag=e) for i, e in reversed(list(enumerate(etags)))]
    info = await s3_store.complete_multipart(key, upload_id, chosen, expected_size=len(data))
    again = await s3_store.complete_multipart(key, upload_id, chosen, expected_size=len(data))
    assert info.size == again.size == len(data)
    assert info.etag is not None and info.etag.endswith("-3")

    await s3_store.get_file(key, files / "big.mov")
    assert (files / "big.mov").read_bytes() == data
    assert await s3_store.list_multipart_uploads() == []


async def test_complete_with_the_parts_the_store_holds(s3_store: ObjectStore) -> None:
    key = "up/listed.bin"
    upload_id = await s3_store.create_multipart(
        key, "application/octet-stream", sha256=hashlib.sha256(b"abc").hexdigest()
    )
    async with httpx.AsyncClient() as http:
        req = await s3_store.presign_part(key, upload_id, 1)
        assert (await http.put(req.url, content=b"abc")).status_code == 200
    info = await s3_store.complete_multipart(key, upload_id, expected_size=3)
    assert info.sha256 == hashlib.sha256(b"abc").hexdigest()
    assert await s3_store.get_bytes(key) == b"abc"  # verified against the metadata
    with pytest.raises(UploadNotFound):  # without parts a retry cannot be told apart
        await s3_store.complete_multipart(key, upload_id)


async def test_completing_someone_elses_parts_or_unknown_uploads(s3_store: ObjectStore) -> None:
    upload_id = await s3_store.create_multipart("up/x", "text/plain")
    with pytest.raises(StorageError):
        await s3_store.complete_multipart("up/x", upload_id, [])
    with pytest.raises(StorageError):  # S3 refuses an ETag it never issued
        await s3_store.complete_multipart(
            "up/x", upload_id, [Part(part_number=1, etag='"' + "0" * 32 + '"')]
        )
    with pytest.raises(UploadNotFound):
        await s3_store.list_parts("up/x", "no-such-upload")
    with pytest.raises(Exception, match="part_number"):
        await s3_store.presign_part("up/x", upload_id, 10_001)


async def test_abort_is_idempotent(s3_store: ObjectStore) -> None:
    upload_id = await s3_store.create_multipart("up/abort", "text/plain")
    await s3_store.abort_multipart("up/abort", upload_id)
    await s3_store.abort_multipart("up/abort", upload_id)
    await s3_store.abort_multipart("up/abort", "never-existed")
    assert await s3_store.list_multipart_uploads() == []
    assert await s3_store.head("up/abort") is None


async def test_public_url_and_endpoint_urls(s3_server: S3Server) -> None:
    settings = s3_server.new_bucket(s3_public_base_url="https://cdn.example.com/media/")
    async with open_store(settings) as store:
        assert store.public_url("a/b c.json") == "https://cdn.example.com/media/a/b%20c.json"
        assert store.key_from_url("https://cdn.example.com/media/a/b%20c.json") == "a/b c.json"
        endpoint_form = f"{s3_server.endpoint_url}/{settings.s3_bucket}/a/x.json?X-Amz-Expires=1"
        assert store.key_from_url(endpoint_form) == "a/x.json"
        assert store.url_for("a/x.json") == f"s3://{settings.s3_bucket}/a/x.json"


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed again: connections are refused


async def test_unreachable_endpoint_is_transient(s3_settings: StorageSettings) -> None:
    dead = s3_settings.model_copy(
        update={
            "s3_endpoint_url": f"http://127.0.0.1:{_dead_port()}",
            "s3_max_attempts": 1,
            "s3_connect_timeout_s": 2.0,
        }
    )
    async with open_store(dead) as store:
        with pytest.raises(StorageUnavailable):
            await store.head("x")
        with pytest.raises(StorageUnavailable):
            await store.ping()


async def test_missing_bucket_is_a_configuration_error(s3_settings: StorageSettings) -> None:
    gone = s3_settings.model_copy(update={"s3_bucket": "no-such-bucket-multicam"})
    async with open_store(gone) as store:
        with pytest.raises(StorageError) as info:
            await store.put_bytes("x", b"1", "text/plain")
        assert not isinstance(info.value, StorageUnavailable)
        assert "NoSuchBucket" in str(info.value)


def _client_error(code: str, status: int) -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": "m"}, "ResponseMetadata": {"HTTPStatusCode": status}},
        "GetObject",
    )


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("NoSuchKey", 404, ObjectNotFound),
        ("404", 404, ObjectNotFound),
        ("NoSuchUpload", 404, UploadNotFound),
        ("InternalError", 500, StorageUnavailable),
        ("ServiceUnavailable", 503, StorageUnavailable),
        ("SlowDown", 503, StorageUnavailable),
        ("TooManyRequests", 429, StorageUnavailable),
        ("Whatever", 502, StorageUnavailable),
        ("AccessDenied", 403, StorageError),
        ("NoSuchBucket", 404, StorageError),
    ],
)
def test_error_mapping(code: str, status: int, kind: type[StorageError]) -> None:
    error = storage_error(_client_error(code, status), key="k", upload_id="u")
    assert type(error) is kind


async def test_an_upload_that_fails_verification_is_deleted(s3_store: ObjectStore) -> None:
    # moto stores what it is sent, so a mismatch is staged by expecting something else.
    stored = await s3_store.put_bytes("v/x", b"abc", "text/plain")
    assert isinstance(s3_store, S3ObjectStore)
    md5 = hashlib.md5(b"abc").hexdigest()
    with pytest.raises(ChecksumMismatch, match="stored size"):
        await s3_store._verify_stored("v/x", 4, stored.sha256, md5, md5)
    assert await s3_store.head("v/x") is None
