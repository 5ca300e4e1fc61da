"""The arq worker: job functions, the reconcile cron, connections per process."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

from arq import cron, func
from arq.worker import Worker

from worker.jobs.context import open_deps
from worker.jobs.ingest import ingest_asset
from worker.jobs.queue import redis_settings
from worker.jobs.reconcile import reconcile
from worker.jobs.review import apply_review
from worker.jobs.sync import sync_session
from worker.logging import configure_logging
from worker.review.marks import APPLY_REVIEW
from worker.settings import Settings


def _cron_schedule(interval_s: int) -> dict[str, Any]:
    if interval_s < 60:
        return {"second": set(range(0, 60, max(5, interval_s)))}
    minutes = max(1, interval_s // 60)
    return {"minute": set(range(0, 60, minutes)), "second": {0}}


def build_worker(settings: Settings, *, burst: bool = False) -> Worker:
    """An arq Worker wired to ``settings`` (``burst``: stop when the queue is empty)."""

    async def startup(ctx: dict[str, Any]) -> None:
        configure_logging(settings.log_level, settings.log_json)
        stack = AsyncExitStack()
        ctx["stack"] = stack
        ctx["deps"] = await open_deps(settings, stack)

    async def shutdown(ctx: dict[str, Any]) -> None:
        stack: AsyncExitStack | None = ctx.get("stack")
        if stack is not None:
            await stack.aclose()

    functions = [
        # Results are kept briefly so a burst of duplicate webhooks after a job
        # finished does not start it again.
        func(ingest_asset, name="ingest_asset", timeout=settings.ingest_timeout_s,
             keep_result=60, max_tries=settings.max_tries),
        # Session jobs keep no result: a later event must be able to run it again.
        func(sync_session, name="sync_session", timeout=settings.sync_timeout_s,
             keep_result=0, max_tries=settings.max_tries),
        # An operator's review in the Strapi admin; the job id carries the review's
        # fingerprint, so duplicate webhooks collapse and a later edit runs anew.
        func(apply_review, name=APPLY_REVIEW, timeout=120, keep_result=60,
             max_tries=settings.max_tries),
    ]
    return Worker(
        functions=functions,
        cron_jobs=[cron(reconcile, name="reconcile", run_at_startup=True, keep_result=0,
                        timeout=120, **_cron_schedule(settings.reconcile_interval_s))],
        redis_settings=redis_settings(settings.redis_url),
        queue_name=settings.queue_name,
        max_jobs=settings.max_jobs,
        on_startup=startup,
        on_shutdown=shutdown,
        burst=burst,
        handle_signals=True,
        health_check_interval=30,
        max_tries=settings.max_tries,
    )
