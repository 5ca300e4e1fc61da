"""The storage error hierarchy: callers catch these, never botocore's or OSError."""

from __future__ import annotations

from worker.errors import MulticamError, Retryable


class StorageError(MulticamError):
    """Base of every error the storage package raises."""


class ObjectNotFound(StorageError):
    """The key has no object (or the bucket has no such key)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"no object at key {key!r}")
        self.key = key


class UploadNotFound(StorageError):
    """The multipart upload id is unknown: never created, completed, or aborted."""

    def __init__(self, key: str, upload_id: str) -> None:
        super().__init__(f"no multipart upload {upload_id!r} for key {key!r}")
        self.key = key
        self.upload_id = upload_id


class ChecksumMismatch(StorageError):
    """Stored or fetched bytes differ from what was expected (size, sha256 or ETag)."""

    def __init__(self, key: str, what: str, expected: object, actual: object) -> None:
        super().__init__(f"{what} mismatch for {key!r}: expected {expected}, got {actual}")
        self.key = key
        self.what = what
        self.expected = expected
        self.actual = actual


class InvalidKey(StorageError, ValueError):
    """A key (or key component) that is not safe to store under."""


class ForeignUrlError(StorageError, ValueError):
    """A URL outside the configured bucket or folder; we never fetch those."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"refusing {url!r}: {reason}")
        self.url = url
        self.reason = reason


class UnsupportedOperation(StorageError):
    """The backend cannot do this (presigning and multipart need the S3 backend)."""


class StorageUnavailable(StorageError, Retryable):
    """Transient: connection failure, timeout, throttling or a 5xx. Retrying may succeed."""
