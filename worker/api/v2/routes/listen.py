"""GET /v2/sessions/{id}/sync/listen: hear a camera's placement against the master.

The I/O around ``worker.review.listen``: find both cameras' audio-wav derivatives,
read each WAV's header and then just the frames the window needs (ranged reads:
the WAVs can be gigabytes), and answer the stereo clip.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from strapi_client.enums import DerivedKind
from strapi_client.models import MediaAsset, RecordingSession
from worker.api.deps import Api, api
from worker.api.errors import ApiError, invalid, responses
from worker.api.v2.auth import BearerRoute, bearer_scheme
from worker.api.v2.params import SessionId
from worker.api.v2.results import result_or_404
from worker.camera_clock import master_time_ms
from worker.errors import NoAudio, WavError
from worker.owned_keys import owns_key
from worker.review.listen import (
    DEFAULT_SECONDS,
    HEADER_BYTES,
    MAX_SECONDS,
    MIN_SECONDS,
    Positions,
    Window,
    frames_needed,
    parse_wav_header,
    place,
    source_positions,
    stereo_wav,
)
from worker.session_clips import CLIP_ID_PATTERN, asset_clips, file_stem, master_clip_id
from worker.storage.base import ObjectStore
from worker.storage.errors import ObjectNotFound

router = APIRouter(
    prefix="/v2",
    tags=["sync review"],
    route_class=BearerRoute,
    dependencies=[Depends(bearer_scheme)],
)

MAX_MS = 7 * 24 * 3600 * 1000.0  # a week: beyond any recording, and finite


async def read_side(
    store: ObjectStore, key: str, window: Window, offset_ms: float = 0.0, drift_ppm: float = 0.0
) -> Positions:
    """One side of the clip: the WAV's header, then only the frames the window needs."""
    info = await store.head(key)
    if info is None:
        raise NoAudio(
            "its audio-wav file is no longer in storage (the lifecycle rules "
            "delete WAVs after 30 days: re-ingest the camera)"
        )
    try:
        layout = parse_wav_header(await store.read_range(key, 0, HEADER_BYTES), info.size)
    except (WavError, ObjectNotFound) as exc:
        raise NoAudio(f"its audio-wav file cannot be read ({exc})") from None
    positions = source_positions(window, layout.rate, offset_ms, drift_ppm)
    needed = frames_needed(positions, layout)
    if needed is None:
        return place(b"", 0, layout, positions)  # no sound of it in this window
    start, length = layout.byte_range(*needed)
    return place(await store.read_range(key, start, length), needed[0], layout, positions)


def _wav_key(session: RecordingSession, asset: MediaAsset | None) -> str | None:
    """The asset's own audio WAV key (a key naming any other object is not read)."""
    if asset is None:
        return None
    for derived in asset.derivatives or []:
        if derived.kind is DerivedKind.AUDIO_WAV and owns_key(derived, asset, session):
            return derived.storage_key
    return None


_WAV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "48 kHz 16-bit stereo WAV: left the master, right the camera",
        "content": {"audio/wav": {}},
    }
}


@router.get(
    "/sessions/{session_id}/sync/listen",
    response_class=Response,
    responses={**_WAV, **responses(404, 409, 422)},
    summary="A stereo clip: the master left, a camera right, placed as given",
)
async def listen(
    session_id: SessionId,
    ctx: Annotated[Api, Depends(api)],
    camera: Annotated[
        str,
        Query(
            pattern=CLIP_ID_PATTERN,
            description="The camera (clip id: C, or B#2 for one of several files) to hear "
            "against the master (right channel).",
            examples=["C"],
        ),
    ],
    at_ms: Annotated[
        float,
        Query(
            alias="atMs",
            ge=-MAX_MS,
            le=MAX_MS,
            allow_inf_nan=False,
            description="Middle of the window, ms on the master's timeline.",
            examples=[12000.0],
        ),
    ],
    offset_ms: Annotated[
        float | None,
        Query(
            alias="offsetMs",
            ge=-MAX_MS,
            le=MAX_MS,
            allow_inf_nan=False,
            description="Where the camera's first sample lies on the master's timeline (ms); "
            "default: its final offset. Try a nudge here before correcting.",
        ),
    ] = None,
    seconds: Annotated[
        float,
        Query(
            ge=MIN_SECONDS, le=MAX_SECONDS, allow_inf_nan=False, description="Length of the clip."
        ),
    ] = DEFAULT_SECONDS,
) -> Response:
    session = await ctx.session(session_id, derivatives=True)
    view = await result_or_404(ctx, session)
    master = master_clip_id(view.result)
    if master is None:
        raise ApiError(409, "not_reviewable", "the sync result has no master camera: recompute it")
    clips = asset_clips(session.assets or [])
    assets = {c.id: c.asset for c in clips}
    if camera not in assets:
        raise invalid(
            "query.camera",
            f"camera {camera!r} is not a camera of this session "
            f"(its cameras: {', '.join(sorted(assets))})",
        )
    master_label = assets[master].camera_label if master in assets else None
    if camera == master or assets[camera].camera_label == master_label:
        raise invalid(
            "query.camera",
            f"camera {camera} is the master's (the left channel): "
            "choose another camera to hear against it",
        )
    offset = offset_ms if offset_ms is not None else view.final_offsets.get(camera)
    if offset is None:
        raise invalid(
            "query.offsetMs",
            f"camera {camera} has no offset (the sync could not place it): give offsetMs",
        )
    drifts = view.result.drift_ppm or {}
    # The left channel: the master camera's file recording at atMs (a recorder stopped
    # between takes has several), placed as the sync put it.
    spans = []  # (clip, offset, end on the master's timeline or None if unknown)
    for c in clips:
        if c.id != master and (master_label is None or c.asset.camera_label != master_label):
            continue
        off = 0.0 if c.id == master else view.final_offsets.get(c.id)
        if off is not None:
            dur = c.asset.duration_ms
            end = None if dur is None else master_time_ms(dur, off, drifts.get(c.id) or 0.0)
            spans.append((c.id, off, end))
    reference = next(
        ((cid, off) for cid, off, end in spans if at_ms >= off and (end is None or at_ms <= end)),
        None,
    )
    if reference is None:
        covered = ", ".join(
            f"{cid} {off:.0f} to {end:.0f} ms" for cid, off, end in spans if end is not None
        )
        raise invalid(
            "query.atMs",
            f"{at_ms:.1f} ms is outside the master's recording ({covered or 'unknown'})",
        )
    left_clip, left_offset = reference
    drift = drifts.get(camera) or 0.0
    keys = {label: _wav_key(session, assets.get(label)) for label in (left_clip, camera)}
    for label, key in keys.items():
        if key is None:
            state = assets[label].state.value if label in assets else "missing"
            raise ApiError(
                409,
                "audio_unavailable",
                f"camera {label} has no audio-wav file (its asset is {state})",
            )
    window = Window.around(at_ms, seconds)
    sides: list[Positions] = []
    for label, key, off, ppm in (
        (left_clip, keys[left_clip], left_offset, drifts.get(left_clip) or 0.0),
        (camera, keys[camera], offset, drift),
    ):
        assert key is not None
        try:
            sides.append(await read_side(ctx.store, key, window, off, ppm))
        except NoAudio as exc:
            raise ApiError(409, "audio_unavailable", f"camera {label}: {exc}") from None
    name = f"listen-{file_stem(left_clip)}-{file_stem(camera)}-{math.floor(at_ms)}ms.wav"
    left, right = sides
    return Response(
        stereo_wav(left, right),
        media_type="audio/wav",
        headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"},
    )
