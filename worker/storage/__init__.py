"""Object storage: one async interface, a local-folder and an S3-compatible (R2) backend.

    async with open_store(StorageSettings()) as store:
        key = object_key(project_id, day, ObjectKind.PROXY, "A")
        stored = await store.put_file(key, proxy_path, "video/mp4")

See docs/storage.md for the key scheme, URL form, checksums, lifecycle and bucket CORS.

Importing this package (or any of its modules but ``s3`` and ``factory``) does not
load the S3 client (aioboto3): ``open_store`` is imported on first use, so the
CLI's upload command or a test that needs ``hashing`` or ``keys`` stays cheap.
"""

from typing import TYPE_CHECKING, Any

from .base import (
    DirectUploadStore,
    MultipartUpload,
    ObjectInfo,
    ObjectStore,
    Part,
    PresignedRequest,
    StoredObject,
    direct_uploads,
)
from .cors import apply_cors, blocked_reason
from .errors import (
    ChecksumMismatch,
    ForeignUrlError,
    InvalidKey,
    ObjectNotFound,
    StorageError,
    StorageUnavailable,
    UnsupportedOperation,
    UploadNotFound,
)
from .keys import (
    ObjectKeyParts,
    ObjectKind,
    extension_from_filename,
    object_key,
    parse_object_key,
    safe_project_id,
    session_prefixes,
    sync_artifact_key,
)
from .lifecycle import DEFAULT_POLICY, LifecyclePolicy, apply_lifecycle, get_lifecycle
from .parts import PartPlan, plan_parts
from .settings import StorageSettings

if TYPE_CHECKING:
    from .factory import open_store

__all__ = [
    "DEFAULT_POLICY",
    "ChecksumMismatch",
    "DirectUploadStore",
    "ForeignUrlError",
    "InvalidKey",
    "LifecyclePolicy",
    "MultipartUpload",
    "ObjectInfo",
    "ObjectKeyParts",
    "ObjectKind",
    "ObjectNotFound",
    "ObjectStore",
    "Part",
    "PartPlan",
    "PresignedRequest",
    "StorageError",
    "StorageSettings",
    "StorageUnavailable",
    "StoredObject",
    "UnsupportedOperation",
    "UploadNotFound",
    "apply_cors",
    "apply_lifecycle",
    "blocked_reason",
    "direct_uploads",
    "extension_from_filename",
    "get_lifecycle",
    "object_key",
    "open_store",
    "parse_object_key",
    "plan_parts",
    "safe_project_id",
    "session_prefixes",
    "sync_artifact_key",
]


def __getattr__(name: str) -> Any:
    """``open_store`` on first use: the factory imports the S3 backend (aioboto3)."""
    if name == "open_store":
        from .factory import open_store

        return open_store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
