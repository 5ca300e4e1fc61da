"""``reconcile`` cron: the safety net for lost webhooks, crashed workers, Redis restarts.

It re-derives the work from Strapi's state and enqueues it under the same
deterministic job ids as the webhooks, so work already queued or running is not
duplicated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from arq.constants import in_progress_key_prefix
from pydantic import ValidationError
from redis.asyncio import Redis

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, SessionState
from strapi_client.models import MediaAsset, SyncResult
from worker.jobs.context import deps_of
from worker.jobs.liveness import dead, is_alive
from worker.logging import get_logger
from worker.pipeline.rules import (
    ASSET_NEEDS_INGEST,
    SESSION_UNSETTLED,
    VIDEO_UNSETTLED,
    advance_request,
    ingest_request,
    review_clips_missing,
    video_request,
)
from worker.queue import APPLY_REVIEW, REVIEW_CLIPS_JOBS, JobRequest, enqueue
from worker.review.marks import REVIEWED, review_job_id
from worker.transient import TRANSIENT


@dataclass
class _Due:
    """What one reconcile round found: work to enqueue, and job ids whose worker may be gone."""

    wanted: list[JobRequest] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)

    def add(self, request: JobRequest, *, stale: bool = False) -> None:
        self.wanted.append(request)
        if stale:
            self.stale.append(request.job_id)


async def reconcile(ctx: dict[str, Any]) -> dict[str, int]:
    """arq cron job: enqueue every piece of work Strapi's state says is due."""
    deps = deps_of(ctx)
    log = get_logger(job="reconcile")
    due = _Due()
    now = dt.datetime.now(dt.UTC)
    stale_s = deps.settings.stale_job_s
    try:
        async for asset in deps.strapi.iter_assets(state=list(ASSET_NEEDS_INGEST)):
            req = ingest_request(asset)
            if req is not None:
                due.add(req, stale=_looks_dead(asset, now, stale_s))
        awaiting_proxies = await _videos(deps.strapi, due, now, stale_s)
        for session_id in sorted(awaiting_proxies):
            # Its review clips are what the operator looks at until the proxies exist.
            synced = await deps.strapi.get_session(session_id)
            for asset in synced.assets or []:
                clips = review_clips_missing(asset, synced.sync_result)
                if clips is not None:
                    due.add(clips)
        async for session in deps.strapi.iter_sessions(state=list(SESSION_UNSETTLED)):
            syncing = session.state is SessionState.SYNCING
            due.add(
                advance_request(session.document_id),
                stale=syncing and _stale(session.updated_at, now, stale_s),
            )
        for review, updated_at in await _unapplied_reviews(deps.strapi):
            # Applying a review takes a second; one still marked running after the
            # stale time lost its worker (a crash), and arq would wait for the job's
            # whole timeout before running it again.
            due.add(review, stale=_stale(updated_at, now, stale_s))
    except TRANSIENT as exc:
        log.warning("reconcile_skipped", error=str(exc))
        return {"enqueued": 0, "already_queued": 0}
    await release_stale(ctx["redis"], due.stale)
    await release_dead_cuts(ctx["redis"])
    enqueued = 0
    for req in due.wanted:
        job = await enqueue(ctx["redis"], req, main_queue=deps.settings.queue_name)
        enqueued += job is not None
    if enqueued:
        log.info("reconcile_enqueued", enqueued=enqueued, checked=len(due.wanted))
    return {"enqueued": enqueued, "already_queued": len(due.wanted) - enqueued}


async def _videos(strapi: StrapiClient, due: _Due, now: dt.datetime, stale_s: float) -> set[str]:
    """The video encodes still to finish; returns the sessions whose proxies are to come."""
    unsettled_video = {"videoState": {"$in": [v.value for v in VIDEO_UNSETTLED]}}
    sessions: set[str] = set()
    async for asset in strapi.iter_assets(
        state=AssetState.READY, filters=unsettled_video, populate={"session": True}
    ):
        if asset.session is not None:
            sessions.add(asset.session.document_id)
        video = video_request(asset)
        if video is not None:
            # Pending too: a worker killed before the job's first write leaves it so.
            # A job that is only queued has no marker, so releasing it is a no-op.
            due.add(video, stale=_stale(asset.updated_at, now, stale_s))
    return sessions


async def release_stale(redis: Redis, job_ids: list[str]) -> list[str]:
    """Release the jobs among ``job_ids`` whose worker is gone; returns those released.

    A running ingest writes progress every few seconds, so an entry silent this long
    suggests its worker died, and arq would wait for the job's whole timeout before
    running it again: release it now (outputs are idempotent). Silence can also be
    Strapi being down, so a job whose liveness key is fresh is left alone.
    """
    log = get_logger(job="reconcile")
    released = []
    for job_id in job_ids:
        if await is_alive(redis, job_id):
            log.info("stale_job_alive", job_id=job_id)
            continue
        if await redis.delete(in_progress_key_prefix + job_id):
            log.warning("stale_job_released", job_id=job_id)
            released.append(job_id)
    return released


async def release_dead_cuts(redis: Redis) -> list[str]:
    """Release the review-clips cuts whose worker is gone; returns the job ids released.

    A cut writes nothing to Strapi until it records its clips, so no entry falls
    silent when its worker dies, and once the camera's proxy is ready nothing asks for
    the cut again: arq would hold its in-progress key for the worker's longest job
    timeout (an hour by default), and the cut would neither run again nor end until
    then. Released, it is still on the queue and runs again (its outputs are
    idempotent).
    """
    log = get_logger(job="reconcile")
    released = []
    pattern = f"{in_progress_key_prefix}{REVIEW_CLIPS_JOBS}*"
    async for key in redis.scan_iter(match=pattern):
        job_id = (key.decode() if isinstance(key, bytes) else key).removeprefix(
            in_progress_key_prefix
        )
        if await dead(redis, job_id) and await redis.delete(in_progress_key_prefix + job_id):
            log.warning("dead_cut_released", job_id=job_id)
            released.append(job_id)
    return released


async def _unapplied_reviews(
    strapi: StrapiClient, page_size: int = 100
) -> list[tuple[JobRequest, dt.datetime | None]]:
    """Admin reviews whose webhook was lost, or whose job died: reviewed, but not applied
    by the worker; each with the entry's last update.

    Read raw and judged like a webhook's entry (``review_job_id``), so the job id is
    the webhook's. An entry the typed model refuses is skipped alone: an operator typed
    something unreadable, and its own webhook bounces it back.
    """
    found: list[tuple[JobRequest, dt.datetime | None]] = []
    async for entry in strapi.sync_results.iterate_raw(
        filters={"operatorStatus": {"$in": list(REVIEWED)}}, page_size=page_size
    ):
        try:
            result = SyncResult.model_validate(entry)
        except ValidationError as exc:
            get_logger(job="reconcile").warning(
                "reconcile_review_skipped", result=entry.get("documentId"), error=str(exc)
            )
            continue
        job_id = review_job_id(entry)
        if job_id is not None:
            found.append(
                (JobRequest(APPLY_REVIEW, job_id, (result.document_id,)), result.updated_at)
            )
    return found


def _looks_dead(asset: MediaAsset, now: dt.datetime, stale_s: float) -> bool:
    return asset.state is AssetState.INGESTING and _stale(asset.updated_at, now, stale_s)


def _stale(updated_at: dt.datetime | None, now: dt.datetime, stale_s: float) -> bool:
    if updated_at is None:
        return False
    updated = updated_at if updated_at.tzinfo else updated_at.replace(tzinfo=dt.UTC)
    return (now - updated).total_seconds() > stale_s
