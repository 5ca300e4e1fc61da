"""Typed async client for the multicam content types in Strapi 5."""

from . import deadline
from .base import DocumentRef, Entry, RelationChange, WriteModel
from .client import SESSION_FULL, StrapiClient
from .collection import Collection, Page, Pagination
from .debug_artifacts import (
    DebugArtifacts,
    HistoryEntry,
    JsonRecord,
    ReviewerMark,
    ReviewMark,
    TimelineLink,
)
from .enums import (
    AssetState,
    CameraLabel,
    DerivedKind,
    OperatorStatus,
    SessionState,
    SyncMethod,
    VideoState,
)
from .errors import (
    FieldError,
    StrapiAuthError,
    StrapiError,
    StrapiNotFound,
    StrapiRateLimited,
    StrapiResponseError,
    StrapiServerError,
    StrapiUnavailable,
    StrapiValidationError,
)
from .models import (
    DerivedMedia,
    DerivedMediaInput,
    MediaAsset,
    MediaAssetInput,
    RecordingSession,
    RecordingSessionInput,
    SyncResult,
    SyncResultInput,
)
from .query import Filters, Populate, build_params, eq, one_of, related
from .transport import RetryPolicy
from .webhook import WebhookEvent, parse_webhook

__all__ = [
    "SESSION_FULL",
    "AssetState",
    "CameraLabel",
    "Collection",
    "DebugArtifacts",
    "DerivedKind",
    "DerivedMedia",
    "DerivedMediaInput",
    "DocumentRef",
    "Entry",
    "FieldError",
    "Filters",
    "HistoryEntry",
    "JsonRecord",
    "MediaAsset",
    "MediaAssetInput",
    "OperatorStatus",
    "Page",
    "Pagination",
    "Populate",
    "RecordingSession",
    "RecordingSessionInput",
    "RelationChange",
    "RetryPolicy",
    "ReviewMark",
    "ReviewerMark",
    "SessionState",
    "StrapiAuthError",
    "StrapiClient",
    "StrapiError",
    "StrapiNotFound",
    "StrapiRateLimited",
    "StrapiResponseError",
    "StrapiServerError",
    "StrapiUnavailable",
    "StrapiValidationError",
    "SyncMethod",
    "SyncResult",
    "SyncResultInput",
    "TimelineLink",
    "VideoState",
    "WebhookEvent",
    "WriteModel",
    "build_params",
    "deadline",
    "eq",
    "one_of",
    "parse_webhook",
    "related",
]
