"""Request and response bodies of the sync review endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from worker.api.v2.models.base import ApiModel, Line, Link, RequestModel, Text
from worker.sync.confidence import Verdict

Notes = Annotated[Text, Field(max_length=10_000)]
CameraKey = Annotated[Line, Field(min_length=1, max_length=8)]


class ReviewClipLink(ApiModel):
    """A few seconds of a camera's picture, cut before its proxy exists."""

    start_ms: float = Field(
        description="Where the clip starts on the master's timeline (at the offsets it was "
        "cut for: the sync result's computed ones)."
    )
    end_ms: float = Field(description="Where it ends on the master's timeline.")
    url: str = Field(description="A temporary link to the clip (MP4, H.264, no sound).")
    expires_at: dt.datetime | None = None
    proxy_start_ms: float = Field(
        description="The clip's time 0 on the camera's proxy timeline (see proxyOriginMs): "
        "the clip shows proxy time p at clip time p − proxyStartMs, whatever the offset."
    )
    proxy_end_ms: float
    reasons: list[str] = Field(
        default_factory=list,
        description="Why this moment: event (a loud onset of the master's sound), start, "
        "middle or end of the camera's overlap with the master.",
    )


class CameraReview(ApiModel):
    """One clip of the session: a camera's file (or the sound recorder's)."""

    label: str = Field(
        description="The clip id the offsets are keyed by: the camera's label when it has "
        "one file in the session, else label#take (B#2)."
    )
    camera: str | None = Field(None, description="The camera's label (REC: the sound recorder).")
    take: int | None = Field(None, description="Which of the camera's files, from 1.")
    is_recorder: bool = False
    is_master: bool = Field(description="This clip is the timeline's zero.")
    asset_id: str | None = None
    state: str | None = Field(
        None, description="The camera's asset state (ready: its audio is in and it can be synced)."
    )
    video_state: str | None = Field(
        None,
        description="The camera's video derivatives (proxy, thumbnail, mezzanine): "
        "pending, encoding, ready or failed. The sync does not wait for "
        "them; links.proxy appears once ready.",
    )
    video_progress_pct: int | None = Field(None, description="Progress of the video encode.")
    duration_ms: int | None = None
    fps: float | None = Field(None, description="Nominal frame rate of the original.")
    audio_start_ms: float | None = Field(
        None,
        description="Source time (ms) of the original's first audio sample: where the "
        "audio-wav, and so the offsets, start.",
    )
    video_start_ms: float | None = Field(
        None, description="Source time (ms) of the original's first video frame."
    )
    proxy_origin_ms: float | None = Field(
        None,
        description="Source time (ms) at the proxy's time 0. Camera proxy time (ms) of "
        "master time t: audioStartMs − proxyOriginMs + (t − finalOffsetMs)"
        "·(1 + driftPpm·1e-6). Null for files ingested before it was kept.",
    )
    offset_ms: float | None = Field(
        None,
        description="Computed offset (ms on the master's timeline of this camera's first sample).",
    )
    final_offset_ms: float | None = Field(None, description="What editing uses.")
    confidence: float | None = Field(None, description="Standard score of the match.")
    confidence_pct: float | None = Field(
        None, description="Probability (%) that the offset is right within one video frame."
    )
    classification: str | None = Field(
        None,
        description="looks-good, review-suggested or needs-manual-nudge (the master has none).",
    )
    drift_ppm: float | None = None
    error: str | None = Field(None, description="Why the camera could not be synced.")
    links: dict[str, Link] = Field(
        default_factory=dict,
        description="proxy, waveform, "
        "thumbnail, audio-wav, mezzanine and debug (the sync "
        "artifact), where they exist.",
    )
    review_clips: list[ReviewClipLink] = Field(
        default_factory=list,
        description="Short clips around the moments that prove the sync, in time order, "
        "made within a minute of the sync result while the full proxy (links.proxy) "
        "follows; empty before they exist and for cameras whose proxy was ready first.",
    )


