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


async def test_a_cut_is_released_only_when_silent_across_two_looks(tmp_path: Path) -> None:
    """A cut touches no entry while it runs: its heartbeat alone says whether it lives,
    and one that has only just started has not beaten yet."""
    from worker.jobs import liveness
    from worker.jobs.reconcile import release_dead_cuts
    from worker.queue import review_clips_job_id
    from worker.redis_keys import silent_key

    with private_redis(tmp_path) as server:
        redis = aioredis.from_url(server.url)
        try:
            dead_cut = review_clips_job_id("asset-dead", "s3://b/a.mp4", "t1")
            live_cut = review_clips_job_id("asset-live", "s3://b/b.mp4", "t1")
            other = "sync:some-session"  # not a cut: judged by its entry, elsewhere
            for job_id in (dead_cut, live_cut, other):
                await redis.set(in_progress_key_prefix + job_id, "1")

            async def age_marks() -> None:
                # What a heartbeat's lifetime passing does to the first look's marks.
                for job_id in (dead_cut, live_cut, other):
                    if await redis.exists(silent_key(job_id)):
                        left = (liveness._SILENT_MARK_S - liveness.TTL_S - 1) * 1000
                        await redis.pexpire(silent_key(job_id), int(left))

            # First look: both cuts are silent (the live one has not beaten yet).
            assert await release_dead_cuts(redis) == []  # type: ignore[arg-type]
            assert await redis.exists(silent_key(dead_cut), silent_key(live_cut)) == 2
            await age_marks()
            leave = asyncio.Event()
            entered = asyncio.Event()

            async def job() -> None:
                async with alive(redis, live_cut):  # type: ignore[arg-type]
                    entered.set()
                    await leave.wait()

            task = asyncio.create_task(job())
            await entered.wait()
            while not await is_alive(redis, live_cut):  # type: ignore[arg-type]
                await asyncio.sleep(0.01)  # its first beat is on its way
            assert await release_dead_cuts(redis) == [dead_cut]  # type: ignore[arg-type]
            assert not await redis.exists(in_progress_key_prefix + dead_cut)
            assert await redis.exists(in_progress_key_prefix + live_cut)
            assert await redis.exists(in_progress_key_prefix + other)
            # The released cut's next run starts unmarked; the beating one lost its mark.
            assert not await redis.exists(silent_key(dead_cut), silent_key(live_cut))
            leave.set()
            await task
        finally:
            await redis.aclose()
