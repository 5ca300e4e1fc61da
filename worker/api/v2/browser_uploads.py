"""Browser uploads: refuse to offer them when the bucket's CORS rules would block them.

A browser PUTs the presigned URLs cross-origin; if the bucket's CORS rules do not
allow its origin, every PUT fails in the browser with nothing the operator can read.
So the admin plugin asks first (browser-check), and init-upload checks again when
told the upload is for a browser (the X-Multicam-Browser-Origin header).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Depends, Header, Query, Request

from worker.api.v2.auth import BearerRoute
from worker.api.v2.context import Api, api
from worker.api.v2.problems import ApiError, responses
from worker.api.v2.upload_models import BrowserCheck
from worker.storage.cors import ORIGIN_PATTERN, blocked_message, blocked_reason
from worker.storage.errors import StorageError, StorageUnavailable, UnsupportedOperation

BROWSER_ORIGIN_HEADER = "X-Multicam-Browser-Origin"
# Long enough that a burst of uploads reads the rules once, short enough that a
# revoked origin is refused again within half a minute.
CACHE_SECONDS = 30.0
_EXAMPLE_ORIGIN = "https://cms.example"

# Included by uploads.router, which adds the /v2 prefix and the bearer scheme.
router = APIRouter(route_class=BearerRoute)

BrowserOrigin = Annotated[str, Query(
    pattern=ORIGIN_PATTERN, max_length=300, examples=[_EXAMPLE_ORIGIN],
    description="The origin the browser uploads from (the Strapi admin's), as browsers "
                "send it: scheme://host[:port], lower case, no path.")]
BrowserOriginHeader = Annotated[str | None, Header(
    alias=BROWSER_ORIGIN_HEADER, pattern=ORIGIN_PATTERN, max_length=300,
    examples=[_EXAMPLE_ORIGIN],
    description="Set when a browser on this origin will PUT the file (the admin plugin "
                "sets it): the bucket's CORS rules are checked first, and a 409 "
                "browser_upload_blocked answers instead of a ticket if they would block it.")]


class CorsSource(Protocol):
    async def get_cors_rules(self) -> list[dict[str, Any]]: ...


@dataclass
class CorsRulesCache:
    """The bucket's CORS rules (or the error reading them), kept ``ttl`` seconds.

    One per service process. A refusal is only ever given on rules read just now,
    so a fix with ``apply-cors`` takes effect at the next request.
    """

    ttl: float = CACHE_SECONDS
    clock: Callable[[], float] = time.monotonic
    _value: list[dict[str, Any]] | StorageError | None = None
    _read_at: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def rules(self, store: CorsSource, *, fresh: bool = False
                    ) -> tuple[list[dict[str, Any]] | StorageError, bool]:
        """The rules (or the error reading them), and whether they were read just now."""
        async with self._lock:  # a burst of requests shares one read
            if fresh or self._value is None or self.clock() - self._read_at >= self.ttl:
                self._value = await self._read(store)
                self._read_at = self.clock()
                return self._value, True
            return self._value, False

    @staticmethod
    async def _read(store: CorsSource) -> list[dict[str, Any]] | StorageError:
        try:
            return await store.get_cors_rules()
        except (StorageUnavailable, UnsupportedOperation):
            raise  # a 503 to retry, or a backend that has no CORS: nothing to keep
        except StorageError as exc:  # e.g. a key without permission to read bucket CORS
            return exc


def cors_cache(request: Request) -> CorsRulesCache:
    """The process's cache, made on first use (kept on the app's state)."""
    cache: CorsRulesCache | None = getattr(request.app.state, "browser_cors_cache", None)
    if cache is None:
        cache = request.app.state.browser_cors_cache = CorsRulesCache()
    return cache


def _blocked(origin: str, value: list[dict[str, Any]] | StorageError) -> str | None:
    if isinstance(value, StorageError):
        return blocked_message(origin, f"the service cannot read them ({value}); its key "
                               "needs permission to read the bucket's CORS configuration")
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
        raise ApiError(409, "browser_upload_unsupported", "browser uploads need the s3 "
                       "storage backend (MULTICAM_STORAGE_BACKEND=s3): the local backend has "
                       "no HTTP endpoint a browser could upload to") from None
    if problem is not None:
        raise ApiError(409, "browser_upload_blocked", problem)


@router.get("/uploads/browser-check", response_model=BrowserCheck,
            responses=responses(409, 422),
            summary="Can a browser on this origin upload straight to the bucket?")
async def browser_check(origin: BrowserOrigin, ctx: Annotated[Api, Depends(api)],
                        cache: Annotated[CorsRulesCache, Depends(cors_cache)]) -> BrowserCheck:
    await require_browser_upload(ctx.store, cache, origin)
    return BrowserCheck(origin=origin)
