"""The ``multicam serve`` ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from strapi_client.client import StrapiClient
from worker.api import health, v2, webhooks
from worker.api.deps import ServiceState
from worker.api.errors import error_response
from worker.jobs.queue import connect
from worker.settings import Settings
from worker.storage.factory import open_store


def create_app(settings: Settings) -> FastAPI:
    """Build the app; Redis and Strapi connections live as long as the app."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = await connect(settings.redis_url, settings.queue_name)
        strapi = StrapiClient(settings.strapi_url, settings.strapi_token.get_secret_value())
        app.state.service = ServiceState(settings=settings, redis=redis, strapi=strapi)
        try:
            # The /v2 API presigns upload and download URLs and checks uploaded objects.
            async with open_store() as store:
                app.state.store = store
                yield
        finally:
            await strapi.aclose()
            await redis.aclose()

    app = FastAPI(title="multicam", version="0.1.0", lifespan=lifespan,
                  description="Ingestion and audio auto-sync service: Strapi webhooks, "
                              "upload and review API.")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [{"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"]}
                   for e in exc.errors()]
        # The message names the first problems too, for clients that show only it.
        shown = "; ".join(f"{d['loc']}: {d['msg']}" for d in details[:3])
        more = f" (and {len(details) - 3} more)" if len(details) > 3 else ""
        return error_response(422, "invalid_request",
                              f"request failed validation: {shown}{more}", details)

    app.include_router(health.router)
    app.include_router(webhooks.router)
    v2.install(app)
    return app
