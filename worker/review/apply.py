"""Applying a review: the decisions and Strapi writes shared by the HTTP API and the admin path.

Approved: the computed offsets stand (``operatorOffsetsMs`` cleared). Corrected:
``operatorOffsetsMs`` holds the complete corrected offsets and ``method`` becomes
``manual``; ``offsetsMs`` is never touched, so the computed figures stay on record.
Either way ``approvedBy``/``approvedAt`` are stamped and the session becomes ready.
Over the /v2 API the reviewer comes from the request's credential, and the review
mark in ``debugArtifacts.review`` records it (``reviewer``); in the admin it is
what the operator typed into ``approvedBy``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from strapi_client.client import StrapiClient
from strapi_client.debug_artifacts import ReviewMark, TimelineLink
from strapi_client.enums import AssetState, OperatorStatus, SessionState, SyncMethod
from strapi_client.models import RecordingSession, RecordingSessionInput, SyncResultInput
from worker.errors import ReviewConflict, ReviewRejected
from worker.handoff.link import timeline_link
from worker.review.marks import fingerprint
from worker.review.reviewer import Reviewer
from worker.review.store import result_by_id
from worker.review.validate import CameraFacts, check_approval, check_correction, check_reviewer
from worker.review.view import ResultView
from worker.session_clips import asset_clips, master_clip_id

REVIEWABLE = (SessionState.NEEDS_REVIEW, SessionState.READY)
BOUNCE_PREFIX = "[multicam] "
# Field names an operator sees in the Strapi admin, for reasons written into reviewNotes.
ADMIN_FIELDS = {"offsets": "operatorOffsetsMs", "reviewer": "approvedBy"}


@dataclass(frozen=True)
class Review:
    """An accepted review, ready to be written."""

    status: OperatorStatus  # APPROVED or CORRECTED
    reviewer: str
    notes: str | None
    offsets: dict[str, float] | None  # the complete corrected offsets (CORRECTED only)
    source: str  # "api" or "admin": where the operator acted
    signer: Reviewer | None = None  # who, as the credential says (the API path)


def cameras_of(session: RecordingSession) -> dict[str, CameraFacts]:
    """The session's clips by clip id (a camera's label when it has one file)."""
    return {
        c.id: CameraFacts(
            label=c.id,
            usable=c.asset.state is AssetState.READY,
            duration_ms=float(c.asset.duration_ms) if c.asset.duration_ms else None,
            state=c.asset.state.value,
            error=c.asset.error_message,
            camera=c.label,
        )
        for c in asset_clips(session.assets or [])
    }


def judge(
    session: RecordingSession,
    view: ResultView,
    *,
    status: OperatorStatus,
    reviewer: object,
    offsets: object,
    notes: str | None,
    source: str,
    signer: Reviewer | None = None,
) -> Review:
    """The review to write, or ReviewConflict (not now) / ReviewRejected (invalid content).

    ``reviewer`` is what approvedBy will say; ``signer``, when the request's
    credential says who acted, is recorded in the review mark as well.
    """
    if session.state not in REVIEWABLE:
        raise ReviewConflict(
            f"the session is {session.state.value}: only a session in "
            "needs-review (or ready) can be reviewed; wait for the sync"
        )
    master = master_clip_id(view.result)
    if master is None:
        raise ReviewConflict("the sync result has no master camera: recompute it")
    problems = check_reviewer(reviewer)
    cameras = cameras_of(session)
    gone = sorted(set(view.computed_offsets) - set(cameras))
    if gone:
        # A file was added to (or taken from) one of its cameras since the sync: a camera
        # with a second file has its first renamed B -> B#1, and the offsets are the
        # old files'. The sync runs again by itself once the files are in.
        raise ReviewConflict(
            f"the session's files changed since this sync: its offsets are for "
            f"{', '.join(sorted(view.computed_offsets))}, the session now has "
            f"{', '.join(sorted(cameras))}; it syncs again once every file is in: "
            "review the new result"
        )
    if status is OperatorStatus.APPROVED:
        if problems:
            raise ReviewRejected(problems)
        check_approval(view.computed_offsets, cameras)
        merged = None
    elif status is OperatorStatus.CORRECTED:
        try:
            merged = check_correction(
                offsets, master=master, computed=view.computed_offsets, cameras=cameras
            )
        except ReviewRejected as exc:
            raise ReviewRejected(problems + exc.problems) from None
        if problems:
            raise ReviewRejected(problems)
    else:
        raise ReviewConflict(f"operatorStatus {status.value} is not a review")
    assert isinstance(reviewer, str)
    return Review(status, reviewer.strip(), notes, merged, source, signer)


def _computed_method(view: ResultView) -> SyncMethod:
    """How the computed offsets were found (``method`` itself says manual once corrected)."""
    remembered = view.review_mark.computed_method if view.review_mark else None
    if remembered is not None:
        return remembered
    method = view.result.method
    return method if method not in (None, SyncMethod.MANUAL) else SyncMethod.XCORR


def review_input(
    view: ResultView, review: Review, now: dt.datetime, session_id: str
) -> SyncResultInput:
    computed_method = _computed_method(view)
    mark = ReviewMark(
        # What the echo of this write is recognised by (see marks.py).
        fingerprint=fingerprint(review.status.value, review.offsets, review.reviewer),
        applied_at=now,
        source=review.source,
        computed_method=computed_method,
    )
    if review.signer is not None:
        mark.reviewer = review.signer.mark()  # set only when signed: absent otherwise
    # Everything else in debugArtifacts (figures, history, unknown keys) stays as it is.
    artifacts = view.debug_artifacts.model_copy(
        update={
            # Reviewed offsets are what editing may trust: say where their timeline is served.
            "timeline": TimelineLink.model_validate(timeline_link(session_id)),
            "review": mark,
        }
    )
    corrected = review.status is OperatorStatus.CORRECTED
    return SyncResultInput(
        operator_status=review.status,
        operator_offsets_ms=review.offsets if corrected else None,
        method=SyncMethod.MANUAL if corrected else computed_method,
        approved_by=review.reviewer,
        approved_at=now,
        review_notes=review.notes,
        debug_artifacts=artifacts,
    )


def _summary(review: Review, view: ResultView) -> str:
    if review.offsets is None:
        return f"approved by {review.reviewer}"
    changed = [
        f"{lbl} {value:+.1f} ms"
        for lbl, value in review.offsets.items()
        if view.computed_offsets.get(lbl) != value
    ]
    return f"offsets corrected by {review.reviewer}" + (
        f": {', '.join(changed)}" if changed else ""
    )


async def record_review(
    strapi: StrapiClient,
    session: RecordingSession,
    view: ResultView,
    review: Review,
    now: dt.datetime | None = None,
) -> ResultView:
    """Write an accepted review and move the session to ready; returns the new result."""
    now = now or dt.datetime.now(dt.UTC)
    updated = await strapi.sync_results.update(
        view.document_id, review_input(view, review, now, session.document_id)
    )
    await strapi.sessions.update(
        session.document_id,
        RecordingSessionInput(
            state=SessionState.READY, progress_pct=100, progress_message=_summary(review, view)
        ),
    )
    return ResultView(
        result=updated,
        operator_offsets_raw=updated.operator_offsets_ms,
        session_id=session.document_id,
    )


def without_bounces(notes: str | None) -> str | None:
    """The operator's own notes, without reasons the worker wrote there earlier."""
    if not notes:
        return notes
    kept = [line for line in notes.splitlines() if not line.startswith(BOUNCE_PREFIX)]
    return "\n".join(kept).strip() or None


