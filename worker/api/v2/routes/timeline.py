"""GET /v2/sessions/{id}/timeline: the synced session as an editing timeline file.

The I/O around ``worker.handoff``: read the session and its sync result, build
the timeline and write it in the format asked for.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from strapi_client.enums import OperatorStatus
from worker.api.deps import Api, api
from worker.api.errors import ApiError, responses
from worker.api.v2.auth import BearerRoute, bearer_scheme
from worker.api.v2.params import SessionId
from worker.api.v2.results import result_or_404
from worker.errors import NotWritable
from worker.handoff.build import build_timeline
from worker.handoff.formats import FORMATS, TimelineFormat, write_timeline
from worker.handoff.link import TIMELINE_PATH
from worker.handoff.media import MediaChoice, asset_media
from worker.handoff.model import CameraMedia
from worker.handoff.stored import stored_facts
from worker.session_clips import asset_clips

router = APIRouter(
    prefix="/v2",
    tags=["sync review"],
    route_class=BearerRoute,
    dependencies=[Depends(bearer_scheme)],
)

_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The timeline file (an attachment): OTIO JSON, FCPXML, Final Cut 7 XML, "
        "MLT XML, or a zip of one CMX 3600 EDL per camera",
        "content": {t: {} for t in sorted({i.media_type for i in FORMATS.values()})},
    }
}


def _file_name(title: str, session_id: str, fmt: TimelineFormat) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", title).strip("-.")[:60] or "session"
    return f"{slug}-{session_id}{FORMATS[fmt].suffix}"


@router.get(
    TIMELINE_PATH.removeprefix("/v2"),
    response_class=Response,
    responses={**_FILE, **responses(404, 409, 422)},
    summary="The synced session as an editing timeline (OTIO, FCPXML, XML, EDL, MLT)",
)
async def timeline(
    session_id: SessionId,
    ctx: Annotated[Api, Depends(api)],
    format: Annotated[
        TimelineFormat,
        Query(
            description="otio (OpenTimelineIO), fcpxml (Final Cut Pro X, Resolve), xml (Final "
            "Cut 7 XML: Premiere), edl (zip of CMX 3600 EDLs, one per camera), mlt "
            "(melt, Shotcut)."
        ),
    ] = TimelineFormat.OTIO,
    draft: Annotated[
        bool, Query(description="Export a result not approved yet; the file says it is a draft.")
    ] = False,
    media: Annotated[
        MediaChoice, Query(description="What the clips point at.")
    ] = MediaChoice.ORIGINAL,
    media_root: Annotated[
        str | None,
        Query(
            alias="mediaRoot",
            min_length=1,
            max_length=1000,
            # One line, as every text /v2 takes (models.Line): it ends up in line formats.
            pattern=r"^[^\x00-\x1f\x7f]*$",
            description="Point at <mediaRoot>/<file name> instead of the storage URLs "
            "(e.g. /Volumes/Shoot).",
            examples=["/Volumes/Shoot"],
        ),
    ] = None,
) -> Response:
    session = await ctx.session(session_id, derivatives=True)
    view = await result_or_404(ctx, session)
    if view.result.operator_status is OperatorStatus.PENDING and not draft:
        raise ApiError(
            409,
            "not_approved",
            "the sync result is not approved yet: approve or "
            "correct it first, or ask for a draft with draft=true",
            [{"operatorStatus": view.result.operator_status.value}],
        )
    facts = stored_facts(session, view)
    if facts is None:
        raise ApiError(409, "not_reviewable", "the sync result has no master camera: recompute it")
    cameras: list[CameraMedia] = []
    reasons: dict[str, str] = {}
    for clip in asset_clips(session.assets or []):
        found = asset_media(clip, media, media_root)
        if isinstance(found, str):
            reasons[clip.id] = found
        else:
            cameras.append(found)
    facts = facts.model_copy(update={"errors": {**reasons, **facts.errors}})
    try:
        data = write_timeline(build_timeline(facts, cameras), format)
    except NotWritable as exc:
        raise ApiError(409, "format_unsupported", str(exc)) from None
    name = _file_name(session.title, session_id, format)
    return Response(
        data,
        media_type=FORMATS[format].media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
