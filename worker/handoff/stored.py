"""The builder's sync facts from a stored sync result (pure)."""

from __future__ import annotations

from strapi_client.enums import OperatorStatus
from strapi_client.models import RecordingSession
from worker.handoff.model import SyncFacts
from worker.review.view import ResultView
from worker.session_clips import master_clip_id


def stored_facts(session: RecordingSession, view: ResultView) -> SyncFacts | None:
    """The final offsets of a session's sync result; None when it names no master."""
    r = view.result
    if r.master_camera is None:
        return None
    status = r.operator_status
    computed = view.computed_offsets
    corrected = frozenset(
        lbl
        for lbl, ms in view.final_offsets.items()
        if status is OperatorStatus.CORRECTED and computed.get(lbl) != ms
    )
    errors = view.debug_artifacts.errors or {}
    return SyncFacts(
        title=session.title,
        master=r.master_camera.value,
        master_clip=master_clip_id(r),
        offsets_ms=view.final_offsets,
        drift_ppm=dict(r.drift_ppm or {}),
        corrected=corrected,
        errors=dict(errors),
        status=status.value,
        draft=status is OperatorStatus.PENDING,
        session_id=session.document_id,
    )
