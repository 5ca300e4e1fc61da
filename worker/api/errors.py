"""The API's one error shape: every non-2xx answer is ``{"error": {code, message, details}}``.

Routes raise :class:`ApiError`; :func:`install_handlers` turns it, and everything else
that can go wrong in a request, into that body:

* ``ApiError``                   its own status, code and message
* a request that fails its model 422 ``invalid_request`` (FastAPI's validation)
* a body that is not UTF-8       422 ``invalid_request``
* an unknown route or method     404 ``not_found`` / 405 ``method_not_allowed``
* Strapi refusing a write        422 ``rejected_by_strapi`` (its field named)
* storage that cannot do it      501 ``not_supported``
* a dependency unreachable       503 ``unavailable``, ``Retry-After`` (Strapi, Redis or
                                 storage down: ``worker.transient.TRANSIENT``)

``details`` name fields as ``{"loc", "msg"}`` (:class:`FieldProblem`; pydantic's errors
become them in one place, :func:`field_problems`), or, for an answer about state rather
than input, give the state (``{"sessionState": ..., "progressMessage": ...}``). Answers
outside a route (the bearer check, the body-size limit, the webhook) use
:func:`error_response` directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic_core import ErrorDetails
from starlette.exceptions import HTTPException as StarletteHTTPException

from strapi_client.errors import StrapiValidationError
from worker.logging import get_logger
from worker.storage.errors import UnsupportedOperation
from worker.transient import TRANSIENT

# What FastAPI raises (400) for a body it cannot decode at all.
_UNPARSABLE = "There was an error parsing the body"
# How many field problems an error's message names (all of them are in ``details``).
_NAMED_IN_MESSAGE = 3


class FieldProblem(BaseModel):
    """One field that is wrong: ``loc`` is its dotted path (``body.offsets.0``)."""

    loc: str
    msg: str


# A field at fault, or the state that makes a request impossible now.
Detail = FieldProblem | dict[str, Any]


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[Detail] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class ApiError(Exception):
    """Raised in a route: answered as ``status`` with the error body (a response, not
    part of :mod:`worker.errors`' tree).

    :param status: HTTP status.
    :param code: stable, snake_case, for clients to branch on.
    :param message: for a person.
    :param details: the fields at fault, if any.
    :param headers: extra response headers (``Retry-After``, ``WWW-Authenticate``).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Sequence[Detail] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers


def error_response(
    status: int,
    code: str,
    message: str,
    details: Sequence[Detail] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    detail = ErrorDetail(
        code=code, message=message, details=list(details) if details is not None else None
    )
    return JSONResponse(
        status_code=status,
        content=ErrorBody(error=detail).model_dump(exclude_none=True),
        headers=headers,
    )


def field_problems(errors: Iterable[ErrorDetails] | Iterable[Any]) -> list[FieldProblem]:
    """Pydantic's (or FastAPI's) errors as :class:`FieldProblem`, the path dotted."""
    return [FieldProblem(loc=".".join(str(p) for p in e["loc"]), msg=e["msg"]) for e in errors]


def naming(problems: Sequence[FieldProblem]) -> str:
    """The first problems in one line, for clients that show only the message."""
    shown = "; ".join(f"{p.loc}: {p.msg}" for p in problems[:_NAMED_IN_MESSAGE])
    rest = len(problems) - _NAMED_IN_MESSAGE
    return shown + (f" (and {rest} more)" if rest > 0 else "")


def invalid(loc: str, msg: str, code: str = "invalid_request") -> ApiError:
    """A 422 naming one field."""
    return ApiError(422, code, f"{loc}: {msg}", [FieldProblem(loc=loc, msg=msg)])


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
    """Answer every error the table in this module's docstring lists in the one shape."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = field_problems(exc.errors())
        return error_response(
            422, "invalid_request", f"request failed validation: {naming(problems)}", problems
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == _UNPARSABLE:
            # A body that is not even text: as invalid as malformed JSON, which is a 422.
            return error_response(
                422,
                "invalid_request",
                "the body is not UTF-8 JSON",
                [FieldProblem(loc="body", msg="not UTF-8 JSON")],
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
        loc = ".".join(str(p) for p in exc.path) or "body"
        return error_response(
            422,
            "rejected_by_strapi",
            exc.field_message,
            [FieldProblem(loc=loc, msg=exc.field_message)],
        )

    @app.exception_handler(UnsupportedOperation)
    async def _unsupported(_: Request, exc: UnsupportedOperation) -> JSONResponse:
        return error_response(501, "not_supported", str(exc))
