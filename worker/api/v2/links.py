"""Download links for review: presigned GETs on S3/R2, signed service links on the local backend.

A browser plays both in a ``<video>`` element: R2/S3 serves the presigned URL; the
local backend cannot presign, so its files are served by ``GET /v2/media/{key}``
(``media.py``) under a link signed by the service (``media_links.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from worker.api.v2.media_links import MediaSigner
from worker.api.v2.models.base import Link
from worker.storage.base import DirectUploadStore, ObjectStore
from worker.storage.errors import ForeignUrlError, InvalidKey


async def link_for_key(
    store: ObjectStore, key: str, expires_in: int, signer: MediaSigner | None = None
) -> Link:
    if not isinstance(store, DirectUploadStore):  # no presigning: the service serves it
        if signer is None:
            # No secret to sign with: the file:// URL is all a local tool can open.
            return Link(url=store.public_url(key) or store.url_for(key))
        expires = int(dt.datetime.now(dt.UTC).timestamp()) + expires_in
        return Link(
            url=signer.url(key, expires), expires_at=dt.datetime.fromtimestamp(expires, dt.UTC)
        )
    signed = await store.presign_get(key, expires_in=expires_in)
    return Link(url=signed.url, expires_at=signed.expires_at)


async def link_for_url(
    store: ObjectStore,
    url: str,
    expires_in: int,
    signer: MediaSigner | None = None,
    allowed: Callable[[str], bool] | None = None,
) -> Link | None:
    """A link for a stored object's canonical URL; None if it is not in our storage, or
    its key is not one ``allowed`` accepts."""
    try:
        key = store.key_from_url(url)
    except (ForeignUrlError, InvalidKey):
        return None
    if allowed is not None and not allowed(key):
        return None
    return await link_for_key(store, key, expires_in, signer)
