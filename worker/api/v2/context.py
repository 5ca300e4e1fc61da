"""What a /v2 route works with: the service's connections plus the object store."""

from __future__ import annotations

from dataclasses import dataclass

from arq import ArqRedis
from fastapi import Request

from strapi_client.client import StrapiClient
from strapi_client.errors import StrapiNotFound
from strapi_client.models import MediaAsset, RecordingSession
from worker.api.deps import service_state
from worker.api.v2.problems import ApiError, not_found
from worker.api.v2.upload_records import UploadRecords
from worker.settings import Settings
from worker.storage.base import ObjectStore


@dataclass
class Api:
    settings: Settings
    strapi: StrapiClient
    redis: ArqRedis
    store: ObjectStore
    records: UploadRecords

    async def session(self, session_id: str, *, assets: bool = False,
                      derivatives: bool = False) -> RecordingSession:
        """The session (optionally with its assets), or 404."""
        populate = ({"assets": {"populate": ["derivatives"]}} if derivatives
                    else {"assets": True} if assets else None)
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
            raise ApiError(404, "asset_not_found",
                           f"asset {asset_id!r} is not part of session {session_id!r}")
        return asset


def api(request: Request) -> Api:
    state = service_state(request)
    store: ObjectStore = request.app.state.store
    return Api(settings=state.settings, strapi=state.strapi, redis=state.redis, store=store,
               records=UploadRecords(state.redis))
