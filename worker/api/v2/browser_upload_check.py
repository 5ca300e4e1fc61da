"""Whether a browser on an origin can PUT presigned URLs to the bucket (its CORS rules).

A browser PUTs the presigned URLs cross-origin; if the bucket's CORS rules do not
allow its origin, every PUT fails in the browser with nothing the operator can read.
So the admin plugin asks first (``GET /v2/uploads/browser-check``), and init-upload
checks again when told the upload is for a browser (the X-Multicam-Browser-Origin
header).
"""

from __future__ import annotations

from typing import Any

from worker.api.errors import ApiError
from worker.api.v2.cors_cache import CorsRulesCache, CorsSource
from worker.storage.cors import blocked_message, blocked_reason
from worker.storage.errors import StorageError, UnsupportedOperation


def _blocked(origin: str, value: list[dict[str, Any]] | StorageError) -> str | None:
    if isinstance(value, StorageError):
        return blocked_message(
            origin,
            f"the service cannot read them ({value}); its key "
            "needs permission to read the bucket's CORS configuration",
        )
    reason = blocked_reason(value, origin)
    return None if reason is None else blocked_message(origin, reason, value)


async def require_browser_upload(store: CorsSource, cache: CorsRulesCache, origin: str) -> None:
    """Raise the API's 409 unless a browser on ``origin`` can PUT to the bucket."""
    try:
        value, just_read = await cache.rules(store)
        problem = _blocked(origin, value)
        if problem is not None and not just_read:  # refuse only on rules read just now
            problem = _blocked(origin, (await cache.rules(store, fresh=True))[0])
    except UnsupportedOperation:
        raise ApiError(
            409,
            "browser_upload_unsupported",
            "browser uploads need the s3 "
            "storage backend (MULTICAM_STORAGE_BACKEND=s3): the local backend has "
            "no HTTP endpoint a browser could upload to",
        ) from None
    if problem is not None:
        raise ApiError(409, "browser_upload_blocked", problem)
