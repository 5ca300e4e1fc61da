"""The environment `multicam serve` and `multicam worker` get in end-to-end tests."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tests.support.s3_server import S3Server
from tests.support.services import PrivateRedis
from tests.support.strapi_server import StrapiServer


def service_env(
    *,
    strapi: StrapiServer,
    s3: S3Server,
    redis: PrivateRedis,
    secret: str,
    workdir: Path,
    api_token: str,
    strapi_url: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Settings for the service and workers of one test stack.

    :param strapi_url: where the processes reach Strapi (default: Strapi itself; the
        pipeline tests pass a switchable proxy to simulate an outage).
    """
    return {
        # Strapi's own MULTICAM_* variables mean other things to the service.
        **{k: v for k, v in strapi.env.items() if not k.startswith("MULTICAM_")},
        **s3.settings.to_env(),
        "MULTICAM_STRAPI_URL": strapi_url or strapi.base_url,
        "MULTICAM_STRAPI_TOKEN": strapi.api_token,
        "MULTICAM_WEBHOOK_SECRET": secret,
        "MULTICAM_API_TOKEN": api_token,
        "MULTICAM_REDIS_URL": redis.url,
        "MULTICAM_RECONCILE_INTERVAL_S": "10",
        "MULTICAM_RETRY_BACKOFF_S": "1",
        # A failed job's id is free again after this (60 s in production): the fault
        # rows' poison files fail three times without waiting a minute each.
        "MULTICAM_JOB_RESULT_KEEP_S": "15",
        "MULTICAM_MAX_JOBS": "2",
        "MULTICAM_WORK_DIR": str(workdir),
        "MULTICAM_LOG_JSON": "true",
        **(extra or {}),
    }
