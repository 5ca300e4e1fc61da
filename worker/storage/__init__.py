"""Object storage: one async interface, a local-folder and an S3-compatible (R2) backend.

    async with open_store() as store:
        key = object_key(project_id, day, ObjectKind.PROXY, "A")
        stored = await store.put_file(key, proxy_path, "video/mp4")

See docs/storage.md for the key scheme, URL form, checksums, lifecycle and bucket CORS.
"""

from .base import (
    MultipartUpload,
    ObjectInfo,
    ObjectStore,
    Part,
    PresignedRequest,
    StoredObject,
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
from .factory import open_store
from .keys import (
    ObjectKind,
    extension_from_filename,
    object_key,
    safe_project_id,
    session_prefixes,
    sync_artifact_key,
)
from .lifecycle import DEFAULT_POLICY, LifecyclePolicy, apply_lifecycle, get_lifecycle
from .parts import PartPlan, plan_parts
from .settings import StorageSettings

__all__ = [
    "DEFAULT_POLICY",
    "ChecksumMismatch",
    "ForeignUrlError",
    "InvalidKey",
    "LifecyclePolicy",
    "MultipartUpload",
    "ObjectInfo",
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
    "extension_from_filename",
    "get_lifecycle",
    "object_key",
    "open_store",
    "plan_parts",
    "safe_project_id",
    "session_prefixes",
    "sync_artifact_key",
]
