"""The arq workers of one process: the main queue and the video queue.

The main queue runs what an operator waits for (audio ingest, sync, reviews, the
reconcile cron); the video queue runs the long encodes, ``MULTICAM_VIDEO_MAX_JOBS``
at a time, so a busy encoder never delays a sync result. Both share one event
loop and stop together on SIGINT/SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from contextlib import AsyncExitStack
from functools import partial
from typing import Any

from arq import cron, func
from arq.worker import Worker

from worker.ingest.config import IngestSettings
from worker.jobs import workdir
from worker.jobs.context import open_deps
from worker.jobs.ingest import ingest_asset
from worker.jobs.reconcile import reconcile
from worker.jobs.review import apply_review
from worker.jobs.review_clips import cut_review_clips
from worker.jobs.session_sync import sync_session
from worker.jobs.video import encode_video
from worker.logging import get_logger
from worker.queue import (
    APPLY_REVIEW,
    CUT_REVIEW_CLIPS,
    ENCODE_VIDEO,
    INGEST_ASSET,
    RECONCILE,
    SYNC_SESSION,
    Queue,
    queue_name,
    redis_settings,
)
from worker.settings import Settings
from worker.storage.settings import StorageSettings


def _cron_schedule(interval_s: int) -> dict[str, Any]:
    if interval_s < 60:
        return {"second": set(range(0, 60, max(5, interval_s)))}
    minutes = max(1, interval_s // 60)
    return {"minute": set(range(0, 60, minutes)), "second": {0}}


def build_worker(
    settings: Settings,
    storage: StorageSettings,
    ingest: IngestSettings,
    *,
    burst: bool = False,
    queue: Queue = Queue.MAIN,
) -> Worker:
    """An arq Worker for one of the two queues (``burst``: stop when it is empty)."""

    async def startup(ctx: dict[str, Any]) -> None:
        if queue is Queue.MAIN:
            # Folders of processes killed before their `finally` ran (SIGKILL, OOM).
            workdir.sweep(settings.work_dir, settings.keep_originals_s)
        stack = AsyncExitStack()
        ctx["stack"] = stack
        ctx["deps"] = await open_deps(settings, storage, ingest, stack)

    async def shutdown(ctx: dict[str, Any]) -> None:
        stack: AsyncExitStack | None = ctx.get("stack")
        if stack is not None:
            await stack.aclose()

    if queue is Queue.VIDEO:
        functions = [
            func(
                encode_video,
                name=ENCODE_VIDEO,
                timeout=settings.ingest_timeout_s,
                keep_result=settings.job_result_keep_s,
                max_tries=settings.max_tries,
            ),
        ]
        crons = []
        max_jobs = max(1, settings.video_max_jobs)
    else:
        functions = [
            # Results are kept briefly so a burst of duplicate webhooks after a job
            # finished does not start it again.
            func(
                ingest_asset,
                name=INGEST_ASSET,
                timeout=settings.ingest_timeout_s,
                keep_result=settings.job_result_keep_s,
                max_tries=settings.max_tries,
            ),
            func(
                cut_review_clips,
                name=CUT_REVIEW_CLIPS,
                timeout=settings.ingest_timeout_s,
                keep_result=settings.job_result_keep_s,
                max_tries=settings.max_tries,
            ),
            # Session jobs keep no result: a later event must be able to run it again.
            func(
                sync_session,
                name=SYNC_SESSION,
                timeout=settings.sync_timeout_s,
                keep_result=0,
                max_tries=settings.max_tries,
            ),
            # An operator's review in the Strapi admin; the job id carries the review's
            # fingerprint, so duplicate webhooks collapse and a later edit runs anew.
            func(
                apply_review,
                name=APPLY_REVIEW,
                timeout=120,
                keep_result=settings.job_result_keep_s,
                max_tries=settings.max_tries,
            ),
        ]
        crons = [
            cron(
                reconcile,
                name=RECONCILE,
                run_at_startup=True,
                keep_result=0,
                timeout=120,
                **_cron_schedule(settings.reconcile_interval_s),
            )
        ]
        max_jobs = settings.max_jobs
    return Worker(
        functions=functions,
        cron_jobs=crons,
        redis_settings=redis_settings(settings.redis_url),
        queue_name=queue_name(settings.queue_name, queue),
        max_jobs=max_jobs,
        on_startup=startup,
        on_shutdown=shutdown,
        burst=burst,
        # The group below handles signals for every worker of the process.
        handle_signals=False,
        health_check_interval=30,
        max_tries=settings.max_tries,
        # arq keeps the result of a job it refuses to start (tries used up, e.g. by
        # retries through a Strapi outage and then a shutdown) for the worker's
        # keep_result, not the function's: with arq's default of an hour, reconcile
        # could not enqueue that work again for an hour (an asset left "encoding").
        keep_result=settings.job_result_keep_s,
    )


def build_workers(
    settings: Settings,
    storage: StorageSettings,
    ingest: IngestSettings,
    *,
    burst: bool = False,
    queues: Sequence[Queue] = (Queue.MAIN, Queue.VIDEO),
) -> list[Worker]:
    """The workers this process runs (no video worker when MULTICAM_VIDEO_MAX_JOBS=0)."""
    chosen = [q for q in queues if q is not Queue.VIDEO or settings.video_max_jobs > 0]
    return [build_worker(settings, storage, ingest, burst=burst, queue=q) for q in chosen]


def run_workers(workers: Sequence[Worker]) -> None:
    """Run ``workers`` on one event loop until a signal (or, in burst mode, idle)."""
    if not workers:
        raise ValueError("no queue to work on")
    loop = workers[0].loop

    def stop(signum: signal.Signals) -> None:
        get_logger().info("worker_stopping", signal=signum.name)
        for w in workers:
            w.handle_sig(signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, partial(stop, signum))

    async def main() -> None:
        tasks = [asyncio.ensure_future(w.async_run()) for w in workers]
        try:
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await asyncio.gather(*(w.close() for w in workers), return_exceptions=True)

    loop.run_until_complete(main())
