"""Browser uploads: refuse to offer them when the bucket's CORS rules would block them.

A browser PUTs the presigned URLs cross-origin; if the bucket's CORS rules do not
allow its origin, every PUT fails in the browser with nothing the operator can read.
So the admin plugin asks first (browser-check), and init-upload checks again when
told the upload is for a browser (the X-Multicam-Browser-Origin header).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query

from worker.api.deps import Api, api
from worker.api.v2.auth import BearerRoute
from worker.api.v2.cors_cache import CorsRulesCache, CorsSource
from worker.api.v2.problems import ApiError, responses
from worker.api.v2.upload_models import BrowserCheck
from worker.storage.cors import ORIGIN_PATTERN, blocked_message, blocked_reason
from worker.storage.errors import StorageError, UnsupportedOperation

BROWSER_ORIGIN_HEADER = "X-Multicam-Browser-Origin"
_EXAMPLE_ORIGIN = "https://cms.example"

# Included by uploads.router, which adds the /v2 prefix and the bearer scheme.
router = APIRouter(route_class=BearerRoute)

BrowserOrigin = Annotated[
    str,
    Query(
        pattern=ORIGIN_PATTERN,
        max_length=300,
        examples=[_EXAMPLE_ORIGIN],
        description="The origin the browser uploads from (the Strapi admin's), as browsers "
        "send it: scheme://host[:port], lower case, no path.",
    ),
]
BrowserOriginHeader = Annotated[
    str | None,
    Header(
        alias=BROWSER_ORIGIN_HEADER,
        pattern=ORIGIN_PATTERN,
        max_length=300,
        examples=[_EXAMPLE_ORIGIN],
        description="Set when a browser on this origin will PUT the file (the admin plugin "
        "sets it): the bucket's CORS rules are checked first, and a 409 "
        "browser_upload_blocked answers instead of a ticket if they would block it.",
    ),
]


def _blocked(origin: str, value: list[dict[str, Any]] | StorageError) -> str | None:
    if isinstance(value, StorageError):
        return blocked_message(
            origin,
            f"the service cannot read them ({value}); its key "
            "needs permission to read the bucket's CORS configuration",
        )
    reason = blocked_reason(value, origin)
    return None if reason is None else blocked_message(origin, reason, value)


async def require_browser_upload(store: CorsSource, cache: CorsRulesCache, origin: str) -> None:
    """Raise the API's 409 unless a browser on ``origin`` can PUT to the bucket."""
    try:
        value, just_read = await cache.rules(store)
        problem = _blocked(origin, value)
        if problem is not None and not just_read:  # refuse only on rules read just now
            problem = _blocked(origin, (await cache.rules(store, fresh=True))[0])
    except UnsupportedOperation:
        raise ApiError(
            409,
            "browser_upload_unsupported",
            "browser uploads need the s3 "
            "storage backend (MULTICAM_STORAGE_BACKEND=s3): the local backend has "
            "no HTTP endpoint a browser could upload to",
        ) from None
    if problem is not None:
        raise ApiError(409, "browser_upload_blocked", problem)


@router.get(
    "/uploads/browser-check",
    response_model=BrowserCheck,
    responses=responses(409, 422),
    summary="Can a browser on this origin upload straight to the bucket?",
)
async def browser_check(origin: BrowserOrigin, ctx: Annotated[Api, Depends(api)]) -> BrowserCheck:
    await require_browser_upload(ctx.store, ctx.cors, origin)
    return BrowserCheck(origin=origin)
