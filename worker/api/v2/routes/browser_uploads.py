"""Browser uploads: may a browser on this origin upload straight to the bucket?"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from worker.api.deps import Api, api
from worker.api.errors import responses
from worker.api.v2.auth import BearerRoute, bearer_scheme
from worker.api.v2.browser_upload_check import require_browser_upload
from worker.api.v2.models.uploads import BrowserCheck
from worker.api.v2.params import BrowserOrigin

router = APIRouter(
    prefix="/v2", tags=["uploads"], route_class=BearerRoute, dependencies=[Depends(bearer_scheme)]
)


@router.get(
    "/uploads/browser-check",
    response_model=BrowserCheck,
    responses=responses(409, 422),
    summary="Can a browser on this origin upload straight to the bucket?",
)
async def browser_check(origin: BrowserOrigin, ctx: Annotated[Api, Depends(api)]) -> BrowserCheck:
    await require_browser_upload(ctx.store, ctx.cors, origin)
    return BrowserCheck(origin=origin)
