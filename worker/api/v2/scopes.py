"""What each /v2 route needs a credential to be allowed (pure).

Three scopes: ``read`` (every GET), ``upload`` (creating sessions and sending files),
``review`` (approve, correct, recompute). A credential configured with no scopes
(MULTICAM_API_TOKEN_SCOPES leaves it out) holds all three, so existing set-ups keep
working; a script that only reads can be given ``read`` alone.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

Scope = Literal["read", "upload", "review"]
ALL_SCOPES: frozenset[Scope] = frozenset({"read", "upload", "review"})
_REVIEW_ACTIONS = ("/sync/approve", "/sync/correct", "/sync/recompute")


def required_scope(path: str, methods: Collection[str]) -> Scope:
    """The scope a route (its path template and methods) needs."""
    if any(path.endswith(action) for action in _REVIEW_ACTIONS):
        return "review"
    if "/uploads" in path or "/assets/" in path or set(methods) - {"GET", "HEAD"}:
        return "upload"
    return "read"
