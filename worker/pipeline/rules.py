"""What work an entry needs: the pipeline is driven by state in Strapi, not by events.

Webhooks are only hints (at most once, and they echo the worker's own writes);
the same rules serve the webhook handler and the reconcile cron, so a lost event
only delays work until the next reconcile.
"""

from __future__ import annotations

from dataclasses import dataclass

from strapi_client.base import is_document_id
from strapi_client.enums import AssetState, DerivedKind, SessionState, VideoState
from strapi_client.models import DerivedMedia, MediaAsset, RecordingSession, SyncResult
from strapi_client.webhook import WebhookEvent
from worker.queue import (
    APPLY_REVIEW,
    CUT_REVIEW_CLIPS,
    ENCODE_VIDEO,
    INGEST_ASSET,
    SYNC_SESSION,
    JobRequest,
    Queue,
    ingest_job_id,
    review_clips_job_id,
    session_job_id,
    video_job_id,
)
from worker.review.marks import review_job_id

ASSET_NEEDS_INGEST = (AssetState.UPLOADING, AssetState.INGESTING)
VIDEO_UNSETTLED = (VideoState.PENDING, VideoState.ENCODING)
SESSION_UNSETTLED = (SessionState.DRAFT, SessionState.INGESTING, SessionState.SYNCING)


@dataclass(frozen=True)
class Decision:
    jobs: tuple[JobRequest, ...]
    reason: str


def ingest_request(asset: MediaAsset) -> JobRequest | None:
    if asset.state not in ASSET_NEEDS_INGEST or not asset.original_url:
        return None
    return JobRequest(
        INGEST_ASSET, ingest_job_id(asset.document_id, asset.original_url), (asset.document_id,)
    )


def video_request(asset: MediaAsset) -> JobRequest | None:
    """The video encode an asset needs: its audio is in and its video is not settled."""
    if (
        asset.state is not AssetState.READY
        or asset.video_state not in VIDEO_UNSETTLED
        or not asset.original_url
    ):
        return None
    return JobRequest(
        ENCODE_VIDEO,
        video_job_id(asset.document_id, asset.original_url),
        (asset.document_id,),
        Queue.VIDEO,
    )


def review_clips_request(asset: MediaAsset, result: SyncResult | None) -> JobRequest | None:
    """The review clips a camera needs: the session is synced and its proxy is not ready."""
    if (
        result is None
        or result.computed_at is None
        or asset.camera_label.is_recorder
        or asset.state is not AssetState.READY
        or asset.video_state not in VIDEO_UNSETTLED
        or not asset.original_url
    ):
        return None
    return JobRequest(
        CUT_REVIEW_CLIPS,
        review_clips_job_id(asset.document_id, asset.original_url, result.computed_at.isoformat()),
        (asset.document_id,),
    )


def review_clips_missing(asset: MediaAsset, result: SyncResult | None) -> JobRequest | None:
    """The review clips a camera needs and does not hold (reconcile: a lost job).

    ``asset`` with its derivatives. Clips cut for this result count as held; a cut that
    found nothing to cut leaves none and is tried again while the proxy is to come.
    """
    request = review_clips_request(asset, result)
    if request is None or result is None:
        return None
    if any(clips_cut_for(d, result) for d in asset.derivatives or []):
        return None
    return request


def clips_cut_for(entry: DerivedMedia, result: SyncResult) -> bool:
    """True when ``entry`` holds review clips cut for ``result``."""
    return (
        entry.kind is DerivedKind.REVIEW_CLIPS
        and entry.clips is not None
        and entry.clips.sync_computed_at == result.computed_at
    )


def advance_request(session_id: str, *, force: bool = False) -> JobRequest:
    """The session-level job: moves states on and runs the sync when inputs are ready.

    Its id is per session (results are not kept), so it dedupes only while queued
    or running; the job itself is a no-op when the stored result is current.
    ``force`` recomputes even then (an operator's request).
    """
    args: tuple[str | bool, ...] = (session_id, True) if force else (session_id,)
    return JobRequest(SYNC_SESSION, session_job_id(session_id), args)


def _related_id(value: object) -> str | None:
    if isinstance(value, dict):
        doc = value.get("documentId")
        # A raw webhook relation is unchecked text: only an id's shape reaches a job id.
        return doc if is_document_id(doc) else None
    return None


def decide(event: WebhookEvent) -> Decision:
    """Jobs for one webhook event (pure)."""
    if not event.is_ours:
        return Decision((), f"not a multicam content type: {event.uid}")
    if event.uid == MediaAsset.uid:
        return _asset_event(event)
    if event.uid == RecordingSession.uid:
        session = event.typed_entry()
        assert isinstance(session, RecordingSession)
        if event.event == "entry.create" or session.state not in SESSION_UNSETTLED:
            return Decision((), f"session is {session.state.value}: nothing to do")
        if session.state is SessionState.SYNCING:
            return Decision((), "session is syncing (the worker's own write)")
        return Decision((advance_request(session.document_id),), "session needs work")
    if event.uid == SyncResult.uid:
        return _review_event(event)
    return Decision((), f"{event.model} events need no action")


def _review_event(event: WebhookEvent) -> Decision:
    """An operator approved or corrected the sync result in the admin: apply it.

    Works on the raw entry: operatorOffsetsMs is free JSON an operator may have
    mistyped, and the job is what tells them so.
    """
    # The raw entry, unlike the typed ones, is not checked at parse time: its id must be
    # an id before it goes into a job id and a Redis key.
    if not is_document_id(event.document_id):
        return Decision((), "the entry's documentId is not a Strapi document id")
    job_id = review_job_id(event.entry) if event.event == "entry.update" else None
    if job_id is None or event.document_id is None:
        return Decision((), "no operator review to apply (pending, or the worker's own write)")
    return Decision(
        (JobRequest(APPLY_REVIEW, job_id, (event.document_id,)),),
        "operator reviewed the sync result",
    )


def _asset_event(event: WebhookEvent) -> Decision:
    session_id = _related_id(event.entry.get("session"))
    if event.event == "entry.delete":
        jobs = (advance_request(session_id),) if session_id else ()
        return Decision(jobs, "asset deleted")
    asset = event.typed_entry()
    assert isinstance(asset, MediaAsset)
    if asset.state in ASSET_NEEDS_INGEST:
        if not asset.original_url:
            return Decision((), "asset has no original yet")
        if asset.state is AssetState.INGESTING and asset.progress_pct:
            # The ingest job's own progress write coming back: it is already running.
            return Decision((), "ingest in progress (the worker's own write)")
        request = ingest_request(asset)
        return Decision((request,) if request else (), "asset needs ingest")
    video = video_request(asset)
    if video is not None and asset.video_state is VideoState.ENCODING:
        # The video job's own progress write: the sync's inputs did not change.
        return Decision((video,), "video encode in progress (the worker's own write)")
    jobs = (video,) if video else ()
    if session_id is None:
        return Decision(jobs, "asset is settled and belongs to no session")
    return Decision((*jobs, advance_request(session_id)), f"asset is {asset.state.value}")
