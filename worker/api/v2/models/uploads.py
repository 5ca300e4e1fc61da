"""Request and response bodies of the upload endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from strapi_client.enums import CameraLabel
from strapi_client.models import MAX_TAKE
from worker.api.v2.models.base import ApiModel, Line, PresignedUrl, RequestModel
from worker.storage.parts import MAX_OBJECT_SIZE, MAX_PARTS

Sha256 = Annotated[
    str, Field(pattern=r"^[0-9a-fA-F]{64}$", description="Hex SHA-256 of the whole file.")
]
PartNumber = Annotated[int, Field(ge=1, le=MAX_PARTS)]
ContentType = Annotated[
    str, Field(pattern=r"^[\x21-\x7e][\x20-\x7e]{0,254}$", description="MIME type of the file.")
]
# ETags and upload ids are opaque, printable and short (S3's are far shorter).
Token = Annotated[str, Field(pattern=r"^[\x21-\x7e]{1,1024}$")]


class InitUpload(RequestModel):
    camera_label: CameraLabel = Field(
        description="A camera (A-E), or REC for a sound recorder's audio-only file."
    )
    take: int = Field(
        1,
        ge=1,
        le=MAX_TAKE,
        description="Which of this camera's files (takes, or a recording split into "
        "files), counted from 1 in the order they were recorded.",
    )
    filename: Annotated[
        Line,
        Field(min_length=1, max_length=255, description="The file's name (its extension is kept)."),
    ]
    content_type: ContentType = "application/octet-stream"
    size_bytes: Annotated[int, Field(ge=1, le=MAX_OBJECT_SIZE)]
    sha256: Sha256 | None = Field(
        None, description="Recorded on the object; ingestion verifies the bytes against it."
    )
    resume: bool = Field(
        False,
        description="If this camera has an unfinished upload of the same file (same "
        "size and sha256), continue it instead of starting over.",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cameraLabel": "A",
                    "filename": "camA.mp4",
                    "contentType": "video/mp4",
                    "sizeBytes": 734003200,
                    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                }
            ]
        }
    )


class PartUrl(ApiModel):
    part_number: int
    url: str
    offset: int = Field(description="Byte offset of the part in the file.")
    size_bytes: int
    expires_at: dt.datetime


class UploadedPart(ApiModel):
    part_number: PartNumber
    etag: Token
    size_bytes: int | None = None


class UploadTicket(ApiModel):
    """Where and how to send the file."""

    asset_id: str
    camera_label: str
    take: int = 1
    upload_id: str = Field(description="Pass it to complete (and part-urls).")
    mode: Literal["single", "multipart"]
    key: str = Field(description="Object key the file is stored under.")
    size_bytes: int
    sha256: str | None = None
    part_size_bytes: int | None = Field(
        None, description="Multipart: every part but the last has exactly this size."
    )
    part_count: int
    url: PresignedUrl | None = Field(
        None, description="Single: PUT the whole file here with these headers."
    )
    parts: list[PartUrl] = Field(
        default_factory=list,
        description="Multipart: URLs of the first parts still missing; ask part-urls for more.",
    )
    uploaded_parts: list[UploadedPart] = Field(
        default_factory=list, description="Parts storage already holds (resumed upload)."
    )
    resumed: bool = False
    complete_path: str

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "assetId": "a1b2c3d4e5f6g7h8i9j0k1l2",
                    "cameraLabel": "A",
                    "uploadId": "2~Yk9sb2dVcGxvYWRJZA",
                    "mode": "multipart",
                    "key": "projects/acme-doc/20261120/originals/angle-001_v001.mp4",
                    "sizeBytes": 734003200,
                    "partSizeBytes": 67108864,
                    "partCount": 11,
                    "parts": [
                        {
                            "partNumber": 1,
                            "url": "https://bucket.example/...&partNumber=1",
                            "offset": 0,
                            "sizeBytes": 67108864,
                            "expiresAt": "2026-11-20T16:00:00Z",
                        }
                    ],
                    "uploadedParts": [],
                    "resumed": False,
                    "completePath": "/v2/sessions/k3v9x0q2m7l1p8r4t6w5y2z0/assets/"
                    "a1b2c3d4e5f6g7h8i9j0k1l2/complete",
                }
            ]
        }
    )


class PartUrlsRequest(RequestModel):
    upload_id: Token
    part_numbers: Annotated[list[PartNumber], Field(min_length=1, max_length=1000)]

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"uploadId": "2~Yk9sb2dVcGxvYWRJZA", "partNumbers": [2, 3]}]
        }
    )


class PartUrls(ApiModel):
    upload_id: str
    parts: list[PartUrl]


class CompleteUpload(RequestModel):
    upload_id: Token
    parts: Annotated[list[UploadedPart], Field(max_length=MAX_PARTS)] = Field(
        default_factory=list,
        description="Multipart: every part's number and the ETag its PUT returned. Empty: "
        "whatever parts storage holds (the size is still verified).",
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "uploadId": "2~Yk9sb2dVcGxvYWRJZA",
                    "parts": [{"partNumber": 1, "etag": '"b54357faf0632cce46e942fa68356b38"'}],
                }
            ]
        }
    )


class UploadDone(ApiModel):
    asset_id: str
    camera_label: str
    take: int = 1
    state: str = Field(description="The asset's state: ingesting once complete.")
    original_url: str
    key: str
    size_bytes: int
    sha256: str | None = None
    etag: str | None = Field(None, description="The stored object's ETag (MD5-based).")
    ingest_job_id: str | None = None
    already_completed: bool = Field(
        False, description="True when this upload had already been completed (a repeated call)."
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "assetId": "a1b2c3d4e5f6g7h8i9j0k1l2",
                    "cameraLabel": "A",
                    "state": "ingesting",
                    "originalUrl": "s3://multicam/projects/acme-doc/20261120/originals/angle-001_v001.mp4",
                    "key": "projects/acme-doc/20261120/originals/angle-001_v001.mp4",
                    "sizeBytes": 734003200,
                    "etag": "0c7c5ab1d6f0c2b4d1e5f2a3b4c5d6e7-11",
                    "ingestJobId": "ingest:a1b2c3d4e5f6g7h8i9j0k1l2:5d41402abc4b2a76",
                    "alreadyCompleted": False,
                }
            ]
        }
    )


class BrowserCheck(ApiModel):
    """The bucket's CORS rules let a browser on ``origin`` upload with the presigned URLs."""

    origin: str
    ok: Literal[True] = True

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"origin": "https://cms.example", "ok": True}]}
    )
