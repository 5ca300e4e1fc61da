"""A session's stored sync result, as every route that needs one reads it."""

from __future__ import annotations

from pydantic import ValidationError

from strapi_client.models import RecordingSession
from worker.api.deps import Api
from worker.api.errors import ApiError
from worker.review.store import result_of_session
from worker.review.view import ResultView


async def result_or_404(ctx: Api, session: RecordingSession) -> ResultView:
    """The session's sync result, 404 sync_not_ready before it exists."""
    try:
        view = await result_of_session(ctx.strapi, session.document_id)
    except ValidationError as exc:
        raise ApiError(
            502,
            "bad_sync_result",
            f"the sync result stored in Strapi is malformed: {exc.error_count()} invalid field(s)",
        ) from None
    if view is None:
        raise ApiError(
            404,
            "sync_not_ready",
            f"session {session.document_id!r} has no sync result yet: it is "
            f"{session.state.value} ({session.progress_message or 'no progress yet'})"
            "; the sync runs once every camera is ingested",
            [{"sessionState": session.state.value, "progressMessage": session.progress_message}],
        )
    return view
