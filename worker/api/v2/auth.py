"""Who calls the /v2 API: named bearer tokens, and the Strapi admin plugin's token.

The check runs before FastAPI reads the body (``BearerRoute``), so an
unauthenticated caller learns nothing, not even whether its JSON was valid. It
resolves the credential once into a ``Caller`` kept on ``request.state``; routes
get it with ``Depends(caller)``, and the review routes their ``Reviewer`` with
``Depends(reviewer)``.

The admin plugin's token acts for the logged-in Strapi admin user that two
headers name. Those headers are read only with that token: with any other
credential they are ignored, never trusted.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer

from worker.api.deps import api
from worker.api.errors import error_response
from worker.api.v2.problems import ApiError
from worker.api.v2.scopes import ALL_SCOPES, Scope, required_scope
from worker.review.reviewer import Reviewer
from worker.settings import Settings

ADMIN_ID_HEADER = "X-Multicam-Admin-User-Id"
ADMIN_EMAIL_HEADER = "X-Multicam-Admin-User-Email"
ADMIN_PANEL_NAME = "admin-panel"  # the panel credential's own name (logs)

# Declares the scheme in the OpenAPI document (the check itself is ``resolve_caller``).
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="`Authorization: Bearer <token>`: MULTICAM_API_TOKEN, one of MULTICAM_API_TOKENS, "
    "or MULTICAM_ADMIN_PANEL_TOKEN (with the admin user headers)",
)

# An admin user's e-mail as Strapi keeps it: one printable line, something@something.
_EMAIL = re.compile(r"[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+")
_MAX_EMAIL = 254
_MAX_ADMIN_ID = 2**31 - 1  # Strapi's admin users table has an integer id


@dataclass(frozen=True)
class Credential:
    kind: Literal["token", "admin"]  # admin: the Strapi admin plugin
    name: str
    secret: str
    scopes: frozenset[Scope] = ALL_SCOPES


@dataclass(frozen=True)
class AdminUser:
    """The Strapi admin user the admin plugin acts for."""

    id: int
    email: str


@dataclass(frozen=True)
class Caller:
    """The credential a request was made with (and, for the admin plugin, for whom)."""

    kind: Literal["token", "admin"]
    name: str  # the token's name; ADMIN_PANEL_NAME for the admin plugin
    admin: AdminUser | None = None  # kind "admin" with usable headers
    admin_problem: str | None = None  # kind "admin": why the headers are not usable
    scopes: frozenset[Scope] = ALL_SCOPES


def credentials(settings: Settings) -> list[Credential]:
    """Every configured token (empty ones never match anything, so they are left out)."""
    configured = settings.api_token_scopes

    def scopes(name: str) -> frozenset[Scope]:
        return frozenset(configured[name]) if name in configured else ALL_SCOPES

    found = [
        Credential(
            "token",
            settings.api_token_name,
            settings.api_token.get_secret_value(),
            scopes(settings.api_token_name),
        ),
        *(
            Credential("token", name, token.get_secret_value(), scopes(name))
            for name, token in settings.api_tokens.items()
        ),
        Credential(
            "admin",
            ADMIN_PANEL_NAME,
            settings.admin_panel_token.get_secret_value(),
            scopes(ADMIN_PANEL_NAME),
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


def admin_user(headers: Mapping[str, str]) -> AdminUser | str:
    """The admin user the plugin names in its headers, or why they are not usable."""
    raw_id = headers.get(ADMIN_ID_HEADER)
    raw_email = headers.get(ADMIN_EMAIL_HEADER)
    if raw_id is None or raw_email is None:
        missing = [
            h for h, v in ((ADMIN_ID_HEADER, raw_id), (ADMIN_EMAIL_HEADER, raw_email)) if v is None
        ]
        return f"missing header(s) {', '.join(missing)}"
    raw_id, raw_email = raw_id.strip(), raw_email.strip()
    if not raw_id.isascii() or not raw_id.isdigit() or not 1 <= int(raw_id) <= _MAX_ADMIN_ID:
        return f"{ADMIN_ID_HEADER} must be the admin user's numeric id, not {raw_id[:40]!r}"
    if len(raw_email) > _MAX_EMAIL or not _EMAIL.fullmatch(raw_email):
        return f"{ADMIN_EMAIL_HEADER} must be the admin user's e-mail, not {raw_email[:80]!r}"
    return AdminUser(id=int(raw_id), email=raw_email)


def resolve_caller(headers: Mapping[str, str], settings: Settings) -> Caller | None:
    """The caller of a request, or None when its bearer token is not a configured one."""
    cred = match_credential(headers.get("authorization"), credentials(settings))
    if cred is None:
        return None
    if cred.kind == "token":
        # Admin headers, if any, are not trusted here.
        return Caller("token", cred.name, scopes=cred.scopes)
    user = admin_user(headers)
    if isinstance(user, str):
        return Caller("admin", cred.name, admin_problem=user, scopes=cred.scopes)
    return Caller("admin", cred.name, admin=user, scopes=cred.scopes)


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
    """A route that answers 401 before anything else when the token is not right."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()
        scope = required_scope(self.path, self.methods or ())

        async def handler(request: Request) -> Response:
            found = resolve_caller(request.headers, api(request).settings)
            if found is None:
                return unauthorized()
            if scope not in found.scopes:
                return insufficient_scope(found, scope)
            request.state.caller = found
            return await inner(request)

        return handler


def caller(request: Request) -> Caller:
    """The resolved caller (a dependency of routes under ``BearerRoute``)."""
    found: Caller = request.state.caller
    return found


def reviewer_of(who: Caller) -> Reviewer:
    """Who signs a review made by this caller; 401 when the admin plugin names nobody."""
    if who.kind == "token":
        return Reviewer.token(who.name)
    if who.admin is None:
        raise ApiError(
            401,
            "admin_user_required",
            "the admin panel's token reviews for a logged-in Strapi admin user: "
            f"send {ADMIN_ID_HEADER} and {ADMIN_EMAIL_HEADER} "
            f"({who.admin_problem or 'they are missing'})",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Reviewer.admin(who.admin.id, who.admin.email)


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
        "schema": {"type": "string", "maxLength": _MAX_EMAIL},
        "description": "With MULTICAM_ADMIN_PANEL_TOKEN only (required then): that admin "
        "user's e-mail; it becomes approvedBy.",
    },
]
