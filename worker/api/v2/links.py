"""Download links for review: presigned GETs on S3/R2, the stored URL elsewhere."""

from __future__ import annotations

from worker.api.v2.models import Link
from worker.storage.base import ObjectStore
from worker.storage.errors import ForeignUrlError, InvalidKey, UnsupportedOperation


async def link_for_key(store: ObjectStore, key: str, expires_in: int) -> Link:
    try:
        signed = await store.presign_get(key, expires_in=expires_in)
    except UnsupportedOperation:
        # The local backend cannot presign: its file:// URL is what a local UI can open.
        return Link(url=store.public_url(key) or store.url_for(key))
    return Link(url=signed.url, expires_at=signed.expires_at)


async def link_for_url(store: ObjectStore, url: str, expires_in: int) -> Link | None:
    """A link for a stored object's canonical URL; None if it is not in our storage."""
    try:
        key = store.key_from_url(url)
    except (ForeignUrlError, InvalidKey):
        return None
    return await link_for_key(store, key, expires_in)
