"""The arq queue: Redis connection that survives restarts, deterministic job ids.

A job id is derived from what the job will work on, so a webhook delivered three
times, the reconcile cron and an operator's retry all collapse into one job while
it is queued, running, or its result is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from urllib.parse import urlparse

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

INGEST_ASSET = "ingest_asset"
SYNC_SESSION = "sync_session"


def redis_settings(url: str) -> RedisSettings:
    """arq settings from a redis:// URL, with a retry policy.

    Without the retry policy an arq worker exits as soon as Redis restarts.
    """
    parsed = urlparse(url)
    db = int((parsed.path or "/0").lstrip("/") or 0)
    return RedisSettings(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 6379,
        database=db,
        username=parsed.username,
        password=parsed.password,
        ssl=parsed.scheme == "rediss",
        conn_timeout=3,
        conn_retries=10,
        conn_retry_delay=1,
        retry_on_timeout=True,
        retry_on_error=[RedisConnectionError, RedisTimeoutError, ConnectionError,
                        TimeoutError, OSError],
        retry=Retry(ExponentialBackoff(cap=10, base=0.5), 20),
    )


async def connect(url: str, queue_name: str) -> ArqRedis:
    """A pool whose enqueue_job goes to ``queue_name`` (the one the workers read)."""
    return await create_pool(redis_settings(url), default_queue_name=queue_name)


def _digest(parts: Iterable[str]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def ingest_job_id(asset_id: str, original_url: str) -> str:
    """One ingest per asset and original (a replaced file gets a new job)."""
    return f"ingest:{asset_id}:{_digest([original_url])}"


def sync_job_id(session_id: str, inputs: Iterable[tuple[str, str]]) -> str:
    """One sync per session and set of (camera label, original URL) inputs."""
    return f"sync:{session_id}:{_digest(f'{lbl}={url}' for lbl, url in sorted(inputs))}"
