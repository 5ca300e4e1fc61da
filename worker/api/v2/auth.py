"""Who calls the /v2 API: named bearer tokens, and the Strapi admin plugin's token.

The check runs before FastAPI reads the body (``BearerRoute``), so an
unauthenticated caller learns nothing, not even whether its JSON was valid. It
resolves the credential once into a ``Caller`` kept on ``request.state``; routes
get it with ``Depends(caller)``, and the review routes their ``Reviewer`` with
``Depends(reviewer)``.

The admin plugin's token acts for the logged-in Strapi admin user that its signed
headers name (``admin_identity``), on every route: a panel request without a valid
signature is refused (401 admin_user_required) before anything else. Those headers
are read only with that token: with any other credential they are ignored, never
trusted.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from strapi_client import deadline
from worker.api.deps import API_STRAPI_BUDGET_S, api
from worker.api.errors import error_response
from worker.api.v2.admin_identity import (
    ADMIN_EMAIL_HEADER,
    ADMIN_ID_HEADER,
    MAX_EMAIL,
    SIGNATURE_HEADER,
    AdminUser,
    verified_admin_user,
)
from worker.api.v2.scopes import CredentialKind, Scope, default_scopes, required_scope
from worker.review.reviewer import Reviewer
from worker.settings import Settings

ADMIN_PANEL_NAME = "admin-panel"  # the panel credential's own name (logs)

# Declares the scheme in the OpenAPI document (the check itself is ``resolve_caller``).
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="`Authorization: Bearer <token>`: MULTICAM_API_TOKEN, one of MULTICAM_API_TOKENS, "
    "or MULTICAM_ADMIN_PANEL_TOKEN (with the signed admin user headers)",
)


@dataclass(frozen=True)
class Credential:
    kind: CredentialKind
    name: str
    secret: str
    scopes: frozenset[Scope]


@dataclass(frozen=True)
class Caller:
    """The credential a request was made with (and, for the admin plugin, for whom)."""

    kind: Literal["token", "admin"]
    name: str  # the token's name; ADMIN_PANEL_NAME for the admin plugin
    scopes: frozenset[Scope]
    admin: AdminUser | None = None  # kind "admin": the verified admin user


@dataclass(frozen=True)
class AdminRefused:
    """A request with the panel's token whose admin user headers are not acceptable."""

    reason: str


def credentials(settings: Settings) -> list[Credential]:
    """Every configured token (empty ones never match anything, so they are left out)."""
    configured = settings.api_token_scopes

    def scopes(name: str, kind: CredentialKind) -> frozenset[Scope]:
        return frozenset(configured[name]) if name in configured else default_scopes(kind)

    found = [
        Credential(
            "main",
            settings.api_token_name,
            settings.api_token.get_secret_value(),
            scopes(settings.api_token_name, "main"),
        ),
        *(
            Credential("named", name, token.get_secret_value(), scopes(name, "named"))
            for name, token in settings.api_tokens.items()
        ),
        Credential(
            "admin",
            ADMIN_PANEL_NAME,
            settings.admin_panel_token.get_secret_value(),
            scopes(ADMIN_PANEL_NAME, "admin"),
        ),
    ]
    return [c for c in found if c.secret]


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, given = header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return None
    return given.strip()


def match_credential(header: str | None, configured: list[Credential]) -> Credential | None:
    """The credential the header carries; compared in constant time with every one."""
    given = bearer_token(header)
    if given is None:
        return None
    found: Credential | None = None
    for cred in configured:  # no early exit: the time does not say which token matched
        if hmac.compare_digest(given.encode(), cred.secret.encode()) and found is None:
            found = cred
    return found


def is_known_credential(headers: Mapping[str, str], settings: Settings) -> bool:
    """Whether the request carries one of the configured bearer tokens (any kind)."""
    return match_credential(headers.get("authorization"), credentials(settings)) is not None


