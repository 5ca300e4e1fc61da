"""StrapiClient: the four collections plus the lookups and upserts the worker needs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

import httpx

from .base import RelationChange
from .collection import Collection
from .enums import AssetState, CameraLabel, DerivedKind, SessionState
from .models import (
    DerivedMedia,
    DerivedMediaInput,
    MediaAsset,
    MediaAssetInput,
    RecordingSession,
    RecordingSessionInput,
    SyncResult,
    SyncResultInput,
)
from .query import Filters, Populate, eq, one_of, related
from .transport import RetryPolicy, Transport
from .upsert import upsert

# What a worker needs to act on a session: every asset with its derived media, and the
# sync result.
SESSION_FULL: Mapping[str, Any] = {
    "assets": {"populate": ["derivatives"]},
    "syncResult": True,
}


def _state_filter(state: str | Sequence[str]) -> dict[str, Any]:
    if isinstance(state, str):
        return {"state": eq(state)}
    return {"state": one_of(list(state))}


class StrapiClient:
    """Async client for the multicam content types of one Strapi 5 server.

    `token` is an API token key (the bootstrap's MULTICAM_API_TOKEN). Connection errors,
    5xx and 429 are retried per `retry`; every other error raises at once.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float | httpx.Timeout = 10.0,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=timeout, transport=transport
        )
        self._transport = Transport(self._http, retry or RetryPolicy())
        self.sessions = Collection(self._transport, RecordingSession, RecordingSessionInput)
        self.assets = Collection(self._transport, MediaAsset, MediaAssetInput)
        self.derived_media = Collection(self._transport, DerivedMedia, DerivedMediaInput)
        self.sync_results = Collection(self._transport, SyncResult, SyncResultInput)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def is_healthy(self) -> bool:
        """One unretried GET /_health: for readiness probes, which must answer fast."""
        try:
            response = await self._http.get("/_health")
        except httpx.HTTPError:
            return False
        return response.status_code == 204

    async def get_session(
        self, document_id: str, *, populate: Populate | None = SESSION_FULL
    ) -> RecordingSession:
        """A session with its assets (and their derived media) and sync result."""
        return await self.sessions.get(document_id, populate=populate)

    async def find_asset(
        self,
        session_id: str,
        camera: CameraLabel | str,
        *,
        take: int = 1,
        populate: Populate | None = None,
    ) -> MediaAsset | None:
        """The session's asset for one camera's take, or None."""
        return await self.assets.first(
            filters=self._asset_key(session_id, camera, take), populate=populate
        )

    async def update_asset(self, document_id: str, data: MediaAssetInput) -> MediaAsset:
        return await self.assets.update(document_id, data)

    async def upsert_asset(
        self,
        session_id: str,
        camera: CameraLabel | str,
        data: MediaAssetInput | None = None,
        *,
        take: int = 1,
    ) -> MediaAsset:
        """The one asset for (session, camera, take), created if missing, updated with `data`."""
        data = data or MediaAssetInput()
        create = data.model_copy(
            update={
                "camera_label": CameraLabel(camera),
                "take": take,
                "session": RelationChange.connecting(session_id),
            }
        )
        return await upsert(
            self.assets,
            key_filters=self._asset_key(session_id, camera, take),
            create=create,
            update=data,
        )

    async def upsert_derived_media(
        self, asset_id: str, kind: DerivedKind | str, data: DerivedMediaInput
    ) -> DerivedMedia:
        """The one derived-media entry for (asset, kind), created or updated with `data`."""
        create = data.model_copy(
            update={"kind": DerivedKind(kind), "asset": RelationChange.connecting(asset_id)}
        )
        return await upsert(
            self.derived_media,
            key_filters={"asset": related(asset_id), "kind": eq(DerivedKind(kind))},
            create=create,
            update=data,
        )

    async def upsert_sync_result(self, session_id: str, data: SyncResultInput) -> SyncResult:
        """The session's one sync result, created or updated with `data`."""
        create = data.model_copy(update={"session": RelationChange.connecting(session_id)})
        return await upsert(
            self.sync_results,
            key_filters={"session": related(session_id)},
            create=create,
            update=data,
        )

    def iter_sessions(
        self,
        *,
        state: SessionState | Sequence[SessionState] | None = None,
        filters: Filters | None = None,
        populate: Populate | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[RecordingSession]:
        """Every session (in one or several states), oldest first."""
        combined = self._combine(filters, None if state is None else _state_filter(state))
        return self.sessions.iterate(filters=combined, populate=populate, page_size=page_size)

    def iter_assets(
        self,
        *,
        state: AssetState | Sequence[AssetState] | None = None,
        session_id: str | None = None,
        filters: Filters | None = None,
        populate: Populate | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[MediaAsset]:
        """Every asset (in one or several states, optionally of one session), oldest first."""
        combined = self._combine(
            filters,
            None if state is None else _state_filter(state),
            None if session_id is None else {"session": related(session_id)},
        )
        return self.assets.iterate(filters=combined, populate=populate, page_size=page_size)

    @staticmethod
    def _asset_key(session_id: str, camera: CameraLabel | str, take: int) -> dict[str, Any]:
        # Take 1 also matches entries written before takes existed (take null),
        # as their natural key does.
        takes: dict[str, Any] = (
            {"$or": [{"take": eq(1)}, {"take": {"$null": True}}]}
            if take == 1
            else {"take": eq(take)}
        )
        return {"session": related(session_id), "cameraLabel": eq(CameraLabel(camera)), **takes}

    @staticmethod
    def _combine(*parts: Filters | None) -> Filters | None:
        present = [dict(p) for p in parts if p]
        if not present:
            return None
        return present[0] if len(present) == 1 else {"$and": present}
