"""Service settings (environment variables prefixed ``MULTICAM_``).

``docs/configuration.md`` is generated from these classes (``multicam config``),
so every field carries its description here.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from worker.api.v2.scopes import Scope

# Every settings class (this one, IngestSettings, StorageSettings) reads the same .env in
# the working directory, under the environment's own variables.
ENV_FILE = ".env"

# A credential's name ends up in approvedBy and in logs: printable, one line.
CREDENTIAL_NAME = r"^[^\x00-\x1f\x7f]{1,100}$"


class Settings(BaseSettings):
    """Webhook service, worker and queue settings."""

    model_config = SettingsConfigDict(
        env_prefix="MULTICAM_", extra="ignore", env_file=ENV_FILE, env_file_encoding="utf-8"
    )

    strapi_url: str = Field(
        "http://127.0.0.1:1337", description="Base URL of the Strapi 5 server (no /api suffix)."
    )
    strapi_token: SecretStr = Field(
        SecretStr(""),
        description="Strapi API token of the worker and service (Strapi's bootstrap creates it "
        "allowed only find/findOne/create/update/delete on the four multicam "
        "content types).",
    )
    webhook_secret: SecretStr = Field(
        SecretStr(""),
        description="Shared secret Strapi sends in the X-Multicam-Webhook-Secret header; "
        "webhooks without it are refused (401).",
    )
    api_token: SecretStr = Field(
        SecretStr(""),
        description="Bearer token for the /v2 upload and review API "
        "(and what `multicam upload` sends). Empty "
        "refuses every /v2 request made with it; the "
        "named tokens and the admin panel's still work.",
    )
    # Not MULTICAM_API_TOKEN_NAME: Strapi reads that one (its worker token's name) from
    # the same deploy/.env.
    api_token_name: Annotated[str, Field(pattern=CREDENTIAL_NAME)] = Field(
        "api",
        validation_alias="MULTICAM_API_TOKEN_REVIEWER",
        description="The name of MULTICAM_API_TOKEN: a review made with it is signed with "
        "this name (approvedBy).",
    )
    api_tokens: dict[Annotated[str, Field(pattern=CREDENTIAL_NAME)], SecretStr] = Field(
        default_factory=dict,
        description="More /v2 bearer tokens, one per script or person, as a JSON object "
        '`{"name": "token", ...}`; a review made with one is signed with its '
        "name (approvedBy). Names: 1-100 printable characters.",
    )
    api_token_scopes: dict[Annotated[str, Field(pattern=CREDENTIAL_NAME)], list[Scope]] = Field(
        default_factory=dict,
        description="What each /v2 credential may do, as a JSON object of names (those of "
        'MULTICAM_API_TOKENS, MULTICAM_API_TOKEN_REVIEWER\'s, and "admin-panel") to scopes, '
        '`{"render-farm": ["read"], "uploader": ["read", "upload"]}`: read (the GET routes), '
        "upload (sessions and uploads), review (approve, correct), admin (recompute). A "
        "named token left out may only read; MULTICAM_API_TOKEN and the admin panel's, "
        "left out, may do all four. A route outside a credential's scopes answers 403 "
        "insufficient_scope.",
    )
    admin_panel_token: SecretStr = Field(
        SecretStr(""),
        description="Bearer token of the Strapi admin plugin (multicam-review). A request "
        "with it acts for the logged-in admin user named in the headers "
        "X-Multicam-Admin-User-Id and X-Multicam-Admin-User-Email, signed in "
        "X-Multicam-Admin-Signature (HMAC keyed by this token), on every route; a "
        "review is signed with that e-mail. Empty: no admin panel access.",
    )
    media_url_secret: SecretStr = Field(
        SecretStr(""),
        description="Key of the HMAC signatures of GET /v2/media links (proxies and other "
        "files played from the local storage backend). Empty: derived from "
        "MULTICAM_API_TOKEN, MULTICAM_ADMIN_PANEL_TOKEN and "
        "MULTICAM_WEBHOOK_SECRET (changing one of them then invalidates the "
        "links handed out).",
    )
    api_max_body_bytes: int = Field(
        4 * 1024 * 1024,
        ge=1024,
        description="Largest request body multicam serve accepts (bytes), webhooks included; "
        "larger is refused with 413 payload_too_large. Media never pass through "
        "the service (they go to presigned storage URLs).",
    )
    api_url: str = Field(
        "http://127.0.0.1:8000",
        description="Public base URL of the multicam API: what `multicam "
        "upload` calls, and, with the local storage backend, "
        "the base of the signed media links the review plays "
        "(so browsers must reach it).",
    )
    upload_single_max_mb: int = Field(
        64,
        ge=1,
        le=5 * 1024,
        description="Uploads up to this many MiB get one presigned PUT; larger ones S3 "
        "multipart (a single PUT is limited to 5 GiB).",
    )
    upload_part_size_mb: int = Field(
        64,
        ge=5,
        le=5 * 1024,
        description="Preferred multipart part size in MiB; raised automatically so that "
        "any file (200 GB and more) fits in S3's 10,000 parts.",
    )
    upload_url_expiry_s: int = Field(
        6 * 3600,
        ge=60,
        le=7 * 24 * 3600,
        description="Lifetime of presigned upload URLs (s). Part URLs are handed out in "
        "batches, so a slow upload asks for fresh ones as it goes.",
    )
    upload_urls_per_response: int = Field(
        100, ge=1, le=1000, description="Part URLs returned by one init-upload or part-urls call."
    )
    link_expiry_s: int = Field(
        3600,
        ge=60,
        le=7 * 24 * 3600,
        description="Lifetime of the presigned download links (proxies, waveforms, debug "
        "artifacts) in GET /v2/sessions/{id}/sync (s).",
    )
    redis_url: str = Field(
        "redis://127.0.0.1:6379/0",
        description="Redis for the arq job queue (DB number selects the DB).",
    )
    queue_name: str = Field("multicam:queue", description="arq queue name (Redis key).")
    http_host: str = Field("127.0.0.1", description="Address `multicam serve` binds to.")
    http_port: int = Field(8000, description="Port `multicam serve` listens on.")
    max_jobs: int = Field(
        2,
        ge=1,
        description="Jobs one worker process runs at once (ingest is CPU "
        "heavy: about one per core).",
    )
    video_max_jobs: int = Field(
        1,
        ge=0,
        description="Video encodes (proxy, thumbnail, mezzanine) one worker process runs at "
        "once, from the video queue, beside its MULTICAM_MAX_JOBS audio, sync and "
        "review jobs (x264 uses every core: one is right for most machines; 0: "
        "this worker encodes no video).",
    )
    video_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="Scheduling niceness of the video encodes' threads (0: as the worker). "
        "An encode takes every core for minutes; at 10 the audio ingests, syncs and review "
        "clips an operator waits for run first, and the encode takes whatever is left.",
    )
    ingest_order: Literal["audio-first", "single-pass"] = Field(
        "audio-first",
        description="audio-first: an ingest makes what sync needs (audio WAV, waveform), the "
        "session syncs, and the video derivatives follow as separate jobs. "
        "single-pass: one job makes every derived file from one decode, and the "
        "sync waits for all of them (the old order, kept for comparison).",
    )
    keep_originals_s: int = Field(
        6 * 3600,
        ge=0,
        description="How long a downloaded original stays in the work dir for the video job "
        "of the same machine, so it is read from storage once (s; 0: never kept, "
        "the video job downloads it again).",
    )
    min_free_disk_mb: int = Field(
        1024,
        ge=0,
        description="Free space (MiB) the work dir must keep beyond a download; an ingest "
        "that would eat into it waits and says so in the asset's progress.",
    )
    ingest_timeout_s: int = Field(
        4 * 3600, ge=10, description="Hard time limit of one ingest or video job (s)."
    )
    sync_timeout_s: int = Field(1800, ge=10, description="Hard time limit of one sync job (s).")
    max_tries: int = Field(
        5,
        ge=1,
        description="Attempts per job for transient errors (Strapi, Redis "
        "or storage unreachable) before giving up.",
    )
    job_attempts: int = Field(
        3,
        ge=1,
        description="Attempts at one ingest (per asset and original file) or one sync (per "
        "session and input files) that end in an unexpected error or never end "
        "(worker killed, out of memory, job timeout) before it is given up: the "
        "asset becomes "
        'failed, the session needs-review, with "gave up after N attempts: '
        '<last error>". Transient errors (Strapi, Redis or storage '
        "unreachable) do not count.",
    )
    retry_backoff_s: float = Field(
        5.0, gt=0, description="First retry delay; doubles on every attempt."
    )
    job_result_keep_s: int = Field(
        60,
        ge=1,
        description="How long a finished or failed asset job keeps its job id taken: the "
        "same event arriving again meanwhile is a duplicate and starts nothing; "
        "afterwards reconcile may enqueue the work anew (s).",
    )
    reconcile_interval_s: int = Field(
        60,
        ge=5,
        description="How often the reconcile cron looks for work that lost its webhook or job.",
    )
    stale_job_s: int = Field(
        1800,
        ge=10,
        description="An ingest whose progress has not moved for this "
        "long is treated as orphaned by a dead worker and "
        "released to run again by the reconcile cron (s).",
    )
    work_dir: str = Field(
        "",
        description="Scratch folder for downloads and derived files "
        "(default: the system temp dir).",
    )
    log_level: str = Field("info", description="debug, info, warning or error.")
    log_json: bool = Field(True, description="JSON log lines (false: human-readable console).")

    @model_validator(mode="after")
    def _credentials_are_distinct(self) -> Self:
        # One token, one name: otherwise a review could not say who made it.
        seen: dict[str, str] = {}
        named = [
            ("MULTICAM_API_TOKEN", self.api_token),
            ("MULTICAM_ADMIN_PANEL_TOKEN", self.admin_panel_token),
            *((f"MULTICAM_API_TOKENS[{name!r}]", token) for name, token in self.api_tokens.items()),
        ]
        for where, token in named:
            value = token.get_secret_value()
            if not value:
                if where.startswith("MULTICAM_API_TOKENS"):
                    raise ValueError(f"{where} is empty: give it a token or remove it")
                continue
            if value in seen:
                raise ValueError(
                    f"{where} is the same token as {seen[value]}: every "
                    "credential needs its own token"
                )
            seen[value] = where
        known = {self.api_token_name, "admin-panel", *self.api_tokens}
        unknown = sorted(set(self.api_token_scopes) - known)
        if unknown:
            raise ValueError(
                f"MULTICAM_API_TOKEN_SCOPES names {', '.join(map(repr, unknown))}: no such "
                "credential (a name of MULTICAM_API_TOKENS or MULTICAM_API_TOKEN_REVIEWER, "
                "or admin-panel)"
            )
        if self.api_token_name in self.api_tokens:
            raise ValueError(
                f"MULTICAM_API_TOKENS has a token named {self.api_token_name!r}, "
                "the name of MULTICAM_API_TOKEN (MULTICAM_API_TOKEN_REVIEWER)"
            )
        return self
