"""The four content types as Strapi returns them, and their write models."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

from pydantic import BeforeValidator, Field

from .base import BigInt, Entry, RelationInput, StoredText, WriteModel
from .debug_artifacts import DebugArtifacts
from .enums import (
    AssetState,
    CameraLabel,
    DerivedKind,
    OperatorStatus,
    SessionState,
    SyncMethod,
    VideoState,
)
from .review_clips import ReviewClipSet, ReviewClipsField

# A camera's takes count from 1; entries written before takes existed hold null (take 1).
MAX_TAKE = 99
TakeNumber = Annotated[int, Field(ge=1, le=MAX_TAKE)]
Take = Annotated[TakeNumber, BeforeValidator(lambda v: 1 if v is None else v)]

# Relations are present only when populated: `None` means "not asked for" (or, for a
# to-one relation, "asked for and empty").


class RecordingSession(Entry):
    """api::recording-session.recording-session"""

    uid: ClassVar[str] = "api::recording-session.recording-session"
    plural: ClassVar[str] = "recording-sessions"

    title: str
    date: dt.date
    location: str | None = None
    notes: str | None = None
    project_id: str
    state: SessionState = SessionState.DRAFT
    progress_pct: int | None = None
    progress_message: str | None = None
    assets: list[MediaAsset] | None = None
    sync_result: SyncResult | None = None


class MediaAsset(Entry):
    """api::media-asset.media-asset"""

    uid: ClassVar[str] = "api::media-asset.media-asset"
    plural: ClassVar[str] = "media-assets"

    camera_label: CameraLabel
    take: Take = 1
    original_filename: str | None = None
    original_url: str | None = None
    duration_ms: int | None = None
    fps: float | None = None
    resolution: str | None = None
    codec: str | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
    audio_channels: int | None = None
    is_vfr: bool | None = None
    audio_start_ms: float | None = None
    video_start_ms: float | None = None
    state: AssetState = AssetState.UPLOADING
    error_message: str | None = None
    progress_pct: int | None = None
    progress_message: str | None = None
    video_state: VideoState | None = None
    video_progress_pct: int | None = None
    natural_key: str | None = None
    session: RecordingSession | None = None
    derivatives: list[DerivedMedia] | None = None


class DerivedMedia(Entry):
    """api::derived-media.derived-media"""

    uid: ClassVar[str] = "api::derived-media.derived-media"
    plural: ClassVar[str] = "derived-medias"

    kind: DerivedKind
    url: str
    size_bytes: int | None = None
    checksum: str | None = None
    storage_key: str | None = None
    content_type: str | None = None
    clips: ReviewClipsField = None
    natural_key: str | None = None
    asset: MediaAsset | None = None


class SyncResult(Entry):
    """api::sync-result.sync-result (JSON fields are keyed by clip id, see worker/clips)."""

    uid: ClassVar[str] = "api::sync-result.sync-result"
    plural: ClassVar[str] = "sync-results"

    master_camera: CameraLabel | None = None
    offsets_ms: dict[str, float] | None = None
    confidence: dict[str, float] | None = None
    confidence_pct: dict[str, float] | None = None
    classification: dict[str, str] | None = None
    drift_ppm: dict[str, float] | None = None
    method: SyncMethod | None = None
    operator_status: OperatorStatus = OperatorStatus.PENDING
    operator_offsets_ms: dict[str, float] | None = None
    debug_artifacts: DebugArtifacts | None = None
    computed_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    approved_by: str | None = None
    review_notes: str | None = None
    natural_key: str | None = None
    session: RecordingSession | None = None


class RecordingSessionInput(WriteModel):
    title: str | None = None
    date: dt.date | None = None
    location: str | None = None
    notes: StoredText | None = None
    project_id: str | None = None
    state: SessionState | None = None
    progress_pct: int | None = None
    progress_message: StoredText | None = None
    assets: RelationInput = None
    sync_result: RelationInput = None


class MediaAssetInput(WriteModel):
    camera_label: CameraLabel | None = None
    take: TakeNumber | None = None
    original_filename: str | None = None
    original_url: str | None = None
    duration_ms: int | None = None
    fps: float | None = None
    resolution: str | None = None
    codec: str | None = None
    audio_codec: str | None = None
    sample_rate: int | None = None
    audio_channels: int | None = None
    is_vfr: bool | None = None
    audio_start_ms: float | None = None
    video_start_ms: float | None = None
    state: AssetState | None = None
    error_message: StoredText | None = None
    progress_pct: int | None = None
    progress_message: StoredText | None = None
    video_state: VideoState | None = None
    video_progress_pct: int | None = None
    session: RelationInput = None
    derivatives: RelationInput = None


class DerivedMediaInput(WriteModel):
    kind: DerivedKind | None = None
    url: str | None = None
    size_bytes: BigInt | None = None
    checksum: str | None = None
    storage_key: str | None = None
    content_type: str | None = None
    clips: ReviewClipSet | None = None
    asset: RelationInput = None


class SyncResultInput(WriteModel):
    master_camera: CameraLabel | None = None
    offsets_ms: dict[str, float] | None = None
    confidence: dict[str, float] | None = None
    confidence_pct: dict[str, float] | None = None
    classification: dict[str, str] | None = None
    drift_ppm: dict[str, float] | None = None
    method: SyncMethod | None = None
    operator_status: OperatorStatus | None = None
    operator_offsets_ms: dict[str, float] | None = None
    debug_artifacts: DebugArtifacts | None = None
    computed_at: dt.datetime | None = None
    approved_at: dt.datetime | None = None
    approved_by: str | None = None
    review_notes: StoredText | None = None
    session: RelationInput = None


for _model in (RecordingSession, MediaAsset, DerivedMedia, SyncResult):
    _model.model_rebuild()