def resolve_caller(
    headers: Mapping[str, str],
    settings: Settings,
    *,
    method: str,
    target: str,
    now: float | None = None,
) -> Caller | AdminRefused | None:
    """The caller of a request; None when its bearer token is not a configured one.

    :param target: the request target as received (raw path, ``?query`` if any): the
        admin panel's signature covers it.
    :param now: the clock the signature's time is checked against (default: now).
    """
    cred = match_credential(headers.get("authorization"), credentials(settings))
    if cred is None:
        return None
    if cred.kind != "admin":
        # Admin headers, if any, are not trusted here.
        return Caller("token", cred.name, cred.scopes)
    user = verified_admin_user(
        headers, method, target, cred.secret, time.time() if now is None else now
    )
    if isinstance(user, str):
        return AdminRefused(user)
    return Caller("admin", cred.name, cred.scopes, admin=user)


def request_target(request: Request) -> str:
    """The request target as the client sent it: raw path, then ``?query`` if any."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
    query = request.scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


def admin_user_required(reason: str) -> Response:
    return error_response(
        401,
        "admin_user_required",
        "the admin panel's token acts for a logged-in Strapi admin user: send "
        f"{ADMIN_ID_HEADER}, {ADMIN_EMAIL_HEADER} and {SIGNATURE_HEADER} ({reason})",
        headers={"WWW-Authenticate": "Bearer"},
    )


def insufficient_scope(who: Caller, scope: Scope) -> Response:
    return error_response(
        403,
        "insufficient_scope",
        f"the credential {who.name!r} may not {scope} (its scopes: "
        f"{', '.join(sorted(who.scopes)) or 'none'}; MULTICAM_API_TOKEN_SCOPES)",
    )


def unauthorized() -> Response:
    return error_response(
        401,
        "unauthorized",
        "missing or wrong bearer token "
        "(Authorization: Bearer <MULTICAM_API_TOKEN or a named token>)",
        headers={"WWW-Authenticate": "Bearer"},
    )


class BearerRoute(APIRoute):
    """A route that answers 401 before anything else when the token is not right, and
    whose Strapi calls share one time budget (API_STRAPI_BUDGET_S, then 503)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()
        scope = required_scope(self.path, self.methods or ())

        async def handler(request: Request) -> Response:
            found = resolve_caller(
                request.headers,
                api(request).settings,
                method=request.method,
                target=request_target(request),
            )
            if found is None:
                return unauthorized()
            if isinstance(found, AdminRefused):
                return admin_user_required(found.reason)
            if scope not in found.scopes:
                return insufficient_scope(found, scope)
            request.state.caller = found
            with deadline.within(API_STRAPI_BUDGET_S):
                return await inner(request)

        return handler


def caller(request: Request) -> Caller:
    """The resolved caller (a dependency of routes under ``BearerRoute``)."""
    found: Caller = request.state.caller
    return found


def reviewer_of(who: Caller) -> Reviewer:
    """Who signs a review made by this caller."""
    if who.admin is not None:
        return Reviewer.admin(who.admin.id, who.admin.email)
    return Reviewer.token(who.name)


def reviewer(request: Request) -> Reviewer:
    """The reviewer of an approve or correct request (a dependency)."""
    return reviewer_of(caller(request))


# The admin headers, as the review routes document them in the OpenAPI document.
ADMIN_HEADER_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": ADMIN_ID_HEADER,
        "in": "header",
        "required": False,
        "schema": {"type": "string", "pattern": "^[0-9]{1,10}$"},
        "description": "With MULTICAM_ADMIN_PANEL_TOKEN only (required then): the numeric id "
        "of the logged-in Strapi admin user the review is made for.",
    },
    {
        "name": ADMIN_EMAIL_HEADER,
        "in": "header",
        "required": False,
        "schema": {"type": "string", "maxLength": MAX_EMAIL},
        "description": "With MULTICAM_ADMIN_PANEL_TOKEN only (required then): that admin "
        "user's e-mail; it becomes approvedBy.",
    },
    {
        "name": SIGNATURE_HEADER,
        "in": "header",
        "required": False,
        "schema": {"type": "string", "pattern": "^t=[0-9]{1,12},v1=[0-9a-f]{64}$"},
        "description": "With MULTICAM_ADMIN_PANEL_TOKEN only (required then): "
        "`t=<unix seconds>,v1=<hex>`, HMAC-SHA256 keyed by the panel's token over "
        "the time, method, request target, user id and e-mail (docs/api.md).",
    },
]
