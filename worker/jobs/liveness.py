"""Proof of life for running jobs, kept in Redis rather than in Strapi.

Reconcile releases a job whose entry has not changed for ``MULTICAM_STALE_JOB_S``
(its worker looks dead). But an entry also stops changing when Strapi is down:
a sync waiting out a long outage looked dead, was released, and ran twice once
Strapi was back. Every running job therefore refreshes a short-lived key in Redis
(which it needs anyway), and reconcile releases only jobs without one.

A job with no entry to fall silent (a review-clips cut) is judged by its heartbeat
alone, but a job that has only just started has not beaten yet: ``dead`` calls it
dead only when it is in progress and was already so, without a heartbeat, at a
look at least a heartbeat's lifetime earlier.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from arq.constants import in_progress_key_prefix
from redis.asyncio import Redis

from worker.redis_keys import alive_key, silent_key
from worker.transient import TRANSIENT

BEAT_S = 10.0
TTL_S = 3 * BEAT_S
# Long beyond any look's interval, so the first silent look is remembered between looks.
_SILENT_MARK_S = 3600


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


async def dead(redis: Redis, job_id: str) -> bool:
    """True when ``job_id`` is in progress and has had no heartbeat for at least ``TTL_S``.

    Each call is one look: the first that finds the job in progress and silent marks
    it, and a later one, ``TTL_S`` on, that finds it still so calls it dead and forgets
    the mark (the caller releases the job, whose next run starts unmarked).
    """
    marker = silent_key(job_id)
    if await is_alive(redis, job_id) or not await redis.exists(in_progress_key_prefix + job_id):
        await redis.delete(marker)
        return False
    await redis.set(marker, "1", px=_SILENT_MARK_S * 1000, nx=True)
    left_ms = await redis.pttl(marker)
    if left_ms < 0 or _SILENT_MARK_S - left_ms / 1000 < TTL_S:
        return False
    await redis.delete(marker)
    return True
