"""The /v2 routes and the error handlers that give every error one shape."""

from __future__ import annotations

from fastapi import FastAPI

from worker.api.v2 import listen, media, sessions, sync, timeline, uploads
from worker.api.v2.problems import install_handlers


def install(app: FastAPI) -> None:
    """Add the /v2 routes and the error handlers that give every error one shape."""
    install_handlers(app)
    app.include_router(sessions.router)
    app.include_router(uploads.router)
    app.include_router(sync.router)
    app.include_router(listen.router)
    app.include_router(timeline.router)
    app.include_router(media.router)
