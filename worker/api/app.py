"""The ``multicam serve`` ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from worker.api import health, webhooks
from worker.api.body_limit import BodySizeLimit
from worker.api.deps import Api, api_strapi_client
from worker.api.errors import install_handlers
from worker.api.v2.routes import install as install_v2
from worker.queue import connect
from worker.settings import Settings
from worker.storage.factory import open_store
from worker.storage.settings import StorageSettings


def create_app(
    settings: Settings, storage: StorageSettings, *, max_body_bytes: int | None = None
) -> FastAPI:
    """Build the app; Redis, Strapi and storage connections live as long as the app.

    ``max_body_bytes``: the request body limit (default: the setting
    MULTICAM_API_MAX_BODY_BYTES).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redis = await connect(settings.redis_url, settings.queue_name)
        strapi = api_strapi_client(settings)
        try:
            # The /v2 API presigns upload and download URLs and checks uploaded objects.
            async with open_store(storage) as store:
                app.state.api = Api(settings=settings, redis=redis, strapi=strapi, store=store)
                yield
        finally:
            await strapi.aclose()
            await redis.aclose()

    app = FastAPI(
        title="multicam",
        version="0.1.0",
        lifespan=lifespan,
        description="Ingestion and audio auto-sync service: Strapi webhooks, "
        "upload and review API.",
    )

    install_handlers(app)
    app.include_router(health.router)
    app.include_router(webhooks.router)
    install_v2(app)
    # Media never goes through the service (uploads PUT to presigned storage URLs): the
    # largest legitimate body is a complete call naming 10,000 parts, about 1 MB.
    limit = settings.api_max_body_bytes if max_body_bytes is None else max_body_bytes
    app.add_middleware(BodySizeLimit, max_bytes=limit)
    return app
