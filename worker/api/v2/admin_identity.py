"""The Strapi admin user the admin plugin acts for, and the signature that proves it (pure).

The plugin (``server/src/utils/admin-identity.js``) calls /v2 with its own token and
names the logged-in admin user in two headers. Plain headers would let anything
holding a captured request act for any admin, on any route, for ever; so the plugin
also sends ``X-Multicam-Admin-Signature: t=<unix seconds>,v1=<hex>``, an HMAC-SHA256
keyed by MULTICAM_ADMIN_PANEL_TOKEN over :func:`canonical`'s lines: the time, the
method, the request target exactly as sent (raw path and query), the user id and the
e-mail. The service accepts it for ``MAX_SKEW_S`` either side of its own clock, so a
captured request cannot be replayed later, re-aimed at another route or another
session, or re-signed for another user without the token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

ADMIN_ID_HEADER = "X-Multicam-Admin-User-Id"
ADMIN_EMAIL_HEADER = "X-Multicam-Admin-User-Email"
SIGNATURE_HEADER = "X-Multicam-Admin-Signature"
SIGNATURE_VERSION = "v1"
MAX_SKEW_S = 300  # both ways: the plugin's and the service's clocks may differ a little

# An admin user's e-mail as Strapi keeps it: one printable line, something@something.
_EMAIL = re.compile(r"[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+")
MAX_EMAIL = 254
_MAX_ADMIN_ID = 2**31 - 1  # Strapi's admin users table has an integer id
_SIGNATURE = re.compile(r"t=(?P<t>[0-9]{1,12}),v1=(?P<sig>[0-9a-f]{64})")


@dataclass(frozen=True)
class AdminUser:
    """The Strapi admin user the admin plugin acts for."""

    id: int
    email: str


def canonical(timestamp: int, method: str, target: str, user: AdminUser) -> bytes:
    """The signed text: one field per line, after a version line (no field holds a newline)."""
    lines = ("multicam-admin-identity-" + SIGNATURE_VERSION, str(timestamp), method.upper())
    return "\n".join((*lines, target, str(user.id), user.email)).encode()


def sign(panel_token: str, timestamp: int, method: str, target: str, user: AdminUser) -> str:
    """The value of ``SIGNATURE_HEADER`` for one request.

    :param target: the request target as sent on the wire: raw path, then ``?query`` if any.
    """
    digest = hmac.new(
        panel_token.encode(), canonical(timestamp, method, target, user), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},{SIGNATURE_VERSION}={digest}"


def signed_headers(
    panel_token: str, timestamp: int, method: str, target: str, user: AdminUser
) -> dict[str, str]:
    """The three headers the plugin sends with a request made for ``user``."""
    return {
        ADMIN_ID_HEADER: str(user.id),
        ADMIN_EMAIL_HEADER: user.email,
        SIGNATURE_HEADER: sign(panel_token, timestamp, method, target, user),
    }


def _named_user(headers: Mapping[str, str]) -> AdminUser | str:
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
    if len(raw_email) > MAX_EMAIL or not _EMAIL.fullmatch(raw_email):
        return f"{ADMIN_EMAIL_HEADER} must be the admin user's e-mail, not {raw_email[:80]!r}"
    return AdminUser(id=int(raw_id), email=raw_email)


def verified_admin_user(
    headers: Mapping[str, str], method: str, target: str, panel_token: str, now: float
) -> AdminUser | str:
    """The admin user a request from the plugin is made for, or why it is not accepted.

    :param headers: the request's headers (case-insensitive mapping).
    :param target: the request target as received (raw path, ``?query`` if any).
    :param now: the service's clock, in Unix seconds.
    """
    user = _named_user(headers)
    if isinstance(user, str):
        return user
    given = (headers.get(SIGNATURE_HEADER) or "").strip()
    parsed = _SIGNATURE.fullmatch(given)
    if parsed is None:
        return f"missing or malformed {SIGNATURE_HEADER} (t=<unix seconds>,v1=<hex HMAC>)"
    timestamp = int(parsed["t"])
    if abs(now - timestamp) > MAX_SKEW_S:
        return (
            f"{SIGNATURE_HEADER} is {abs(now - timestamp):.0f} s from the service's clock "
            f"(at most {MAX_SKEW_S} s): check both machines' clocks"
        )
    expected = sign(panel_token, timestamp, method, target, user)
    if not hmac.compare_digest(expected.encode(), given.encode()):
        return (
            f"{SIGNATURE_HEADER} does not match this request, its user and "
            "MULTICAM_ADMIN_PANEL_TOKEN"
        )
    return user
