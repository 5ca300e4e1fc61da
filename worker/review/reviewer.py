"""Who made a review, as the credential of the request says (pure).

Over the /v2 API the reviewer is never typed in: it is the bearer token's name,
or, for the Strapi admin plugin's token, the logged-in admin user it acts for.
The review mark in ``debugArtifacts.review`` records it beside ``approvedBy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from strapi_client.debug_artifacts import ReviewerMark


@dataclass(frozen=True)
class Reviewer:
    kind: Literal["token", "admin"]
    name: str  # what approvedBy says: the token's name, or the admin user's e-mail
    admin_id: int | None = None  # the Strapi admin user's id (kind "admin")

    @classmethod
    def token(cls, name: str) -> Reviewer:
        return cls("token", name)

    @classmethod
    def admin(cls, admin_id: int, email: str) -> Reviewer:
        return cls("admin", email, admin_id)

    def mark(self) -> ReviewerMark:
        """The ``reviewer`` entry of the review mark."""
        if self.kind == "admin":
            return ReviewerMark(kind="admin", id=self.admin_id, email=self.name)
        return ReviewerMark(kind="token", name=self.name)
