"""``apply_review``: apply what an operator set on a sync-result in the Strapi admin.

Enqueued by the webhook rules when a sync-result's review fields changed and the
worker has not applied them yet; re-reading the entry makes it idempotent.
"""

from __future__ import annotations

from typing import Any

from worker.jobs.context import Deps
from worker.jobs.retry import run_job
from worker.logging import get_logger
from worker.review.apply import apply_admin_review


async def apply_review(ctx: dict[str, Any], sync_result_id: str) -> str:
    """arq job: validate and apply (or bounce back to pending) an admin review."""

    async def work(deps: Deps) -> str:
        outcome = await apply_admin_review(deps.strapi, sync_result_id)
        get_logger().info("review_job_done", outcome=outcome)
        return outcome

    return await run_job(ctx, work, sync_result=sync_result_id)