async def bounce(
    strapi: StrapiClient, session: RecordingSession | None, view: ResultView, reasons: list[str]
) -> None:
    """Set an unacceptable admin review back to pending, the reasons first in reviewNotes."""
    text = BOUNCE_PREFIX + "Not applied: " + "; ".join(reasons)
    own = without_bounces(view.result.review_notes)
    data = SyncResultInput(
        operator_status=OperatorStatus.PENDING,
        approved_at=None,
        review_notes=text + (f"\n{own}" if own else ""),
    )
    raw = view.operator_offsets_raw
    if raw is not None and view.operator_offsets is None:
        # Not a {label: number} map: the entry could not even be read by the typed
        # client any more. Clear it; what was typed is quoted in the notes.
        data.operator_offsets_ms = None
        data.review_notes = f"{data.review_notes}\n{BOUNCE_PREFIX}You typed: {json.dumps(raw)}"
    await strapi.sync_results.update(view.document_id, data)
    if session is not None and session.state in REVIEWABLE:
        # The result is pending again, so the session is no longer approved.
        await strapi.sessions.update(
            session.document_id,
            RecordingSessionInput(
                state=SessionState.NEEDS_REVIEW,
                progress_message="review not applied: " + "; ".join(reasons),
            ),
        )


async def apply_admin_review(strapi: StrapiClient, result_id: str) -> str:
    """The ``apply_review`` job: apply (or bounce) what an operator set in the admin."""
    view = await result_by_id(strapi, result_id)
    if view is None:
        return "sync result deleted"
    status = view.result.operator_status
    if status is OperatorStatus.PENDING:
        return "pending: nothing to apply"
    current = fingerprint(status.value, view.operator_offsets_raw, view.result.approved_by)
    if current == view.applied_fingerprint:
        return "already applied"
    if view.session_id is None:
        await bounce(strapi, None, view, ["this sync result belongs to no session"])
        return "refused: no session"
    session = await strapi.get_session(view.session_id, populate={"assets": True})
    try:
        review = judge(
            session,
            view,
            status=status,
            reviewer=view.result.approved_by,
            offsets=view.operator_offsets_raw,
            notes=without_bounces(view.result.review_notes),
            source="admin",
        )
    except ReviewRejected as exc:
        await bounce(
            strapi, session, view, [f"{path}: {msg}" for path, msg in exc.describe(ADMIN_FIELDS)]
        )
        return "refused: invalid"
    except ReviewConflict as exc:
        await bounce(strapi, session, view, [str(exc)])
        return "refused: not reviewable now"
    await record_review(strapi, session, view, review)
    return f"applied: {status.value}"
