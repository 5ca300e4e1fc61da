"""Enumerations shared with strapi-schemas/ (keep in step with the schema files)."""

from __future__ import annotations

from enum import StrEnum


class SessionState(StrEnum):
    DRAFT = "draft"
    INGESTING = "ingesting"
    SYNCING = "syncing"
    NEEDS_REVIEW = "needs-review"
    READY = "ready"


class AssetState(StrEnum):
    UPLOADING = "uploading"
    INGESTING = "ingesting"
    READY = "ready"
    FAILED = "failed"


class VideoState(StrEnum):
    """The asset's video track (proxy, thumbnail, mezzanine), made after its audio."""

    PENDING = "pending"
    ENCODING = "encoding"
    READY = "ready"
    FAILED = "failed"


class CameraLabel(StrEnum):
    """A camera the operator named, or REC: a sound recorder (audio only, no picture)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    REC = "REC"

    @property
    def is_recorder(self) -> bool:
        return self is CameraLabel.REC


class DerivedKind(StrEnum):
    MEZZANINE = "mezzanine"
    PROXY = "proxy"
    AUDIO_WAV = "audio-wav"
    WAVEFORM = "waveform"
    THUMBNAIL = "thumbnail"
    REVIEW_CLIPS = "review-clips"  # short clips before the proxy; the entry's clips list them


class SyncMethod(StrEnum):
    XCORR = "xcorr"
    FINGERPRINT = "fingerprint"
    HYBRID = "hybrid"
    MANUAL = "manual"


class OperatorStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    CORRECTED = "corrected"
