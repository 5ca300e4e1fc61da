"""``reconcile`` cron: the safety net for lost webhooks, crashed workers, Redis restarts.

It re-derives the work from Strapi's state and enqueues it under the same
deterministic job ids as the webhooks, so work already queued or running is not
duplicated.
"""

from __future__ import annotations

from typing import Any

from worker.jobs.context import TRANSIENT, deps_of
from worker.logging import get_logger
from worker.pipeline.rules import (
    ASSET_NEEDS_INGEST,
    SESSION_UNSETTLED,
    JobRequest,
    advance_request,
    ingest_request,
)


async def reconcile(ctx: dict[str, Any]) -> dict[str, int]:
    """arq cron job: enqueue every piece of work Strapi's state says is due."""
    deps = deps_of(ctx)
    log = get_logger(job="reconcile")
    wanted: list[JobRequest] = []
    try:
        async for asset in deps.strapi.iter_assets(state=list(ASSET_NEEDS_INGEST)):
            req = ingest_request(asset)
            if req is not None:
                wanted.append(req)
        async for session in deps.strapi.iter_sessions(state=list(SESSION_UNSETTLED)):
            wanted.append(advance_request(session.document_id))
    except TRANSIENT as exc:
        log.warning("reconcile_skipped", error=str(exc))
        return {"enqueued": 0, "already_queued": 0}
    enqueued = 0
    for req in wanted:
        job = await ctx["redis"].enqueue_job(req.function, *req.args, _job_id=req.job_id)
        enqueued += job is not None
    if enqueued:
        log.info("reconcile_enqueued", enqueued=enqueued, checked=len(wanted))
    return {"enqueued": enqueued, "already_queued": len(wanted) - enqueued}
