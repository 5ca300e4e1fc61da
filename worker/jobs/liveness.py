"""Proof of life for running jobs, kept in Redis rather than in Strapi.

Reconcile releases a job whose entry has not changed for ``MULTICAM_STALE_JOB_S``
(its worker looks dead). But an entry also stops changing when Strapi is down:
a sync waiting out a long outage looked dead, was released, and ran twice once
Strapi was back. Every running job therefore refreshes a short-lived key in Redis
(which it needs anyway), and reconcile releases only jobs without one.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from worker.redis_keys import alive_key
from worker.transient import TRANSIENT

BEAT_S = 10.0
TTL_S = 3 * BEAT_S


async def _beat(redis: Redis, key: str) -> None:
    while True:
        with contextlib.suppress(*TRANSIENT):
            await redis.set(key, "1", ex=int(TTL_S))
        await asyncio.sleep(BEAT_S)


@contextlib.asynccontextmanager
async def alive(redis: Redis | None, job_id: str | None) -> AsyncIterator[None]:
    """Refresh the job's liveness key while the body runs (a no-op without Redis)."""
    if redis is None or job_id is None:
        yield
        return
    key = alive_key(job_id)
    task = asyncio.create_task(_beat(redis, key))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        with contextlib.suppress(*TRANSIENT):
            await redis.delete(key)


async def is_alive(redis: Redis, job_id: str) -> bool:
    """True while a worker is running ``job_id`` (its key was refreshed lately)."""
    return bool(await redis.exists(alive_key(job_id)))
