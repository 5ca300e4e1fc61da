"""The sync result of a session: read it, approve it, correct it, recompute it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from strapi_client.enums import AssetState, DerivedKind, OperatorStatus
from strapi_client.models import RecordingSession
from worker.api.deps import Api, api
from worker.api.errors import ApiError, FieldProblem, responses
from worker.api.v2.auth import ADMIN_HEADER_PARAMETERS, BearerRoute, bearer_scheme, reviewer
from worker.api.v2.links import link_for_key, link_for_url
from worker.api.v2.media_links import media_signer
from worker.api.v2.models.base import Link
from worker.api.v2.models.sync_review import (
    ApproveRequest,
    CameraReview,
    CorrectRequest,
    RecomputeAccepted,
    ReviewClipLink,
    SyncView,
)
from worker.api.v2.params import SessionId
from worker.api.v2.results import result_or_404
from worker.camera_clock import proxy_origin_ms
from worker.errors import ReviewConflict, ReviewRejected, SessionBusy
from worker.owned_keys import owned_clip_keys, owns_key
from worker.pipeline.rules import advance_request
from worker.queue import enqueue_when_free
from worker.review.apply import Review, judge, record_review
from worker.review.reviewer import Reviewer
from worker.review.view import ResultView
from worker.session_clips import AssetClip, asset_clips, clips_by_id, master_clip_id
from worker.session_lock import session_lock
from worker.storage.keys import is_sync_artifact_key_of
from worker.sync.confidence import session_verdict

# A session job an event queued just before (the approval's own webhook) is gone within
# a second or so; a recompute waits that long for it instead of answering 409.
RECOMPUTE_WAIT_S = 3.0

router = APIRouter(
    prefix="/v2",
    tags=["sync review"],
    route_class=BearerRoute,
    dependencies=[Depends(bearer_scheme)],
)


async def _review_clips(ctx: Api, session: RecordingSession) -> dict[str, list[ReviewClipLink]]:
    """Each clip's review clips with signed links (only keys that are its own)."""
    expiry = ctx.settings.link_expiry_s
    signer = media_signer(ctx.settings)
    out: dict[str, list[ReviewClipLink]] = {}
    for clip in asset_clips(session.assets or []):
        for derived in clip.asset.derivatives or []:
            if derived.kind is not DerivedKind.REVIEW_CLIPS or derived.clips is None:
                continue
            own = owned_clip_keys(derived, clip.asset, session)
            for part in sorted(derived.clips.clips, key=lambda c: c.start_ms):
                if part.key not in own:
                    continue
                link = await link_for_key(ctx.store, part.key, expiry, signer)
                out.setdefault(clip.id, []).append(
                    ReviewClipLink(
                        start_ms=part.start_ms,
                        end_ms=part.end_ms,
                        url=link.url,
                        expires_at=link.expires_at,
                        proxy_start_ms=part.proxy_start_ms,
                        proxy_end_ms=part.proxy_end_ms,
                        reasons=part.reasons,
                    )
                )
    return out


async def _camera_links(
    ctx: Api, session: RecordingSession, view: ResultView
) -> dict[str, dict[str, Link]]:
    expiry = ctx.settings.link_expiry_s
    signer = media_signer(ctx.settings)
    links: dict[str, dict[str, Link]] = {}
    for clip in asset_clips(session.assets or []):
        asset = clip.asset
        own = links.setdefault(clip.id, {})
        for derived in asset.derivatives or []:
            if derived.kind is DerivedKind.REVIEW_CLIPS:
                continue  # several files: the camera's reviewClips
            # Only the entry's own file: a key typed elsewhere gets no signed link.
            if derived.storage_key and owns_key(derived, asset, session):
                own[derived.kind.value] = await link_for_key(
                    ctx.store, derived.storage_key, expiry, signer
                )
    for label, url in (view.debug_artifacts.artifacts or {}).items():
        link = await link_for_url(
            ctx.store,
            url,
            expiry,
            signer,
            allowed=lambda key: is_sync_artifact_key_of(key, session.project_id, session.date),
        )
        if link is not None:
            links.setdefault(label, {})["debug"] = link
    return links


def _reviewer_mark(view: ResultView) -> dict[str, Any] | None:
    """Who reviewed, as the credential of a /v2 review said (the mark holds it)."""
    mark = view.review_mark
    if (
        view.result.operator_status is OperatorStatus.PENDING
        or mark is None
        or mark.reviewer is None
    ):
        return None
    return mark.reviewer.model_dump(mode="json", exclude_unset=True)


