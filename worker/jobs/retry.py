"""Retry policy for transient failures: exponential backoff, then give up loudly."""

from __future__ import annotations

from typing import Any

from arq import Retry

from worker.logging import get_logger


def retry_or_raise(ctx: dict[str, Any], exc: BaseException, *, max_tries: int,
                   backoff_s: float) -> Retry:
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
