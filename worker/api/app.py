"""The ``multicam serve`` ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from worker.api import health, webhooks
from worker.api.deps import Api, api_strapi_client
from worker.api.errors import error_response
from worker.api.v2.routes import install as install_v2
from worker.logging import get_logger
from worker.queue import connect
from worker.settings import Settings
from worker.storage.factory import open_store
from worker.storage.settings import StorageSettings

# Largest request body accepted (bytes), webhooks included. Media never goes through
# the service (uploads PUT to presigned storage URLs); the largest legitimate body is a
# complete call naming 10,000 parts, about 1 MB. A Strapi webhook carries one entry.


class BodySizeLimit:
    """Answer 413 (the API's error body) to a request whose body exceeds ``max_bytes``.

    A declared Content-Length over the limit is refused before anything is read (the
    server enforces the length it declares). A body without one (chunked) is read up to
    the limit first, then handed on; one byte more and it is refused.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None:
            if declared > self.max_bytes:
                await self._refuse(scope, receive, send, declared)
                return
            await self.app(scope, receive, send)
            return
        buffered: list[Message] = []
        size = 0
        while True:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break  # the client went away: let the app see it
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                await self._refuse(scope, receive, send, None)
                return
            if not message.get("more_body", False):
                break
        pending = iter(buffered)

        async def replay() -> Message:
            message = next(pending, None)
            return message if message is not None else await receive()

        await self.app(scope, replay, send)

    async def _refuse(
        self, scope: Scope, receive: Receive, send: Send, declared: int | None
    ) -> None:
        get_logger(endpoint="http").warning(
            "body_too_large",
            path=scope.get("path"),
            declared_bytes=declared,
            max_bytes=self.max_bytes,
        )
        response = error_response(
            413,
            "payload_too_large",
            f"the request body is over the limit of {self.max_bytes:,} bytes",
            headers={"Connection": "close"},
        )  # the rest of the body is never read
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


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

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": ".".join(str(p) for p in e["loc"]), "msg": e["msg"]} for e in exc.errors()
        ]
        # The message names the first problems too, for clients that show only it.
        shown = "; ".join(f"{d['loc']}: {d['msg']}" for d in details[:3])
        more = f" (and {len(details) - 3} more)" if len(details) > 3 else ""
        return error_response(
            422, "invalid_request", f"request failed validation: {shown}{more}", details
        )

    app.include_router(health.router)
    app.include_router(webhooks.router)
    install_v2(app)
    limit = settings.api_max_body_bytes if max_body_bytes is None else max_body_bytes
    app.add_middleware(BodySizeLimit, max_bytes=limit)
    return app