def _timing(clip: AssetClip | None) -> dict[str, Any]:
    """A clip's asset, state and where its picture and sound start."""
    if clip is None:
        return {}
    asset = clip.asset
    audio, video = asset.audio_start_ms, asset.video_start_ms
    origin = proxy_origin_ms(video, audio) if audio is not None and video is not None else None
    return {
        "camera": clip.label,
        "take": clip.take,
        "is_recorder": clip.recorder,
        "asset_id": asset.document_id,
        "state": asset.state.value,
        "video_state": asset.video_state.value if asset.video_state else None,
        "video_progress_pct": asset.video_progress_pct,
        "duration_ms": asset.duration_ms,
        "fps": asset.fps,
        "audio_start_ms": audio,
        "video_start_ms": video,
        "proxy_origin_ms": origin,
    }


async def sync_view(ctx: Api, session: RecordingSession, view: ResultView) -> SyncView:
    r = view.result
    master = r.master_camera.value if r.master_camera else None
    master_clip = master_clip_id(r)
    final = view.final_offsets
    classification = dict(r.classification or {})
    pct = dict(r.confidence_pct or {})
    debug = view.debug_artifacts
    errors = debug.errors or {}
    clips = clips_by_id(session.assets or [])
    links = await _camera_links(ctx, session, view)
    review_clips = await _review_clips(ctx, session)
    # The session's clips in camera and take order, then keys only the result has.
    labels = list(clips) + sorted((set(r.offsets_ms or {}) | set(classification)) - set(clips))
    by_camera: dict[str, list[str]] = {}
    for clip in clips.values():
        by_camera.setdefault(clip.label, []).append(clip.id)
    cameras = [
        CameraReview(
            label=lbl,
            is_master=lbl == master_clip,
            **_timing(clips.get(lbl)),
            offset_ms=(r.offsets_ms or {}).get(lbl),
            final_offset_ms=final.get(lbl),
            confidence=(r.confidence or {}).get(lbl),
            confidence_pct=pct.get(lbl),
            classification=classification.get(lbl),
            drift_ppm=(r.drift_ppm or {}).get(lbl),
            error=errors.get(lbl),
            links=links.get(lbl, {}),
            review_clips=review_clips.get(lbl, []),
        )
        for lbl in labels
    ]
    others = [lbl for lbl in classification if lbl != master_clip]
    return SyncView(
        session_id=session.document_id,
        session_state=session.state.value,
        sync_result_id=r.document_id,
        master_camera=master,
        master_clip=master_clip,
        clips_by_camera=by_camera,
        offsets_ms=dict(r.offsets_ms or {}),
        confidence=dict(r.confidence or {}),
        confidence_pct=pct,
        overall_confidence_pct=min(pct.get(lbl, 0.0) for lbl in others) if others else None,
        classification=classification,
        # Every clip the session or the result knows, so one left out is "review".
        verdict=session_verdict(classification.get(lbl) for lbl in labels if lbl != master_clip),
        drift_ppm=dict(r.drift_ppm or {}),
        method=r.method.value if r.method else None,
        operator_status=r.operator_status.value,
        operator_offsets_ms=(
            dict(view.operator_offsets_raw) if isinstance(view.operator_offsets_raw, dict) else None
        ),
        final_offsets_ms=final,
        approved_by=r.approved_by,
        approved_at=r.approved_at,
        reviewer=_reviewer_mark(view),
        review_notes=r.review_notes,
        computed_at=r.computed_at,
        cameras=cameras,
        # As stored: only the keys each entry has.
        history=[h.model_dump(mode="json", exclude_unset=True) for h in debug.history or []],
    )


@router.get(
    "/sessions/{session_id}/sync",
    response_model=SyncView,
    responses=responses(404, 422),
    summary="The session's sync result for review",
)
async def get_sync(session_id: SessionId, ctx: Annotated[Api, Depends(api)]) -> SyncView:
    session = await ctx.session(session_id, derivatives=True)
    return await sync_view(ctx, session, await result_or_404(ctx, session))


