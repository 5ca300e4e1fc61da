"""Signed links to stored files, for players that cannot send a bearer header (pure).

A ``<video src>`` cannot carry ``Authorization``, so with the local storage backend
(which cannot presign) the review links point at ``GET /v2/media/{key}`` on the
service's public URL, with an expiry and an HMAC-SHA256 over key and expiry:

    {MULTICAM_API_URL}/v2/media/{key}?exp={unix seconds}&sig={hex}

The key is MULTICAM_MEDIA_URL_SECRET, or, when that is empty, one derived from the
API, admin panel and webhook secrets, so links work without more configuration
(and all stop working when one of those secrets changes). With none of them set
there is no key, and no links are signed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from enum import Enum
from urllib.parse import quote, urlencode

from worker.settings import Settings

MEDIA_PATH = "/v2/media/"
_DERIVATION_LABEL = b"multicam media links v1"


class Verdict(Enum):
    OK = "ok"
    BAD = "bad"
    EXPIRED = "expired"


def media_key(settings: Settings) -> bytes | None:
    """The signing key: the configured one, else derived from the other secrets."""
    configured = settings.media_url_secret.get_secret_value()
    if configured:
        return configured.encode()
    parts = [
        settings.api_token.get_secret_value(),
        settings.admin_panel_token.get_secret_value(),
        settings.webhook_secret.get_secret_value(),
    ]
    if not any(parts):
        return None
    # Derived, never one of the secrets itself: a link's signature reveals nothing usable.
    material = b"\x00".join(p.encode() for p in parts)
    return hmac.new(_DERIVATION_LABEL, material, hashlib.sha256).digest()


@dataclass(frozen=True)
class MediaSigner:
    base_url: str
    key: bytes

    def signature(self, object_key: str, expires: int) -> str:
        message = f"{object_key}\n{expires}".encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def url(self, object_key: str, expires: int) -> str:
        query = urlencode({"exp": expires, "sig": self.signature(object_key, expires)})
        return f"{self.base_url.rstrip('/')}{MEDIA_PATH}{quote(object_key, safe='/')}?{query}"

    def check(self, object_key: str, expires: int, signature: str, now: dt.datetime) -> Verdict:
        """Is this link one we signed, and still valid? (constant-time comparison)"""
        good = hmac.compare_digest(
            signature.lower().encode(), self.signature(object_key, expires).encode()
        )
        if not good:
            return Verdict.BAD
        return Verdict.OK if expires > now.timestamp() else Verdict.EXPIRED


def media_signer(settings: Settings) -> MediaSigner | None:
    key = media_key(settings)
    return MediaSigner(settings.api_url, key) if key is not None else None
