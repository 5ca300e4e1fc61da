"""What the timeline builder needs: the sync's offsets and each camera's files (pydantic)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class MediaFile(BaseModel):
    """One file a clip points at, and where its time 0 lies in the camera's source."""

    model_config = ConfigDict(frozen=True)

    url: str = Field(description="Where the editor finds it: a URL or a local path.")
    origin_ms: float = Field(description="Source time (ms) at this file's time 0.")
    duration_ms: float = Field(gt=0, description="Length of the file (ms).")


class CameraMedia(BaseModel):
    """One clip (a camera's file): when its sound and picture start in its source, and
    its files. A camera with several files has one of these per file."""

    model_config = ConfigDict(frozen=True)

    label: str = Field(description="The clip id: the key of its offset in SyncFacts.")
    camera: str | None = Field(None, description="The camera's label (default: ``label``).")
    take: int = Field(1, ge=1)
    recorder: bool = Field(False, description="A sound recorder's file: sound only.")
    fps: float | None = Field(None, gt=0)
    audio_start_ms: float = Field(description="Source time of the first audio sample.")
    video_start_ms: float | None = Field(None, description="Source time of the first frame.")
    video: MediaFile | None = None
    audio: MediaFile | None = None

    @property
    def track_label(self) -> str:
        """The camera whose tracks the clip goes on."""
        return self.camera or self.label


class SyncFacts(BaseModel):
    """The sync result as the editor should use it (offsets: the final ones)."""

    model_config = ConfigDict(frozen=True)

    title: str
    master: str = Field(description="The master camera's label.")
    master_clip: str | None = Field(
        None, description="The clip at the timeline's zero when it is not ``master``."
    )
    offsets_ms: dict[str, float] = Field(
        description="Where each camera's first audio sample lies on the master's timeline."
    )
    drift_ppm: dict[str, float] = Field(default_factory=dict)
    corrected: frozenset[str] = Field(
        default_factory=frozenset, description="Cameras whose offset is the operator's."
    )
    errors: dict[str, str] = Field(
        default_factory=dict, description="Why a camera could not be placed."
    )
    status: str = Field(description="approved | corrected | pending | local")
    draft: bool = Field(False, description="Not approved yet: marked as such in the file.")
    session_id: str | None = None
