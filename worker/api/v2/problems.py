"""API errors: raise ``ApiError`` anywhere; it becomes ``{"error": {code, message, details}}``.

Failures of what the API depends on map to 503 (retry later) instead of a 500:
Strapi, Redis or the object store unreachable (``worker.transient.TRANSIENT``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from strapi_client.errors import StrapiValidationError
from worker.api.errors import ErrorBody, error_response
from worker.logging import get_logger
from worker.storage.errors import UnsupportedOperation
from worker.transient import TRANSIENT

# What FastAPI raises (400) for a body it cannot decode at all.
_UNPARSABLE = "There was an error parsing the body"


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers


def not_found(what: str, ident: str) -> ApiError:
    return ApiError(404, f"{what.replace(' ', '_')}_not_found", f"no {what} {ident!r}")


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer."""
    text = {
        400: "The upload cannot be completed as it is",
        401: "Missing or wrong bearer token",
        404: "No such session, asset or sync result",
        409: "Not possible in this state",
        422: "The request or correction is invalid; details name the field",
        503: "Strapi, Redis or storage is unreachable; retry later",
    }
    return {s: {"model": ErrorBody, "description": text[s]} for s in (401, *statuses, 503)}


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNPARSABLE:
            # A body that is not even text: as invalid as malformed JSON, which is a 422.
            return error_response(
                422,
                "invalid_request",
                "the body is not UTF-8 JSON",
                [{"loc": "body", "msg": "not UTF-8 JSON"}],
            )
        # Unknown routes and methods answer in the same error shape as everything else.
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(
            exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {}) or None
        )

    async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
        get_logger(endpoint="v2").warning(
            "dependency_unavailable", error=str(exc), error_type=type(exc).__name__
        )
        return error_response(
            503,
            "unavailable",
            f"a service the API needs is unreachable ({type(exc).__name__}); retry later",
            headers={"Retry-After": "5"},
        )

    for kind in TRANSIENT:
        app.add_exception_handler(kind, _unavailable)

    @app.exception_handler(StrapiValidationError)
    async def _refused(_: Request, exc: StrapiValidationError) -> JSONResponse:
        # Our models check bodies first; this is Strapi disagreeing (e.g. a schema change).
        return error_response(
            422,
            "rejected_by_strapi",
            exc.field_message,
            [{"loc": ".".join(str(p) for p in exc.path) or "body", "msg": exc.field_message}],
        )

    @app.exception_handler(UnsupportedOperation)
    async def _unsupported(_: Request, exc: UnsupportedOperation) -> JSONResponse:
        return error_response(501, "not_supported", str(exc))
