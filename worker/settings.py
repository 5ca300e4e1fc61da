"""Service settings (environment variables prefixed ``MULTICAM_``).

``docs/configuration.md`` is generated from these classes (``multicam config``),
so every field carries its description here.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Webhook service, worker and queue settings."""

    model_config = SettingsConfigDict(env_prefix="MULTICAM_", extra="ignore",
                                      env_file=".env", env_file_encoding="utf-8")

    strapi_url: str = Field("http://127.0.0.1:1337",
                            description="Base URL of the Strapi 5 server (no /api suffix).")
    strapi_token: SecretStr = Field(SecretStr(""),
                                    description="Strapi API token with full access (the worker's).")
    webhook_secret: SecretStr = Field(
        SecretStr(""),
        description="Shared secret Strapi sends in the X-Multicam-Webhook-Secret header; "
                    "webhooks without it are refused (401).")
    api_token: SecretStr = Field(SecretStr(""),
                                 description="Bearer token for the /v2 upload and review API "
                                             "(and what `multicam upload` sends). Empty "
                                             "refuses every /v2 request.")
    api_url: str = Field("http://127.0.0.1:8000",
                         description="Base URL of the multicam API, for `multicam upload`.")
    upload_single_max_mb: int = Field(
        64, ge=1, le=5 * 1024,
        description="Uploads up to this many MiB get one presigned PUT; larger ones S3 "
                    "multipart (a single PUT is limited to 5 GiB).")
    upload_part_size_mb: int = Field(
        64, ge=5, le=5 * 1024,
        description="Preferred multipart part size in MiB; raised automatically so that "
                    "any file (200 GB and more) fits in S3's 10,000 parts.")
    upload_url_expiry_s: int = Field(
        6 * 3600, ge=60, le=7 * 24 * 3600,
        description="Lifetime of presigned upload URLs (s). Part URLs are handed out in "
                    "batches, so a slow upload asks for fresh ones as it goes.")
    upload_urls_per_response: int = Field(
        100, ge=1, le=1000,
        description="Part URLs returned by one init-upload or part-urls call.")
    link_expiry_s: int = Field(
        3600, ge=60, le=7 * 24 * 3600,
        description="Lifetime of the presigned download links (proxies, waveforms, debug "
                    "artifacts) in GET /v2/sessions/{id}/sync (s).")
    redis_url: str = Field("redis://127.0.0.1:6379/0",
                           description="Redis for the arq job queue (DB number selects the DB).")
    queue_name: str = Field("multicam:queue", description="arq queue name (Redis key).")
    http_host: str = Field("127.0.0.1", description="Address `multicam serve` binds to.")
    http_port: int = Field(8000, description="Port `multicam serve` listens on.")
    max_jobs: int = Field(2, ge=1,
                          description="Jobs one worker process runs at once (ingest is CPU "
                                      "heavy: about one per core).")
    ingest_timeout_s: int = Field(4 * 3600, ge=10,
                                  description="Hard time limit of one ingest job (s).")
    sync_timeout_s: int = Field(1800, ge=10, description="Hard time limit of one sync job (s).")
    max_tries: int = Field(5, ge=1,
                           description="Attempts per job for transient errors (Strapi, Redis "
                                       "or storage unreachable) before giving up.")
    retry_backoff_s: float = Field(5.0, gt=0,
                                   description="First retry delay; doubles on every attempt.")
    reconcile_interval_s: int = Field(60, ge=5,
                                      description="How often the reconcile cron looks for "
                                                  "work that lost its webhook or job.")
    stale_job_s: int = Field(1800, ge=10,
                             description="An ingest whose progress has not moved for this "
                                         "long is treated as orphaned by a dead worker and "
                                         "released to run again by the reconcile cron (s).")
    work_dir: str = Field("",
                          description="Scratch folder for downloads and derived files "
                                      "(default: the system temp dir).")
    log_level: str = Field("info", description="debug, info, warning or error.")
    log_json: bool = Field(True, description="JSON log lines (false: human-readable console).")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
