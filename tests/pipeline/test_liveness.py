"""Reconcile releases a silent job only when no worker is running it.

An entry stops changing when its worker died, but also when Strapi is down: a
sync that waited out a long Strapi outage was released and ran a second time.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import redis.asyncio as aioredis
from arq.constants import in_progress_key_prefix

from tests.support.services import private_redis
from worker.jobs.liveness import alive, is_alive
from worker.jobs.reconcile import release_stale


async def test_a_running_job_is_not_released_and_a_dead_one_is(tmp_path: Path) -> None:
    with private_redis(tmp_path) as server:
        redis = aioredis.from_url(server.url)
        try:
            running, dead = "sync:running-session", "sync:dead-session"
            for job_id in (running, dead):  # both in progress as far as arq knows
                await redis.set(in_progress_key_prefix + job_id, "1")
            entered = asyncio.Event()
            leave = asyncio.Event()

            async def job() -> None:
                async with alive(redis, running):  # type: ignore[arg-type]
                    entered.set()
                    await leave.wait()  # e.g. retrying while Strapi is down

            task = asyncio.create_task(job())
            await entered.wait()
            assert await is_alive(redis, running)  # type: ignore[arg-type]
            released = await release_stale(redis, [running, dead])  # type: ignore[arg-type]
            assert released == [dead]
            assert await redis.exists(in_progress_key_prefix + running)
            assert not await redis.exists(in_progress_key_prefix + dead)
            leave.set()
            await task
            # A finished job leaves no liveness behind.
            assert not await is_alive(redis, running)  # type: ignore[arg-type]
        finally:
            await redis.aclose()
