"""Session bodies: create a session, read it with its assets."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import ConfigDict, Field

from worker.api.v2.models.base import ApiModel, Line, RequestModel, Text


class SessionCreate(RequestModel):
    title: Annotated[Line, Field(min_length=1, max_length=200)]
    date: Annotated[
        dt.date,
        Field(
            ge=dt.date(1900, 1, 1),
            le=dt.date(2999, 12, 31),
            description="Day of the shoot (also in storage keys).",
        ),
    ]
    project_id: Annotated[
        Line, Field(min_length=1, max_length=100, description="Project the session belongs to.")
    ]
    location: Annotated[Line, Field(max_length=200)] | None = None
    notes: Annotated[Text, Field(max_length=10_000)] | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "Interview with the director",
                    "date": "2026-11-20",
                    "projectId": "acme-doc",
                    "location": "Studio 2",
                }
            ]
        }
    )


class AssetSummary(ApiModel):
    asset_id: str
    camera_label: str = Field(description="A camera (A-E) or REC, the sound recorder.")
    take: int = Field(1, description="Which of the camera's files, from 1.")
    clip_id: str = Field(
        description="What the sync result's maps call this file: the label when the camera "
        "has one file, else label#take."
    )
    state: str = Field(
        description="The audio track: uploading, ingesting, ready (the camera "
        "can be synced) or failed."
    )
    video_state: str | None = Field(
        None,
        description="The video track (proxy, thumbnail, mezzanine): pending, encoding, "
        "ready or failed; made after the audio, the sync does not wait for it.",
    )
    video_progress_pct: int | None = None
    original_filename: str | None = None
    duration_ms: int | None = None
    progress_pct: int | None = None
    progress_message: str | None = None
    error_message: str | None = None


class SessionOut(ApiModel):
    session_id: str = Field(description="The recording-session's Strapi documentId.")
    title: str
    date: dt.date
    project_id: str
    location: str | None = None
    notes: str | None = None
    state: str = Field(description="draft, ingesting, syncing, needs-review or ready.")
    progress_pct: int | None = None
    progress_message: str | None = None
    assets: list[AssetSummary] = Field(default_factory=list)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sessionId": "k3v9x0q2m7l1p8r4t6w5y2z0",
                    "title": "Interview with the director",
                    "date": "2026-11-20",
                    "projectId": "acme-doc",
                    "location": "Studio 2",
                    "state": "needs-review",
                    "progressPct": 100,
                    "progressMessage": "synced (master A): B looks-good, C looks-good",
                    "assets": [
                        {
                            "assetId": "a1b2c3d4e5f6g7h8i9j0k1l2",
                            "cameraLabel": "A",
                            "state": "ready",
                            "originalFilename": "camA.mp4",
                            "durationMs": 40000,
                        }
                    ],
                }
            ]
        }
    )