class SyncView(ApiModel):
    session_id: str
    session_state: str
    sync_result_id: str
    master_camera: str | None = None
    master_clip: str | None = Field(
        None, description="The clip at the timeline's zero (the master camera's label or B#1)."
    )
    clips_by_camera: dict[str, list[str]] = Field(
        default_factory=dict, description="Each camera's clip ids, in take order."
    )
    offsets_ms: dict[str, float] = Field(
        default_factory=dict,
        description="The computed offsets (kept as computed, whatever the review).",
    )
    confidence: dict[str, float] = Field(default_factory=dict)
    confidence_pct: dict[str, float] = Field(default_factory=dict)
    overall_confidence_pct: float | None = Field(
        None,
        description="The lowest confidencePct of the non-master cameras (0 when one "
        "could not be placed): the session's 'Sync confidence'.",
    )
    classification: dict[str, str] = Field(default_factory=dict)
    verdict: Verdict | None = Field(
        None,
        description="looks-good when every camera but the master is looks-good (z ≥ 10 "
        "and confidencePct ≥ 90: the engine's one rule), else review; the admin's sync "
        "card offers 'Looks good' only then. Null when no camera was judged.",
    )
    drift_ppm: dict[str, float] = Field(default_factory=dict)
    method: str | None = Field(None, description="xcorr (computed) or manual (corrected).")
    operator_status: str = Field(description="pending, approved or corrected.")
    operator_offsets_ms: dict[str, Any] | None = None
    final_offsets_ms: dict[str, float] = Field(
        description="operatorOffsetsMs when corrected, else offsetsMs: what editing uses."
    )
    approved_by: str | None = Field(
        None,
        description="Who reviewed: the admin user's e-mail, "
        "or the name of the API token the review was made with.",
    )
    approved_at: dt.datetime | None = None
    reviewer: dict[str, Any] | None = Field(
        None,
        description='Who reviewed, from the credential of the /v2 review: {"kind": '
        '"admin", "id": 3, "email": "…"} or {"kind": "token", "name": "…"}; '
        "null when pending or reviewed in the Strapi admin's raw fields.",
    )
    review_notes: str | None = None
    computed_at: dt.datetime | None = None
    cameras: list[CameraReview] = Field(default_factory=list)
    history: list[dict[str, Any]] = Field(
        default_factory=list, description="Earlier results' figures, oldest first."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sessionId": "k3v9x0q2m7l1p8r4t6w5y2z0",
                    "sessionState": "needs-review",
                    "syncResultId": "s9d8f7g6h5j4k3l2m1n0b9v8",
                    "masterCamera": "A",
                    "offsetsMs": {"A": 0.0, "B": 6432.1, "C": -4123.4},
                    "confidence": {"B": 41.2, "C": 37.9},
                    "confidencePct": {"B": 99.2, "C": 92.4},
                    "overallConfidencePct": 92.4,
                    "classification": {"B": "looks-good", "C": "looks-good"},
                    "verdict": "looks-good",
                    "driftPpm": {"B": 0.0, "C": 0.0},
                    "method": "xcorr",
                    "operatorStatus": "pending",
                    "operatorOffsetsMs": None,
                    "finalOffsetsMs": {"A": 0.0, "B": 6432.1, "C": -4123.4},
                    "computedAt": "2026-11-20T10:04:12Z",
                    "cameras": [
                        {
                            "label": "B",
                            "isMaster": False,
                            "assetId": "b1c2d3e4f5g6h7i8j9k0l1m2",
                            "state": "ready",
                            "durationMs": 36000,
                            "offsetMs": 6432.1,
                            "finalOffsetMs": 6432.1,
                            "confidence": 41.2,
                            "confidencePct": 99.2,
                            "classification": "looks-good",
                            "driftPpm": 0.0,
                            "links": {
                                "proxy": {
                                    "url": "https://bucket.example/...proxies/"
                                    "angle-002_v001.mp4?X-Amz-Signature=...",
                                    "expiresAt": "2026-11-20T11:04:12Z",
                                }
                            },
                        }
                    ],
                    "history": [],
                }
            ]
        }
    )


_SIGNED = (
    "the approver now comes from the credential: the review is signed with the "
    "API token's name, or with the e-mail of the Strapi admin user the admin panel "
    "acts for; leave {} out"
)


class _SignedByCredential(RequestModel):
    """A review body: who reviewed is never in it (see ``worker.api.v2.auth``)."""

    # Accepted only to be refused with a reason (hidden from the OpenAPI document).
    approved_by: SkipJsonSchema[object] = Field(None, exclude=True)
    corrected_by: SkipJsonSchema[object] = Field(None, exclude=True)

    @field_validator("approved_by", "corrected_by", mode="before")
    @classmethod
    def _refuse_named_reviewer(cls, _value: object, info: ValidationInfo) -> object:
        alias = {"approved_by": "approvedBy", "corrected_by": "correctedBy"}[str(info.field_name)]
        raise PydanticCustomError("approver_from_credential", _SIGNED.format(alias))


# Required: a review names the result it was made on, so offsets nobody looked at
# (a result recomputed meanwhile) are never approved.
ReviewedAt = Annotated[
    dt.datetime,
    Field(
        description="computedAt of the result you reviewed (GET .../sync): 409 if it was "
        "recomputed since."
    ),
]


class ApproveRequest(_SignedByCredential):
    notes: Notes | None = None
    computed_at: ReviewedAt

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"notes": "Checked the clap at 00:12.", "computedAt": "2026-11-20T10:04:12.120Z"}
            ]
        }
    )


class CorrectRequest(_SignedByCredential):
    offsets: Annotated[
        dict[CameraKey, float],
        Field(
            min_length=1,
            max_length=26,
            description="Offsets in ms for the cameras you correct (the master stays 0); the "
            "others keep their computed offsets.",
        ),
    ]
    notes: Notes | None = None
    computed_at: ReviewedAt

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "offsets": {"C": -4123.4},
                    "notes": "C nudged onto the slate clap.",
                    "computedAt": "2026-11-20T10:04:12.120Z",
                }
            ]
        }
    )


class RecomputeAccepted(ApiModel):
    session_id: str
    job_id: str
    message: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sessionId": "k3v9x0q2m7l1p8r4t6w5y2z0",
                    "jobId": "sync:k3v9x0q2m7l1p8r4t6w5y2z0",
                    "message": "sync queued; the session goes syncing, then needs-review",
                }
            ]
        }
    )
