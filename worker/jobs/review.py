"""``apply_review``: apply what an operator set on a sync-result in the Strapi admin.

Enqueued by the webhook rules when a sync-result's review fields changed and the
worker has not applied them yet; re-reading the entry makes it idempotent.
"""

from __future__ import annotations

from typing import Any

import structlog

from worker.jobs.context import TRANSIENT, deps_of
from worker.jobs.retry import retry_or_raise
from worker.logging import get_logger
from worker.review.apply import apply_admin_review


async def apply_review(ctx: dict[str, Any], sync_result_id: str) -> str:
    """arq job: validate and apply (or bounce back to pending) an admin review."""
    deps = deps_of(ctx)
    structlog.contextvars.bind_contextvars(sync_result=sync_result_id, job_id=ctx.get("job_id"))
    try:
        outcome = await apply_admin_review(deps.strapi, sync_result_id)
        get_logger().info("review_job_done", outcome=outcome)
        return outcome
    except TRANSIENT as exc:
        raise retry_or_raise(ctx, exc, max_tries=deps.settings.max_tries,
                             backoff_s=deps.settings.retry_backoff_s) from exc
    finally:
        structlog.contextvars.clear_contextvars()
