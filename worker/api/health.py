"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from redis.exceptions import RedisError

from worker.api.deps import ServiceState, service_state

router = APIRouter()


class Health(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, str]


@router.get("/healthz", response_model=Health, summary="The process is alive")
async def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}},
            summary="Redis and Strapi are reachable")
async def readyz(state: Annotated[ServiceState, Depends(service_state)]) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        await state.redis.ping()
        checks["redis"] = "ok"
    except (RedisError, OSError) as exc:
        checks["redis"] = f"unreachable: {exc}"
    try:
        async with httpx.AsyncClient(timeout=3.0) as http:
            resp = await http.get(state.settings.strapi_url.rstrip("/") + "/_health")
        checks["strapi"] = "ok" if resp.status_code < 300 else f"HTTP {resp.status_code}"
    except httpx.HTTPError as exc:
        checks["strapi"] = f"unreachable: {exc}"
    ok = all(v == "ok" for v in checks.values())
    body = Readiness(status="ok" if ok else "unavailable", checks=checks)
    return JSONResponse(status_code=200 if ok else 503, content=body.model_dump())
