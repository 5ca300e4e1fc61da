"""Bearer-token authentication of the /v2 API (one shared token from settings).

The check runs before FastAPI reads the body (``BearerRoute``), so an
unauthenticated caller learns nothing, not even whether its JSON was valid.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from worker.api.deps import service_state
from worker.api.errors import error_response

# Declares the scheme in the OpenAPI document (the check itself is ``token_ok``).
bearer_scheme = HTTPBearer(auto_error=False, scheme_name="bearer",
                           description="MULTICAM_API_TOKEN as `Authorization: Bearer <token>`")


def token_ok(header: str | None, expected: str) -> bool:
    """Constant-time comparison; an unset token refuses everything."""
    if not expected or not header:
        return False
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def unauthorized() -> Response:
    return error_response(401, "unauthorized", "missing or wrong bearer token "
                          "(Authorization: Bearer <MULTICAM_API_TOKEN>)",
                          headers={"WWW-Authenticate": "Bearer"})


class BearerRoute(APIRoute):
    """A route that answers 401 before anything else when the token is not right."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()

        async def handler(request: Request) -> Response:
            expected = service_state(request).settings.api_token.get_secret_value()
            if not token_ok(request.headers.get("authorization"), expected):
                return unauthorized()
            return await inner(request)

        return handler
