"""``open_store``: the one way to get an ObjectStore for the configured backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from .base import ObjectStore
from .local import LocalObjectStore
from .s3 import S3ObjectStore, s3_client
from .settings import StorageSettings


@asynccontextmanager
async def open_store(settings: StorageSettings) -> AsyncIterator[ObjectStore]:
    """Yield the store for ``settings``; closes its client.

    The caller reads the settings (the commands read ``StorageSettings()`` from the
    environment once, at start). One store per process (or per job) is plenty: the S3
    client pools connections.
    """
    if settings.storage_backend == "local":
        yield LocalObjectStore(settings.storage_root)
        return
    async with s3_client(settings) as client:
        yield S3ObjectStore(client, settings)