async def _review(
    ctx: Api,
    session_id: str,
    status: OperatorStatus,
    signer: Reviewer,
    offsets: dict[str, float] | None,
    notes: str | None,
    computed_at: dt.datetime,
) -> SyncView:
    try:
        # The check and the write under one lock: a re-sync cannot land between them.
        async with session_lock(ctx.redis, session_id):
            session = await ctx.session(session_id, assets=True)
            view = await result_or_404(ctx, session)
            if computed_at != view.result.computed_at:
                raise ApiError(
                    409,
                    "sync_changed",
                    "the sync result was recomputed after the "
                    f"one you reviewed (computedAt {view.result.computed_at}): "
                    "review it again",
                )
            updated = await record_review(
                ctx.strapi, session, view, _judged(session, view, status, signer, offsets, notes)
            )
    except SessionBusy as exc:
        raise ApiError(409, "sync_in_progress", f"{exc}: retry in a moment") from None
    fresh = await ctx.session(session_id, derivatives=True)
    return await sync_view(ctx, fresh, updated)


def _judged(
    session: RecordingSession,
    view: ResultView,
    status: OperatorStatus,
    signer: Reviewer,
    offsets: dict[str, float] | None,
    notes: str | None,
) -> Review:
    """The review to write, or the API error that says why not."""
    try:
        return judge(
            session,
            view,
            status=status,
            reviewer=signer.name,
            offsets=offsets,
            notes=notes,
            source="api",
            signer=signer,
        )
    except ReviewConflict as exc:
        raise ApiError(409, "not_reviewable", str(exc)) from None
    except ReviewRejected as exc:
        names = {"offsets": "body.offsets", "reviewer": "credential"}
        details = [FieldProblem(loc=loc, msg=msg) for loc, msg in exc.describe(names)]
        raise ApiError(
            422,
            "invalid_correction",
            "the review was refused: " + "; ".join(f"{d.loc}: {d.msg}" for d in details),
            details,
        ) from None


@router.post(
    "/sessions/{session_id}/sync/approve",
    response_model=SyncView,
    responses=responses(404, 409, 422),
    openapi_extra={"parameters": ADMIN_HEADER_PARAMETERS},
    summary="Approve the computed offsets; the session becomes ready",
)
async def approve(
    session_id: SessionId,
    body: ApproveRequest,
    ctx: Annotated[Api, Depends(api)],
    signer: Annotated[Reviewer, Depends(reviewer)],
) -> SyncView:
    return await _review(
        ctx, session_id, OperatorStatus.APPROVED, signer, None, body.notes, body.computed_at
    )


@router.post(
    "/sessions/{session_id}/sync/correct",
    response_model=SyncView,
    responses=responses(404, 409, 422),
    openapi_extra={"parameters": ADMIN_HEADER_PARAMETERS},
    summary="Correct some offsets (method manual); the session becomes ready",
)
async def correct(
    session_id: SessionId,
    body: CorrectRequest,
    ctx: Annotated[Api, Depends(api)],
    signer: Annotated[Reviewer, Depends(reviewer)],
) -> SyncView:
    return await _review(
        ctx,
        session_id,
        OperatorStatus.CORRECTED,
        signer,
        dict(body.offsets),
        body.notes,
        body.computed_at,
    )


@router.post(
    "/sessions/{session_id}/sync/recompute",
    status_code=202,
    response_model=RecomputeAccepted,
    responses=responses(404, 409, 422),
    summary="Run the sync again (after a replaced file); history is kept",
)
async def recompute(session_id: SessionId, ctx: Annotated[Api, Depends(api)]) -> RecomputeAccepted:
    session = await ctx.session(session_id, assets=True)
    assets = session.assets or []
    pending = [
        c.id
        for c in asset_clips(assets)
        if c.asset.state in (AssetState.UPLOADING, AssetState.INGESTING)
    ]
    if pending:
        raise ApiError(
            409,
            "cameras_pending",
            f"camera(s) {', '.join(sorted(pending))} are "
            "still uploading or ingesting; the sync runs by itself once they are in",
        )
    if len({a.camera_label for a in assets if a.state is AssetState.READY}) < 2:
        raise ApiError(
            409, "not_enough_cameras", "fewer than two cameras are ready: nothing to sync"
        )
    request = advance_request(session_id, force=True)  # the same id as every session job
    job_id = request.job_id
    job = await enqueue_when_free(
        ctx.redis, request, main_queue=ctx.settings.queue_name, wait_s=RECOMPUTE_WAIT_S
    )
    if job is None:
        raise ApiError(
            409,
            "sync_in_progress",
            "a sync of this session is queued or running; "
            "retry when the session is in needs-review again",
        )
    return RecomputeAccepted(
        session_id=session_id,
        job_id=job_id,
        message="sync queued; the session goes syncing, then needs-review",
    )
