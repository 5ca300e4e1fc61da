"""POST /v2/sessions and GET /v2/sessions/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from strapi_client.enums import SessionState
from strapi_client.models import RecordingSession, RecordingSessionInput
from worker.api.deps import Api, api
from worker.api.errors import responses
from worker.api.v2.auth import BearerRoute, bearer_scheme
from worker.api.v2.models.sessions import AssetSummary, SessionCreate, SessionOut
from worker.api.v2.params import SessionId
from worker.session_clips import asset_clips

router = APIRouter(
    prefix="/v2", tags=["sessions"], route_class=BearerRoute, dependencies=[Depends(bearer_scheme)]
)


def session_out(session: RecordingSession) -> SessionOut:
    clips = asset_clips(session.assets or [])
    return SessionOut(
        session_id=session.document_id,
        title=session.title,
        date=session.date,
        project_id=session.project_id,
        location=session.location,
        notes=session.notes,
        state=session.state.value,
        progress_pct=session.progress_pct,
        progress_message=session.progress_message,
        assets=[
            AssetSummary(
                asset_id=a.document_id,
                camera_label=a.camera_label.value,
                take=a.take,
                clip_id=c.id,
                state=a.state.value,
                video_state=a.video_state.value if a.video_state else None,
                video_progress_pct=a.video_progress_pct,
                original_filename=a.original_filename,
                duration_ms=a.duration_ms,
                progress_pct=a.progress_pct,
                progress_message=a.progress_message,
                error_message=a.error_message,
            )
            for c in clips
            for a in [c.asset]
        ],
    )


@router.post(
    "/sessions",
    status_code=201,
    response_model=SessionOut,
    responses=responses(422),
    summary="Create a recording session (state draft)",
)
async def create_session(
    body: SessionCreate, response: Response, ctx: Annotated[Api, Depends(api)]
) -> SessionOut:
    session = await ctx.strapi.sessions.create(
        RecordingSessionInput(
            title=body.title,
            date=body.date,
            project_id=body.project_id,
            location=body.location,
            notes=body.notes,
            state=SessionState.DRAFT,
        )
    )
    response.headers["Location"] = f"/v2/sessions/{session.document_id}"
    return session_out(session)


@router.get(
    "/sessions/{session_id}",
    response_model=SessionOut,
    responses=responses(404, 422),
    summary="A session, its state and its cameras",
)
async def get_session(session_id: SessionId, ctx: Annotated[Api, Depends(api)]) -> SessionOut:
    return session_out(await ctx.session(session_id, assets=True))
