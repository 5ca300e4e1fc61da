"""S3-compatible backend (Cloudflare R2 in production, moto's server in tests) via aioboto3."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, BinaryIO, cast
from urllib.parse import quote

import aioboto3
import aiohttp
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    IncompleteReadError,
)
from botocore.exceptions import (
    ConnectionError as BotoConnectionError,
)

from .base import (
    CONTENT_TYPE_HEADER,
    DEFAULT_CONTENT_TYPE,
    IF_NONE_MATCH_HEADER,
    SHA256_HEADER,
    SHA256_METADATA,
    DirectUploadStore,
    MultipartUpload,
    ObjectInfo,
    Part,
    PresignedRequest,
    StoredObject,
    check_content_type,
    check_expiry,
    check_range,
)
from .errors import (
    ChecksumMismatch,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
    UploadNotFound,
)
from .hashing import (
    CHUNK,
    content_md5,
    file_sha256,
    multipart_etag,
    multipart_etag_from_part_etags,
    normalise_etag,
    normalise_sha256,
    read_part,
)
from .keys import check_key, check_prefix
from .parts import MAX_PART_SIZE, plan_parts
from .settings import StorageSettings
from .urls import key_from_s3_url, s3_url

_NOT_FOUND = frozenset({"NoSuchKey", "NotFound", "404"})
# S3 error codes (beside any 5xx or 429) that become StorageUnavailable: retryable.
_RETRYABLE_CODES = frozenset(
    {
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "RequestTimeout",
        "Throttling",
        "ThrottlingException",
        "RequestTimeTooSkewed",
    }
)


def client_config(settings: StorageSettings) -> Config:
    """botocore Config that works with R2 as well as S3 and moto."""
    return Config(
        signature_version="s3v4",
        # Path-style (endpoint/bucket/key): R2 and moto on 127.0.0.1 need no DNS per bucket.
        s3={"addressing_style": "path"},
        # botocore ≥ 1.36 adds CRC32 checksums to every upload by default; R2 rejects
        # some of those headers. We send Content-MD5 ourselves and verify ETags instead.
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
        retries={"mode": "standard", "max_attempts": settings.s3_max_attempts},
        connect_timeout=settings.s3_connect_timeout_s,
        read_timeout=settings.s3_read_timeout_s,
    )


@functools.cache
def _session() -> Any:
    # One per process: a session caches botocore's service models, so later clients
    # take ~20 ms to make instead of ~400 ms.
    return aioboto3.Session()


@asynccontextmanager
async def s3_client(settings: StorageSettings) -> AsyncIterator[Any]:
    """An aiobotocore S3 client for these settings, closed on exit."""
    secret = settings.s3_secret_access_key
    async with _session().client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=secret.get_secret_value() if secret is not None else None,
        config=client_config(settings),
    ) as client:
        yield client


def storage_error(
    exc: ClientError, key: str | None = None, upload_id: str | None = None
) -> StorageError:
    """Map a botocore ClientError to our hierarchy (transient ones to StorageUnavailable)."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in _NOT_FOUND and key is not None:
        return ObjectNotFound(key)
    if code == "NoSuchUpload" and key is not None and upload_id is not None:
        return UploadNotFound(key, upload_id)
    message = f"S3 {exc.operation_name}: {code or status} {error.get('Message', '')}".rstrip()
    if status >= 500 or status == 429 or code in _RETRYABLE_CODES:
        return StorageUnavailable(message)
    return StorageError(message)


@contextlib.contextmanager
def _translate(key: str | None = None, upload_id: str | None = None) -> Iterator[None]:
    """Around client calls only: botocore/aiohttp errors become StorageErrors."""
    try:
        yield
    except ClientError as exc:
        raise storage_error(exc, key, upload_id) from exc
    except (
        BotoConnectionError,
        HTTPClientError,
        IncompleteReadError,
        aiohttp.ClientError,
        TimeoutError,
        ConnectionError,
    ) as exc:
        raise StorageUnavailable(f"S3 unreachable or interrupted: {exc}") from exc
    except BotoCoreError as exc:  # credentials, parameters: configuration, not transient
        raise StorageError(f"S3 client error: {exc}") from exc


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.UTC) if value is not None else None


