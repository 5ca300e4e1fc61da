"""The /v2 routes, one module per group; ``install`` adds them all to the app.

Route modules import models, parameters and helpers from ``worker.api.v2``, never each
other.
"""

from __future__ import annotations

from fastapi import FastAPI

from worker.api.v2.routes import (
    browser_uploads,
    listen,
    media,
    sessions,
    sync_review,
    timeline,
    uploads,
)


def install(app: FastAPI) -> None:
    """Add the /v2 routes (the error handlers are ``worker.api.errors.install_handlers``)."""
    app.include_router(sessions.router)
    app.include_router(uploads.router)
    app.include_router(browser_uploads.router)
    app.include_router(sync_review.router)
    app.include_router(listen.router)
    app.include_router(timeline.router)
    app.include_router(media.router)
