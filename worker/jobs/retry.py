"""Retry policy for transient failures: exponential backoff, then give up loudly."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import structlog
from arq import Retry

from worker.jobs.context import Deps, deps_of
from worker.jobs.liveness import alive
from worker.logging import get_logger
from worker.transient import TRANSIENT

T = TypeVar("T")


def retry_or_raise(
    ctx: dict[str, Any], exc: BaseException, *, max_tries: int, backoff_s: float
) -> Retry:
    """An arq Retry for this attempt, or re-raise ``exc`` when attempts are used up.

    Work left unfinished after the last attempt is found again by the reconcile cron.
    """
    attempt = int(ctx.get("job_try", 1))
    log = get_logger(job_id=ctx.get("job_id"), attempt=attempt)
    if attempt >= max_tries:
        log.error("job_gave_up", error=str(exc), error_type=type(exc).__name__)
        raise exc
    delay = backoff_s * 2 ** (attempt - 1)
    log.warning("job_retry", error=str(exc), error_type=type(exc).__name__, defer_s=delay)
    return Retry(defer=delay)


async def run_job(ctx: dict[str, Any], work: Callable[[Deps], Awaitable[T]], **context: str) -> T:
    """Run one job body with its log context bound and transient failures retried.

    :param work: the job's body, given the process's shared dependencies.
    :param context: ids bound to every log line (session, asset, ...).
    """
    deps = deps_of(ctx)
    structlog.contextvars.bind_contextvars(job_id=ctx.get("job_id"), **context)
    try:
        async with alive(ctx.get("redis"), ctx.get("job_id")):
            return await work(deps)
    except TRANSIENT as exc:
        raise retry_or_raise(
            ctx, exc, max_tries=deps.settings.max_tries, backoff_s=deps.settings.retry_backoff_s
        ) from exc
    finally:
        structlog.contextvars.clear_contextvars()
