"""Liveness and readiness probes.

/readyz is open to anyone (load balancers, orchestrators): it names the dependency
that is down, nothing more. Why it is down (an exception's text, with host names,
ports, paths) goes to the log, and to a caller with a /v2 bearer token.
"""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from worker.api.deps import Api, api
from worker.api.v2.auth import is_known_credential
from worker.logging import get_logger
from worker.transient import TRANSIENT

router = APIRouter()

OK = "ok"
# What an unauthenticated caller reads for a dependency that is down.
UNAVAILABLE = "unavailable"
# Strapi's health check must answer within this (s); readiness probes are short.
STRAPI_HEALTH_TIMEOUT_S = 3.0


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, str]


@router.get("/healthz", response_model=Health, summary="The process is alive")
async def healthz() -> Health:
    return Health(status="ok")


async def _check_redis(state: Api) -> str:
    try:
        await state.redis.ping()
    except TRANSIENT as exc:
        return f"unreachable: {exc}"
    return OK


async def _check_strapi(state: Api) -> str:
    try:
        async with httpx.AsyncClient(timeout=STRAPI_HEALTH_TIMEOUT_S) as http:
            resp = await http.get(state.settings.strapi_url.rstrip("/") + "/_health")
    except httpx.HTTPError as exc:
        return f"unreachable: {exc!r}"
    return OK if resp.status_code < 300 else f"HTTP {resp.status_code}"


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness}},
    summary="Redis and Strapi are reachable",
    description="Each check is `ok` or `unavailable`. With a /v2 bearer token "
    "(`Authorization: Bearer ...`) a failed check says why instead.",
)
async def readyz(request: Request, state: Annotated[Api, Depends(api)]) -> JSONResponse:
    detail = {"redis": await _check_redis(state), "strapi": await _check_strapi(state)}
    down = {name: why for name, why in detail.items() if why != OK}
    if down:
        get_logger(endpoint="readyz").warning("not_ready", **down)
    ok = not down
    if is_known_credential(request.headers, state.settings):
        checks = detail
    else:
        checks = {name: OK if why == OK else UNAVAILABLE for name, why in detail.items()}
    body = Readiness(status="ok" if ok else "unavailable", checks=checks)
    return JSONResponse(status_code=200 if ok else 503, content=body.model_dump())
