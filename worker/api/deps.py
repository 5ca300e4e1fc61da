"""What every route works with: one bundle per process, made in the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from arq import ArqRedis
from fastapi import Request

from strapi_client.client import StrapiClient
from strapi_client.errors import StrapiNotFound
from strapi_client.models import MediaAsset, RecordingSession
from strapi_client.transport import RetryPolicy
from worker.api.errors import ApiError, not_found
from worker.api.v2.cors_cache import CorsRulesCache
from worker.api.v2.upload_records import UploadRecords
from worker.settings import Settings
from worker.storage.base import ObjectStore

# The API answers people and scripts: with Strapi down it says so within seconds (503,
# retry later) instead of waiting through the worker's retry budget (5 attempts of up
# to 10 s connect each, about a minute). One retry, short waits, short timeouts; a
# Retry-After from Strapi is not waited out either. Workers keep the client defaults.
API_STRAPI_RETRY = RetryPolicy(attempts=2, initial_wait=0.2, max_wait=0.5, max_retry_after=1.0)
API_STRAPI_TIMEOUT = httpx.Timeout(5.0, connect=1.5)
# All of one /v2 request's Strapi calls together (strapi_client.deadline; only time in
# them counts): a route that calls Strapi five times on a slow Strapi answers 503 after
# this, not after 5 x 10 s.
API_STRAPI_BUDGET_S = 7.0


def api_strapi_client(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> StrapiClient:
    """The Strapi client of ``multicam serve``: fails fast (see API_STRAPI_RETRY)."""
    return StrapiClient(
        settings.strapi_url,
        settings.strapi_token.get_secret_value(),
        timeout=API_STRAPI_TIMEOUT,
        retry=API_STRAPI_RETRY,
        transport=transport,
    )


@dataclass
class Api:
    """The service's connections and per-process state; routes take it with ``Depends(api)``."""

    settings: Settings
    redis: ArqRedis
    strapi: StrapiClient
    store: ObjectStore
    # The bucket's CORS rules as last read (browser uploads).
    cors: CorsRulesCache = field(default_factory=CorsRulesCache)
    # The upload API's pending uploads and version reservations, kept in Redis.
    records: UploadRecords = field(init=False)

    def __post_init__(self) -> None:
        self.records = UploadRecords(self.redis)

    async def session(
        self, session_id: str, *, assets: bool = False, derivatives: bool = False
    ) -> RecordingSession:
        """The session (optionally with its assets), or 404."""
        populate = (
            {"assets": {"populate": ["derivatives"]}}
            if derivatives
            else {"assets": True}
            if assets
            else None
        )
        try:
            return await self.strapi.get_session(session_id, populate=populate)
        except StrapiNotFound:
            raise not_found("session", session_id) from None

    async def asset(self, session_id: str, asset_id: str) -> MediaAsset:
        """The asset if it belongs to the session, or 404."""
        try:
            asset = await self.strapi.assets.get(asset_id, populate={"session": True})
        except StrapiNotFound:
            raise not_found("asset", asset_id) from None
        if asset.session is None or asset.session.document_id != session_id:
            raise ApiError(
                404, "asset_not_found", f"asset {asset_id!r} is not part of session {session_id!r}"
            )
        return asset


def api(request: Request) -> Api:
    bundle: Api = request.app.state.api
    return bundle
