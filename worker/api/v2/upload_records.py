"""Pending uploads and original-file versions, kept in Redis between API calls.

Object keys have no session segment (``projects/{project}/{day}/originals/
angle-001_v003.mp4``), so two sessions of one project on one day must not pick
the same version of a camera. A version counts as taken when an object or an
unfinished multipart upload uses it, or another asset holds a reservation on
it (``SET NX``: atomic across API processes); derived files follow the
original's version (``worker.jobs.ingest.version_of``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from arq import ArqRedis
from pydantic import BaseModel

from strapi_client.models import RecordingSession
from worker.redis_keys import upload_record_key, upload_version_key
from worker.storage.base import ObjectStore
from worker.storage.keys import MAX_VERSION, angle_number, object_key, parse_object_key

RECORD_TTL_S = 7 * 24 * 3600  # a pending upload can be resumed (or completed again) this long


class UploadRecord(BaseModel):
    """What init-upload promised, so that complete can check what arrived."""

    asset_id: str
    session_id: str
    camera: str
    take: int = 1
    key: str
    upload_id: str
    mode: Literal["single", "multipart"]
    size_bytes: int
    part_size: int
    part_count: int
    sha256: str | None
    content_type: str
    filename: str
    created_at: dt.datetime
    completed_at: dt.datetime | None = None
    etag: str | None = None


def _slot(key: str) -> str:
    """The version slot of a key, whatever its extension: derived files share it."""
    return key.rsplit(".", 1)[0]


class UploadRecords:
    def __init__(self, redis: ArqRedis) -> None:
        self._redis = redis

    async def get(self, asset_id: str) -> UploadRecord | None:
        raw = await self._redis.get(upload_record_key(asset_id))
        return UploadRecord.model_validate_json(raw) if raw else None

    async def put(self, record: UploadRecord) -> None:
        await self._redis.set(
            upload_record_key(record.asset_id), record.model_dump_json(), ex=RECORD_TTL_S
        )

    async def reserve(self, key: str, asset_id: str) -> bool:
        """Hold ``key``'s version slot for ``asset_id`` (True if it is, or already was, ours)."""
        name = upload_version_key(_slot(key))
        if await self._redis.set(name, asset_id, nx=True, ex=RECORD_TTL_S):
            return True
        holder = await self._redis.get(name)
        return (holder.decode() if isinstance(holder, bytes) else holder) == asset_id

    async def release(self, key: str, asset_id: str) -> None:
        name = upload_version_key(_slot(key))
        holder = await self._redis.get(name)
        if (holder.decode() if isinstance(holder, bytes) else holder) == asset_id:
            await self._redis.delete(name)


async def used_versions(store: ObjectStore, prefix: str, angle: int, take: int = 1) -> set[int]:
    """Versions of one camera angle's take that objects or unfinished uploads already use."""
    keys = [info.key async for info in store.list_objects(prefix)]
    keys += [u.key for u in await store.list_multipart_uploads(prefix)]
    used = set()
    for key in keys:
        parts = parse_object_key(key)
        if parts is not None and parts.angle == angle and parts.take == take:
            used.add(parts.version)
    return used


async def allocate_key(
    store: ObjectStore,
    records: UploadRecords,
    session: RecordingSession,
    camera: str,
    ext: str,
    asset_id: str,
    take: int = 1,
) -> str | None:
    """A fresh original key for this camera's take, reserved for ``asset_id``; None if all
    are used."""
    first = object_key(
        session.project_id, session.date, "original", camera, version=1, ext=ext, take=take
    )
    prefix = first.rsplit("/", 1)[0] + "/"
    used = await used_versions(store, prefix, angle_number(camera), take)
    for version in range(1, MAX_VERSION + 1):
        if version in used:
            continue
        key = object_key(
            session.project_id,
            session.date,
            "original",
            camera,
            version=version,
            ext=ext,
            take=take,
        )
        if await records.reserve(key, asset_id):
            return key
    return None
