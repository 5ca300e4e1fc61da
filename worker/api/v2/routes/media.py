"""GET /v2/media/{key}: a stored file for a player, by signed link, with Range support.

No bearer header (a ``<video src>`` cannot send one): the link's HMAC signature and
expiry are the credential (``media_links.py``). The bytes are read from the object
store a chunk at a time, so a proxy of any size streams without being held in memory.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse

from worker.api.deps import Api, api
from worker.api.errors import ApiError, ErrorBody
from worker.api.v2.byte_ranges import ByteRange, parse_range
from worker.api.v2.media_links import Verdict, media_signer
from worker.errors import Unsatisfiable
from worker.storage.base import ObjectInfo, ObjectStore
from worker.storage.errors import InvalidKey
from worker.storage.keys import check_key

CHUNK = 1024 * 1024
_MEDIA_TYPES = (
    "video/mp4",
    "audio/wav",
    "image/jpeg",
    "application/json",
    "application/octet-stream",
)

router = APIRouter(prefix="/v2", tags=["media"])


def _content_type(info: ObjectInfo) -> str:
    return info.content_type or mimetypes.guess_type(info.key)[0] or "application/octet-stream"


async def _chunks(store: ObjectStore, key: str, span: ByteRange) -> AsyncIterator[bytes]:
    at = span.start
    while at <= span.end:
        data = await store.read_range(key, at, min(CHUNK, span.end - at + 1))
        if not data:
            return  # the object shrank meanwhile: the client sees a short body
        yield data
        at += len(data)


def _refused(verdict: Verdict) -> ApiError:
    if verdict is Verdict.EXPIRED:
        return ApiError(
            403,
            "link_expired",
            "this media link has expired: get a fresh one from GET /v2/sessions/{id}/sync",
        )
    return ApiError(
        403,
        "invalid_signature",
        "this media link's signature is not valid (it was changed, or signed with another secret)",
    )


_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The whole file", "content": {t: {} for t in _MEDIA_TYPES}},
    206: {
        "description": "The byte range asked for (Content-Range)",
        "content": {t: {} for t in _MEDIA_TYPES},
    },
    403: {"model": ErrorBody, "description": "Bad or expired signature"},
    404: {"model": ErrorBody, "description": "No such file"},
    416: {"model": ErrorBody, "description": "The range starts past the end of the file"},
    422: {"model": ErrorBody, "description": "exp or sig missing or malformed"},
    503: {"model": ErrorBody, "description": "Storage is unreachable; retry later"},
}


@router.get(
    "/media/{key:path}",
    response_class=Response,
    responses=_RESPONSES,
    summary="A stored file by signed link (proxy, WAV, waveform...), with Range support",
)
async def media(
    request: Request,
    key: Annotated[str, Path(description="The object key, as in the signed link.")],
    exp: Annotated[int, Query(ge=0, le=2**40, description="Expiry (unix seconds).")],
    sig: Annotated[str, Query(max_length=128, description="HMAC-SHA256 (hex) of key and exp.")],
    ctx: Annotated[Api, Depends(api)],
) -> Response:
    now = dt.datetime.now(dt.UTC)
    signer = media_signer(ctx.settings)
    verdict = signer.check(key, exp, sig, now) if signer is not None else Verdict.BAD
    if verdict is not Verdict.OK:
        raise _refused(verdict)
    try:
        check_key(key)
    except InvalidKey:
        raise ApiError(404, "media_not_found", "no such file") from None
    info = await ctx.store.head(key)
    if info is None:
        raise ApiError(
            404,
            "media_not_found",
            f"no file {key!r} in storage (deleted, or expired by the lifecycle rules)",
        )
    # Cacheable by the player for as long as the link is valid, by nobody else.
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": f"private, max-age={max(0, exp - int(now.timestamp()))}",
        # The stored content type, never a browser's guess: a file uploaded as video
        # is not run as a script or page from the service's origin.
        "X-Content-Type-Options": "nosniff",
    }
    etag = f'"{info.sha256}"' if info.sha256 else None
    if etag:
        headers["ETag"] = etag
    wanted = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if if_range is not None and (etag is None or if_range.strip() != etag):
        wanted = None  # the client's copy is another version: send the whole file
    try:
        span = parse_range(wanted, info.size)
    except Unsatisfiable:
        raise ApiError(
            416,
            "range_not_satisfiable",
            f"the file has {info.size} bytes",
            headers={"Content-Range": f"bytes */{info.size}", "Accept-Ranges": "bytes"},
        ) from None
    status = 200 if span is None else 206
    if span is None:
        span = ByteRange(0, info.size - 1)
    else:
        headers["Content-Range"] = span.content_range(info.size)
    headers["Content-Length"] = str(max(0, span.length))
    return StreamingResponse(
        _chunks(ctx.store, key, span),
        status_code=status,
        media_type=_content_type(info),
        headers=headers,
    )
