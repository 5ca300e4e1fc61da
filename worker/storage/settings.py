"""Storage configuration, read from ``MULTICAM_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from worker.settings import ENV_FILE

MIB = 1024 * 1024


class StorageSettings(BaseSettings):
    """Where objects live: a local folder (default) or an S3-compatible bucket (R2)."""

    model_config = SettingsConfigDict(
        env_prefix="MULTICAM_", extra="ignore", env_file=ENV_FILE, env_file_encoding="utf-8"
    )

    storage_backend: Literal["local", "s3"] = Field(
        "local",
        description="Storage backend: `local` (a folder; the embedded default) or `s3` "
        "(any S3-compatible service; Cloudflare R2 in production).",
    )
    storage_root: Path = Field(
        Path("./.multicam-storage"),
        description="Local backend: the folder that holds every object (created if missing). "
        "URLs outside it are refused.",
    )
    s3_endpoint_url: str | None = Field(
        None,
        description="S3 backend: endpoint URL, e.g. `https://<account>.r2.cloudflarestorage.com`. "
        "Empty means AWS S3.",
    )
    s3_bucket: str | None = Field(
        None,
        description="S3 backend: the bucket (required). URLs in other buckets are refused.",
    )
    s3_region: str = Field(
        "auto",
        description="S3 backend: signing region; R2 uses `auto`.",
    )
    s3_access_key_id: str | None = Field(
        None,
        description="S3 backend: access key id. Empty means the default AWS credential chain.",
    )
    s3_secret_access_key: SecretStr | None = Field(
        None,
        description="S3 backend: secret access key.",
    )
    s3_multipart_threshold_mb: int = Field(
        64,
        ge=5,
        le=5 * 1024,
        description="S3 backend: files larger than this many MiB are uploaded in parts.",
    )
    s3_part_size_mb: int = Field(
        64,
        ge=5,
        le=5 * 1024,
        description="S3 backend: multipart part size in MiB (5-5120). Raised automatically "
        "when a file would need more than 10,000 parts. Each part is held in "
        "memory while it uploads.",
    )
    s3_public_base_url: str | None = Field(
        None,
        description="S3 backend, optional: public base URL of the bucket (e.g. an R2 custom "
        "domain). Used for public links, and accepted by the URL check.",
    )
    s3_verify_etag: bool = Field(
        True,
        description="S3 backend: compare each upload's ETag with the MD5 we computed (S3, R2 "
        "and moto return MD5 ETags). Turn off only for SSE-KMS buckets.",
    )
    s3_max_attempts: int = Field(
        5,
        ge=1,
        le=20,
        description="S3 backend: attempts per request (botocore standard retry mode) before "
        "a transient failure surfaces as StorageUnavailable.",
    )
    s3_connect_timeout_s: float = Field(
        10.0,
        gt=0,
        description="S3 backend: connect timeout in seconds.",
    )
    s3_read_timeout_s: float = Field(
        120.0,
        gt=0,
        description="S3 backend: read timeout in seconds (per socket read).",
    )

    @model_validator(mode="after")
    def _s3_needs_bucket(self) -> Self:
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise ValueError("MULTICAM_S3_BUCKET is required when MULTICAM_STORAGE_BACKEND=s3")
        if (self.s3_access_key_id is None) != (self.s3_secret_access_key is None):
            raise ValueError(
                "set both MULTICAM_S3_ACCESS_KEY_ID and MULTICAM_S3_SECRET_ACCESS_KEY, or neither"
            )
        return self

    @property
    def multipart_threshold(self) -> int:
        return self.s3_multipart_threshold_mb * MIB

    @property
    def part_size(self) -> int:
        return self.s3_part_size_mb * MIB

    def to_env(self) -> dict[str, str]:
        """These settings as environment variables, for starting a subprocess (worker, demo)."""
        env: dict[str, str] = {}
        for name, value in self:
            if value is None:
                continue
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            elif isinstance(value, bool):
                value = "true" if value else "false"
            env[f"MULTICAM_{name.upper()}"] = str(value)
        return env