def _tmp_beside(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:12]}.part")


def _finish_download(fh: BinaryIO, tmp: Path, dest: Path) -> None:
    fh.flush()
    os.fsync(fh.fileno())
    fh.close()
    os.replace(tmp, dest)


class S3ObjectStore(DirectUploadStore):
    """Objects in one bucket of an S3-compatible service. Build it with ``open_store``."""

    backend = "s3"

    def __init__(self, client: Any, settings: StorageSettings) -> None:
        if not settings.s3_bucket:
            raise StorageError("the S3 backend needs a bucket (MULTICAM_S3_BUCKET)")
        self._client = client
        self._bucket = settings.s3_bucket
        self._endpoint_url = settings.s3_endpoint_url
        self._public_base_url = settings.s3_public_base_url
        self._threshold = settings.multipart_threshold
        self._part_size = settings.part_size
        self._verify_etag = settings.s3_verify_etag

    @property
    def bucket(self) -> str:
        return self._bucket

    # -- writing ---------------------------------------------------------------

    async def put_file(
        self,
        key: str,
        path: Path,
        content_type: str,
        *,
        sha256: str | None = None,
    ) -> StoredObject:
        check_key(key)
        check_content_type(content_type)
        path = Path(path)
        size = (await asyncio.to_thread(path.stat)).st_size
        if size <= self._threshold:
            data = await asyncio.to_thread(path.read_bytes)
            return await self._put_single(key, data, content_type, sha256)
        if sha256 is None:
            # Metadata is fixed when the upload starts, so the digest must be known first.
            sha256 = await asyncio.to_thread(file_sha256, path)
        return await self._put_multipart(key, path, size, content_type, normalise_sha256(sha256))

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> StoredObject:
        check_key(key)
        check_content_type(content_type)
        if len(data) > MAX_PART_SIZE:
            raise StorageError("put_bytes is for small objects; use put_file")
        return await self._put_single(key, bytes(data), content_type, None)

    async def _put_single(
        self,
        key: str,
        data: bytes,
        content_type: str,
        sha256: str | None,
    ) -> StoredObject:
        md5 = hashlib.md5(data).digest()
        digest = hashlib.sha256(data).hexdigest()
        if sha256 is not None and normalise_sha256(sha256) != digest:
            raise ChecksumMismatch(key, "sha256 of the local file", sha256, digest)
        with _translate(key):
            response = await self._client.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                ContentLength=len(data),
                ContentMD5=content_md5(md5),
                Metadata={SHA256_METADATA: digest},
            )
        await self._verify_stored(key, len(data), digest, md5.hex(), response.get("ETag"))
        return StoredObject(
            key=key, url=self.url_for(key), size=len(data), sha256=digest, content_type=content_type
        )

    async def _put_multipart(
        self,
        key: str,
        path: Path,
        size: int,
        content_type: str,
        sha256: str,
    ) -> StoredObject:
        plan = plan_parts(size, self._part_size)
        upload_id = await self.create_multipart(key, content_type, sha256=sha256)
        completed = False
        try:
            running = hashlib.sha256()
            md5s: list[bytes] = []
            parts: list[dict[str, Any]] = []
            with path.open("rb") as fh:
                for number, _offset, length in plan.ranges():
                    data, md5 = await asyncio.to_thread(read_part, fh, length, running)
                    if len(data) != length:
                        raise ChecksumMismatch(
                            key,
                            f"length of part {number} (file shrank while uploading?)",
                            length,
                            len(data),
                        )
                    with _translate(key, upload_id):
                        response = await self._client.upload_part(
                            Bucket=self._bucket,
                            Key=key,
                            UploadId=upload_id,
                            PartNumber=number,
                            Body=data,
                            ContentLength=length,
                            ContentMD5=content_md5(md5),
                        )
                    self._check_etag(key, f"ETag of part {number}", md5.hex(), response.get("ETag"))
                    md5s.append(md5)
                    parts.append({"PartNumber": number, "ETag": response["ETag"]})
            if running.hexdigest() != sha256:
                raise ChecksumMismatch(
                    key,
                    "sha256 of the local file (wrong sha256 given, or changed while uploading)",
                    sha256,
                    running.hexdigest(),
                )
            with _translate(key, upload_id):
                response = await self._client.complete_multipart_upload(
                    Bucket=self._bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
            completed = True
            await self._verify_stored(key, size, sha256, multipart_etag(md5s), response.get("ETag"))
        except BaseException:
            if not completed:
                with contextlib.suppress(Exception):
                    await self.abort_multipart(key, upload_id)
            raise
        return StoredObject(
            key=key, url=self.url_for(key), size=size, sha256=sha256, content_type=content_type
        )

    def _check_etag(self, key: str, what: str, expected: str, etag: str | None) -> None:
        if self._verify_etag and normalise_etag(etag) != expected:
            raise ChecksumMismatch(key, what, expected, normalise_etag(etag))

    async def _verify_stored(
        self,
        key: str,
        size: int,
        sha256: str,
        etag: str,
        returned_etag: str | None,
    ) -> None:
        """HEAD the new object; on any difference delete it, so no bad object stays."""
        try:
            self._check_etag(key, "ETag returned by the upload", etag, returned_etag)
            info = await self.head(key)
            if info is None:
                raise ObjectNotFound(key)
            if info.size != size:
                raise ChecksumMismatch(key, "stored size", size, info.size)
            if info.sha256 != sha256:
                raise ChecksumMismatch(key, "stored sha256 metadata", sha256, info.sha256)
            self._check_etag(key, "stored ETag", etag, info.etag)
        except (ChecksumMismatch, ObjectNotFound):
            with contextlib.suppress(Exception):
                await self.delete(key)
            raise

    # -- reading ---------------------------------------------------------------

    async def _get(self, key: str) -> dict[str, Any]:
        with _translate(key):
            return cast(dict[str, Any], await self._client.get_object(Bucket=self._bucket, Key=key))

    @staticmethod
    def _wanted(key: str, expected: str | None, response: dict[str, Any]) -> str | None:
        recorded = (response.get("Metadata") or {}).get(SHA256_METADATA)
        if expected is not None:
            if recorded and recorded.lower() != expected:
                response["Body"].close()
                raise ChecksumMismatch(key, "sha256 recorded on the object", expected, recorded)
            return expected
        return recorded.lower() if recorded else None

    async def get_file(
        self,
        key: str,
        dest: Path,
        *,
        expected_sha256: str | None = None,
    ) -> StoredObject:
        check_key(key)
        if expected_sha256 is not None:
            expected_sha256 = normalise_sha256(expected_sha256)  # before a body needs closing
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        response = await self._get(key)
        wanted = self._wanted(key, expected_sha256, response)
        length = int(response["ContentLength"])
        tmp = _tmp_beside(dest)
        h = hashlib.sha256()
        received = 0
        try:
            with tmp.open("wb") as fh:
                body = response["Body"]
                # Not ``as body``: StreamingBody.__aenter__ returns the raw aiohttp response.
                with _translate(key):
                    async with body:
                        async for chunk in body.iter_chunks(CHUNK):
                            h.update(chunk)
                            fh.write(chunk)
                            received += len(chunk)
                if received != length:
                    raise ChecksumMismatch(key, "downloaded size", length, received)
                if wanted is not None and h.hexdigest() != wanted:
                    raise ChecksumMismatch(
                        key, "sha256 of the downloaded bytes", wanted, h.hexdigest()
                    )
                await asyncio.to_thread(_finish_download, fh, tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        return StoredObject(
            key=key,
            url=self.url_for(key),
            size=received,
            sha256=h.hexdigest(),
            content_type=response.get("ContentType") or DEFAULT_CONTENT_TYPE,
        )

    async def get_bytes(
        self,
        key: str,
        *,
        expected_sha256: str | None = None,
        max_size: int = 64 * 1024**2,
    ) -> bytes:
        check_key(key)
        if expected_sha256 is not None:
            expected_sha256 = normalise_sha256(expected_sha256)
        response = await self._get(key)
        wanted = self._wanted(key, expected_sha256, response)
        length = int(response["ContentLength"])
        if length > max_size:
            response["Body"].close()
            raise StorageError(f"{key!r} is {length} bytes, over the {max_size} asked for")
        body = response["Body"]
        with _translate(key):
            async with body:
                data = cast(bytes, await body.read())
        if len(data) != length:
            raise ChecksumMismatch(key, "downloaded size", length, len(data))
        digest = hashlib.sha256(data).hexdigest()
        if wanted is not None and digest != wanted:
            raise ChecksumMismatch(key, "sha256 of the downloaded bytes", wanted, digest)
        return data

    async def read_range(self, key: str, start: int, length: int) -> bytes:
        check_key(key)
        check_range(start, length)
        if length == 0:
            if await self.head(key) is None:
                raise ObjectNotFound(key)
            return b""
        try:
            with _translate(key):
                response = await self._client.get_object(
                    Bucket=self._bucket, Key=key, Range=f"bytes={start}-{start + length - 1}"
                )
                body = response["Body"]
                async with body:
                    data = cast(bytes, await body.read())
        except StorageError as exc:
            cause = exc.__cause__
            if (
                isinstance(cause, ClientError)
                and cause.response.get("Error", {}).get("Code") == "InvalidRange"
            ):
                return b""  # the range starts at or past the object's end
            raise
        return data

    async def head(self, key: str) -> ObjectInfo | None:
        check_key(key)
        try:
            with _translate(key):
                r = await self._client.head_object(Bucket=self._bucket, Key=key)
        except ObjectNotFound:
            return None
        sha = (r.get("Metadata") or {}).get(SHA256_METADATA)
        return ObjectInfo(
            key=key,
            size=int(r["ContentLength"]),
            etag=normalise_etag(r.get("ETag")),
            last_modified=_utc(r.get("LastModified")),
            content_type=r.get("ContentType"),
            sha256=sha.lower() if sha else None,
        )

    async def delete(self, key: str) -> None:
        check_key(key)
        with _translate(key):
            await self._client.delete_object(Bucket=self._bucket, Key=key)

    async def delete_prefix(self, prefix: str) -> int:
        check_prefix(prefix)
        keys = [info.key async for info in self.list_objects(prefix)]
        for start in range(0, len(keys), 1000):  # DeleteObjects takes at most 1000 keys
            batch = keys[start : start + 1000]
            with _translate():
                response = await self._client.delete_objects(
                    Bucket=self._bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )
            if response.get("Errors"):
                first = response["Errors"][0]
                raise StorageError(
                    f"could not delete {len(response['Errors'])} objects, e.g. "
                    f"{first.get('Key')!r}: {first.get('Code')}"
                )
        return len(keys)

    async def list_objects(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        if prefix:
            check_prefix(prefix)
        paginator = self._client.get_paginator("list_objects_v2")
        with _translate():
            async for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield ObjectInfo(
                        key=item["Key"],
                        size=int(item["Size"]),
                        etag=normalise_etag(item.get("ETag")),
                        last_modified=_utc(item.get("LastModified")),
                    )

    # -- URLs ------------------------------------------------------------------

    def url_for(self, key: str) -> str:
        return s3_url(self._bucket, key)

    def key_from_url(self, url: str) -> str:
        return key_from_s3_url(
            url,
            bucket=self._bucket,
            endpoint_url=self._endpoint_url,
            public_base_url=self._public_base_url,
        )

    def public_url(self, key: str) -> str | None:
        if not self._public_base_url:
            return None
        return f"{self._public_base_url.rstrip('/')}/{quote(check_key(key), safe='/')}"

    async def _presign(
        self, method: str, params: dict[str, Any], expires_in: int, http_method: str
    ) -> tuple[str, dt.datetime]:
        expires_in = check_expiry(expires_in)
        expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=expires_in)
        with _translate(params.get("Key")):
            url = await self._client.generate_presigned_url(
                method,
                Params={"Bucket": self._bucket, **params},
                ExpiresIn=expires_in,
                HttpMethod=http_method,
            )
        return str(url), expires_at

    async def presign_get(
        self,
        key: str,
        *,
        expires_in: int = 3600,
        filename: str | None = None,
    ) -> PresignedRequest:
        params: dict[str, Any] = {"Key": check_key(key)}
        if filename:
            # RFC 6266 with RFC 5987 encoding: any user-typed name is safe in the header.
            params["ResponseContentDisposition"] = (
                f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
            )
        url, expires_at = await self._presign("get_object", params, expires_in, "GET")
        return PresignedRequest(method="GET", url=url, expires_at=expires_at)

    async def presign_put(
        self,
        key: str,
        content_type: str,
        *,
        expires_in: int = 3600,
        sha256: str | None = None,
    ) -> PresignedRequest:
        params: dict[str, Any] = {
            "Key": check_key(key),
            "ContentType": check_content_type(content_type),
        }
        headers = {CONTENT_TYPE_HEADER: content_type}
        if sha256 is not None:
            digest = normalise_sha256(sha256)
            params["Metadata"] = {SHA256_METADATA: digest}
            headers[SHA256_HEADER] = digest
        # Create-only (S3 and R2 answer 412 if the key holds an object), and signed, so
        # a holder of the URL cannot drop the condition to replace a verified original.
        params["IfNoneMatch"] = "*"
        headers[IF_NONE_MATCH_HEADER] = "*"
        url, expires_at = await self._presign("put_object", params, expires_in, "PUT")
        return PresignedRequest(method="PUT", url=url, headers=headers, expires_at=expires_at)

    # -- multipart -------------------------------------------------------------

    async def create_multipart(
        self,
        key: str,
        content_type: str,
        *,
        sha256: str | None = None,
    ) -> str:
        check_key(key)
        params: dict[str, Any] = {"ContentType": check_content_type(content_type)}
        if sha256 is not None:
            params["Metadata"] = {SHA256_METADATA: normalise_sha256(sha256)}
        with _translate(key):
            response = await self._client.create_multipart_upload(
                Bucket=self._bucket, Key=key, **params
            )
        return str(response["UploadId"])

    async def presign_part(
        self,
        key: str,
        upload_id: str,
        part_number: int,
        *,
        expires_in: int = 3600,
    ) -> PresignedRequest:
        part = Part(part_number=part_number, etag="-")  # validates 1..10000
        params = {"Key": check_key(key), "UploadId": upload_id, "PartNumber": part.part_number}
        url, expires_at = await self._presign("upload_part", params, expires_in, "PUT")
        return PresignedRequest(method="PUT", url=url, expires_at=expires_at)

    async def list_parts(self, key: str, upload_id: str) -> list[Part]:
        check_key(key)
        paginator = self._client.get_paginator("list_parts")
        parts: list[Part] = []
        with _translate(key, upload_id):
            async for page in paginator.paginate(Bucket=self._bucket, Key=key, UploadId=upload_id):
                parts.extend(
                    Part(part_number=p["PartNumber"], etag=p["ETag"], size=p.get("Size"))
                    for p in page.get("Parts", [])
                )
        return sorted(parts, key=lambda p: p.part_number)

    async def complete_multipart(
        self,
        key: str,
        upload_id: str,
        parts: Sequence[Part] | None = None,
        *,
        expected_size: int | None = None,
    ) -> ObjectInfo:
        check_key(key)
        listed = parts is None
        chosen = await self.list_parts(key, upload_id) if parts is None else list(parts)
        chosen.sort(key=lambda p: p.part_number)
        numbers = [p.part_number for p in chosen]
        if not chosen or len(set(numbers)) != len(numbers):
            raise StorageError(f"cannot complete {key!r}: parts must be non-empty and distinct")
        implied = multipart_etag_from_part_etags([p.etag for p in chosen])
        try:
            with _translate(key, upload_id):
                await self._client.complete_multipart_upload(
                    Bucket=self._bucket,
                    Key=key,
                    UploadId=upload_id,
                    MultipartUpload={
                        "Parts": [{"PartNumber": p.part_number, "ETag": p.etag} for p in chosen]
                    },
                )
        except UploadNotFound:
            # Already completed with these very parts? Then this is a harmless retry.
            info = await self.head(key)
            if listed or info is None or implied is None or info.etag != implied:
                raise
        info = await self.head(key)
        if info is None:
            raise StorageError(f"{key!r} is missing right after completing its upload")
        if expected_size is not None and info.size != expected_size:
            raise ChecksumMismatch(key, "size of the completed upload", expected_size, info.size)
        if implied is not None:
            self._check_etag(key, "ETag of the completed upload", implied, info.etag)
        return info

    async def abort_multipart(self, key: str, upload_id: str) -> None:
        check_key(key)
        with contextlib.suppress(UploadNotFound), _translate(key, upload_id):
            await self._client.abort_multipart_upload(
                Bucket=self._bucket, Key=key, UploadId=upload_id
            )

    async def list_multipart_uploads(self, prefix: str = "") -> list[MultipartUpload]:
        if prefix:
            check_prefix(prefix)
        paginator = self._client.get_paginator("list_multipart_uploads")
        uploads: list[MultipartUpload] = []
        with _translate():
            async for page in paginator.paginate(Bucket=self._bucket, Prefix=prefix):
                uploads.extend(
                    MultipartUpload(
                        key=u["Key"], upload_id=u["UploadId"], initiated=_utc(u.get("Initiated"))
                    )
                    for u in page.get("Uploads", [])
                )
        return uploads

    # -- bucket ----------------------------------------------------------------

    async def get_lifecycle_rules(self) -> list[dict[str, Any]]:
        with _translate():
            try:
                response = await self._client.get_bucket_lifecycle_configuration(
                    Bucket=self._bucket
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "NoSuchLifecycleConfiguration":
                    return []
                raise
        return list(response.get("Rules", []))

    async def put_lifecycle_rules(self, rules: Sequence[dict[str, Any]]) -> None:
        with _translate():
            if rules:
                await self._client.put_bucket_lifecycle_configuration(
                    Bucket=self._bucket, LifecycleConfiguration={"Rules": list(rules)}
                )
            else:
                await self._client.delete_bucket_lifecycle(Bucket=self._bucket)

    async def get_cors_rules(self) -> list[dict[str, Any]]:
        with _translate():
            try:
                response = await self._client.get_bucket_cors(Bucket=self._bucket)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "NoSuchCORSConfiguration":
                    return []
                raise
        return list(response.get("CORSRules", []))

    async def put_cors_rules(self, rules: Sequence[dict[str, Any]]) -> None:
        with _translate():
            if rules:
                await self._client.put_bucket_cors(
                    Bucket=self._bucket, CORSConfiguration={"CORSRules": list(rules)}
                )
            else:
                await self._client.delete_bucket_cors(Bucket=self._bucket)

    async def ping(self) -> None:
        with _translate():
            await self._client.head_bucket(Bucket=self._bucket)
