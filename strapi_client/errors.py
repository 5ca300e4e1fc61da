"""Errors raised by the Strapi client, mapped from Strapi's JSON error body."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class FieldError(BaseModel):
    """One invalid field as Strapi reports it (`details.errors[]`)."""

    model_config = ConfigDict(extra="ignore")

    path: list[str | int] = Field(default_factory=list)
    message: str = ""
    name: str | None = None


class _ErrorBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    status: int | None = None
    name: str = "Error"
    message: str = ""
    details: Any = None


class StrapiError(Exception):
    """Base of every error this client raises."""


class StrapiUnavailable(StrapiError):
    """Strapi could not be reached (connection refused, timeout, DNS) even after retries."""


class StrapiResponseError(StrapiError):
    """Strapi answered with an error status."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        name: str = "Error",
        details: Any = None,
        method: str = "",
        url: str = "",
    ) -> None:
        where = f" ({method} {url})" if method or url else ""
        super().__init__(f"{status} {name}: {message}{where}")
        self.status = status
        self.name = name
        self.message = message
        self.details = details
        self.method = method
        self.url = url


class StrapiValidationError(StrapiResponseError):
    """400: the request was invalid. `path` and `message` name the first bad field."""

    @property
    def errors(self) -> list[FieldError]:
        if not isinstance(self.details, Mapping):
            return []
        raw = self.details.get("errors")
        if not isinstance(raw, Sequence) or isinstance(raw, str):
            # Query/body key errors ("Invalid key x") carry a single key, not a list.
            key = self.details.get("path") or self.details.get("key")
            return [FieldError(path=[str(key)], message=self.message)] if key else []
        out: list[FieldError] = []
        for item in raw:
            try:
                out.append(FieldError.model_validate(item))
            except ValidationError:
                continue
        return out

    @property
    def path(self) -> list[str | int]:
        errors = self.errors
        return errors[0].path if errors else []

    @property
    def field_message(self) -> str:
        errors = self.errors
        return errors[0].message if errors else self.message

    def has_field(self, name: str) -> bool:
        """Whether any reported error concerns field `name` (first path element)."""
        return any(e.path and e.path[0] == name for e in self.errors)


class StrapiAuthError(StrapiResponseError):
    """401 (bad or expired token) or 403 (no token, or not allowed)."""


class StrapiNotFound(StrapiResponseError):
    """404: no such document or route."""


class StrapiRateLimited(StrapiResponseError):
    """429 after retries."""


class StrapiServerError(StrapiResponseError):
    """5xx after retries."""


def _class_for(status: int) -> type[StrapiResponseError]:
    if status == 400:
        return StrapiValidationError
    if status in (401, 403):
        return StrapiAuthError
    if status == 404:
        return StrapiNotFound
    if status == 429:
        return StrapiRateLimited
    if status >= 500:
        return StrapiServerError
    return StrapiResponseError


def error_from_response(response: httpx.Response) -> StrapiResponseError:
    """Build the matching error from a non-2xx response and Strapi's `error` body."""
    body = _ErrorBody(status=response.status_code, message=response.reason_phrase)
    try:
        payload = response.json()
    except ValueError:
        payload = None
    if isinstance(payload, Mapping) and isinstance(payload.get("error"), Mapping):
        with contextlib.suppress(ValidationError):
            body = _ErrorBody.model_validate(payload["error"])
    cls = _class_for(response.status_code)
    return cls(
        response.status_code,
        body.message or response.reason_phrase,
        name=body.name,
        details=body.details,
        method=response.request.method,
        url=str(response.request.url),
    )
