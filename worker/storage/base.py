"""The storage interface (``ObjectStore``; ``DirectUploadStore`` adds presigned URLs and
multipart uploads) and the values it returns."""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import StorageError, UnsupportedOperation

# Object metadata key holding the hex SHA-256 (x-amz-meta-sha256 on S3).
SHA256_METADATA = "sha256"
# The request headers a presigned PUT may carry (all signed): what clients must send,
# and so what a bucket's CORS rules must allow a browser to send.
CONTENT_TYPE_HEADER = "Content-Type"
SHA256_HEADER = f"x-amz-meta-{SHA256_METADATA}"
# A single PUT creates its object, never replaces one: a late PUT with a ticket's URL
# after complete (the URL stays valid for hours) must not swap a verified original.
IF_NONE_MATCH_HEADER = "If-None-Match"
PRESIGNED_PUT_HEADERS = (CONTENT_TYPE_HEADER, SHA256_HEADER, IF_NONE_MATCH_HEADER)
# The response header a part PUT returns and complete needs back.
ETAG_HEADER = "ETag"
MAX_PRESIGN_SECONDS = 7 * 24 * 3600  # SigV4's limit
MAX_RANGE_BYTES = 64 * 1024**2  # read_range is for slices, held in memory
DEFAULT_CONTENT_TYPE = "application/octet-stream"
_CONTENT_TYPE = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,254}")
# Why a store that is not a DirectUploadStore cannot do something ({}: what).
NEEDS_S3 = (
    "{} needs the S3 backend (MULTICAM_STORAGE_BACKEND=s3): the local backend "
    "has no HTTP endpoint for clients to upload to or download from"
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class StoredObject(_Frozen):
    """An object as written or fetched and verified: what goes into Strapi."""

    key: str
    url: str  # canonical: s3://bucket/key or file:///root/key
    size: int
    sha256: str
    content_type: str


class ObjectInfo(_Frozen):
    """What the store knows about an object without reading it."""

    key: str
    size: int
    etag: str | None = None  # bare, lower-case; MD5-based on S3/R2/moto
    last_modified: dt.datetime | None = None
    content_type: str | None = None  # not filled in by listings
    sha256: str | None = None  # from metadata; not filled in by listings


class PresignedRequest(_Frozen):
    """A request anyone holding it can make until ``expires_at``, with exactly these headers."""

    method: Literal["GET", "PUT"]
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    expires_at: dt.datetime


class Part(_Frozen):
    """One uploaded part of a multipart upload (ETag as S3 returned it)."""

    part_number: int = Field(ge=1, le=10_000)
    etag: str
    size: int | None = None


class MultipartUpload(_Frozen):
    key: str
    upload_id: str
    initiated: dt.datetime | None = None


def check_content_type(content_type: str) -> str:
    """A printable, single-line MIME type (it ends up in an HTTP header)."""
    if not isinstance(content_type, str) or not _CONTENT_TYPE.fullmatch(content_type):
        raise StorageError(f"content type {content_type!r} is not a printable single-line value")
    return content_type


def check_range(start: int, length: int) -> None:
    for name, value in (("start", start), ("length", length)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise StorageError(f"{name} must be a non-negative integer, not {value!r}")
    if length > MAX_RANGE_BYTES:
        raise StorageError(f"a ranged read is at most {MAX_RANGE_BYTES} bytes, not {length}")


def check_expiry(expires_in: int) -> int:
    if isinstance(expires_in, bool) or not 1 <= int(expires_in) <= MAX_PRESIGN_SECONDS:
        raise StorageError(f"expires_in must be 1..{MAX_PRESIGN_SECONDS} seconds")
    return int(expires_in)


class ObjectStore(ABC):
    """An async object store. Every method raises StorageError subclasses only.

    Keys are checked with ``keys.check_key``; build them with ``keys.object_key``.
    """

    backend: ClassVar[str]

    # -- objects ---------------------------------------------------------------

    @abstractmethod
    async def put_file(
        self,
        key: str,
        path: Path,
        content_type: str,
        *,
        sha256: str | None = None,
    ) -> StoredObject:
        """Store a local file; verify the stored size and SHA-256 (and ETag on S3).

        Files over the multipart threshold go up in parts. ``sha256``, if the caller
        already knows it, saves a hashing pass and is checked against the bytes sent.
        A failed upload leaves nothing behind (parts aborted, bad object deleted).
        """

    @abstractmethod
    async def put_bytes(self, key: str, data: bytes, content_type: str) -> StoredObject:
        """Store a small in-memory object (sync artifacts, JSON), verified like put_file."""

    @abstractmethod
    async def get_file(
        self,
        key: str,
        dest: Path,
        *,
        expected_sha256: str | None = None,
    ) -> StoredObject:
        """Download to ``dest`` through a temp file beside it, verify, rename atomically.

        Checked against ``expected_sha256``, else the object's recorded SHA-256, and
        always its size. On any failure ``dest`` is untouched and no temp file remains.
        """

    @abstractmethod
    async def get_bytes(
        self,
        key: str,
        *,
        expected_sha256: str | None = None,
        max_size: int = 64 * 1024**2,
    ) -> bytes:
        """A small object's bytes, verified like get_file; refuses objects over max_size."""

    @abstractmethod
    async def read_range(self, key: str, start: int, length: int) -> bytes:
        """Up to ``length`` bytes of an object from byte ``start``, without reading the rest.

        Fewer at the object's end, ``b""`` from its end on; ObjectNotFound if there is
        no object. For slices of large objects (a WAV's header, a second of its
        samples, a chunk of a proxy); ``length`` is at most MAX_RANGE_BYTES. Not
        checksummed: only whole objects can be.
        """

    @abstractmethod
    async def head(self, key: str) -> ObjectInfo | None:
        """The object's size, checksum and type, or None if there is none."""

    @abstractmethod
    async def delete(self, key: str) -> None:
        """Delete one object; deleting a missing object is not an error."""

    @abstractmethod
    async def delete_prefix(self, prefix: str) -> int:
        """Delete every object under a (non-empty) prefix; returns how many."""

    @abstractmethod
    def list_objects(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        """Objects whose key starts with ``prefix``, in key order (no sha256/content_type)."""

    # -- URLs ------------------------------------------------------------------

    @abstractmethod
    def url_for(self, key: str) -> str:
        """The canonical URL recorded in Strapi (``s3://bucket/key`` or ``file://…``)."""

    @abstractmethod
    def key_from_url(self, url: str) -> str:
        """The key a URL names, if it is in this bucket or folder; ForeignUrlError otherwise."""

    def public_url(self, key: str) -> str | None:
        """A permanent public link, if the bucket has a public base URL."""
        return None

    # -- uploads in progress ---------------------------------------------------

    @abstractmethod
    async def list_multipart_uploads(self, prefix: str = "") -> list[MultipartUpload]:
        """Multipart uploads started and neither completed nor aborted.

        A store without direct uploads never has any (``[]``), so callers looking
        for versions in use or stale uploads need not ask which store they have.
        """

    # -- bucket ----------------------------------------------------------------

    @abstractmethod
    async def get_lifecycle_rules(self) -> list[dict[str, Any]]:
        """The bucket's lifecycle rules as the S3 API returns them ([] if none)."""

    @abstractmethod
    async def put_lifecycle_rules(self, rules: Sequence[dict[str, Any]]) -> None:
        """Replace the bucket's whole lifecycle configuration (``[]`` removes it)."""

    @abstractmethod
    async def get_cors_rules(self) -> list[dict[str, Any]]:
        """The bucket's CORS rules as the S3 API returns them ([] if it has none)."""

    @abstractmethod
    async def put_cors_rules(self, rules: Sequence[dict[str, Any]]) -> None:
        """Replace the bucket's whole CORS configuration (``[]`` removes it)."""

    @abstractmethod
    async def ping(self) -> None:
        """Raise StorageUnavailable/StorageError unless the bucket or folder is usable."""


class DirectUploadStore(ObjectStore):
    """A store that clients reach themselves: presigned URLs and multipart uploads.

    Only the S3 backend (S3, R2, moto) is one: the local backend has no HTTP endpoint
    for clients to upload to or download from. Callers that need these ask
    ``direct_uploads(store, operation)``, which names the operation when it cannot.
    """

    @abstractmethod
    async def presign_get(
        self,
        key: str,
        *,
        expires_in: int = 3600,
        filename: str | None = None,
    ) -> PresignedRequest:
        """A temporary download link (for the review UI); ``filename`` sets the save-as name."""

    @abstractmethod
    async def presign_put(
        self,
        key: str,
        content_type: str,
        *,
        expires_in: int = 3600,
        sha256: str | None = None,
    ) -> PresignedRequest:
        """A single PUT upload URL (objects up to 5 GiB) that only creates the object.

        The client must send the returned headers, all signed into the URL:
        Content-Type, the SHA-256 metadata header when ``sha256`` is given, and
        ``If-None-Match: *``, so a PUT to a key that already holds an object fails with
        412 (on a retry: the earlier attempt's bytes are there) instead of replacing it.
        """

    # -- multipart (for the upload API) -----------------------------------------

    @abstractmethod
    async def create_multipart(
        self,
        key: str,
        content_type: str,
        *,
        sha256: str | None = None,
    ) -> str:
        """Start a multipart upload; returns its upload id."""

    @abstractmethod
    async def presign_part(
        self,
        key: str,
        upload_id: str,
        part_number: int,
        *,
        expires_in: int = 3600,
    ) -> PresignedRequest:
        """A PUT URL for one part; the response's ETag header is the part's ETag."""

    @abstractmethod
    async def list_parts(self, key: str, upload_id: str) -> list[Part]:
        """Parts the store holds for an upload (to resume it), in part order."""

    @abstractmethod
    async def complete_multipart(
        self,
        key: str,
        upload_id: str,
        parts: Sequence[Part] | None = None,
        *,
        expected_size: int | None = None,
    ) -> ObjectInfo:
        """Assemble the parts (``None``: every part the store holds) and verify the result.

        The object's ETag must be the one the parts' ETags imply, and its size
        ``expected_size`` if given. Completing again with the same parts returns
        the object instead of failing, so retries are harmless.
        """

    @abstractmethod
    async def abort_multipart(self, key: str, upload_id: str) -> None:
        """Abort an upload and drop its parts; aborting an unknown upload is not an error."""


def direct_uploads(store: ObjectStore, operation: str) -> DirectUploadStore:
    """``store`` if clients can reach it itself; else UnsupportedOperation naming ``operation``."""
    if isinstance(store, DirectUploadStore):
        return store
    raise UnsupportedOperation(NEEDS_S3.format(operation))
