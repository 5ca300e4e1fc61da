"""What each /v2 route needs a credential to be allowed, and what a credential holds (pure).

Four scopes:

* ``read``: every GET (sessions, sync views, timelines, listen, media links);
* ``upload``: creating sessions and sending files;
* ``review``: approving and correcting a sync;
* ``admin``: recomputing a sync, which throws away the result under review.

MULTICAM_API_TOKEN_SCOPES gives a credential its scopes by name. A credential it
leaves out gets its kind's default (``default_scopes``): the service's own
MULTICAM_API_TOKEN and the admin panel's token hold all four (the panel acts only for
a signed-in Strapi admin user, whom Strapi's roles already restrict); a named token of
MULTICAM_API_TOKENS holds ``read`` alone until it is given more, so a token handed to
a script can never do more than it was meant to.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

Scope = Literal["read", "upload", "review", "admin"]
ALL_SCOPES: frozenset[Scope] = frozenset({"read", "upload", "review", "admin"})
NAMED_TOKEN_DEFAULT: frozenset[Scope] = frozenset({"read"})
_REVIEW_ACTIONS = ("/sync/approve", "/sync/correct")
_ADMIN_ACTIONS = ("/sync/recompute",)

CredentialKind = Literal["main", "named", "admin"]


def default_scopes(kind: CredentialKind) -> frozenset[Scope]:
    """The scopes of a credential MULTICAM_API_TOKEN_SCOPES does not name."""
    return NAMED_TOKEN_DEFAULT if kind == "named" else ALL_SCOPES


def required_scope(path: str, methods: Collection[str]) -> Scope:
    """The scope a route (its path template and methods) needs."""
    if any(path.endswith(action) for action in _ADMIN_ACTIONS):
        return "admin"
    if any(path.endswith(action) for action in _REVIEW_ACTIONS):
        return "review"
    if "/uploads" in path or "/assets/" in path or set(methods) - {"GET", "HEAD"}:
        return "upload"
    return "read"
