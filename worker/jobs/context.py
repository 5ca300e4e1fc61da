"""What every job gets: settings, the Strapi client, the object store (one per process)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any

from strapi_client.client import StrapiClient
from worker.ingest.config import IngestSettings
from worker.settings import Settings
from worker.storage.base import ObjectStore
from worker.storage.factory import open_store
from worker.storage.settings import StorageSettings

# Defined in worker.transient; tests/pipeline/test_poison.py still imports it from here.


@dataclass
class Deps:
    settings: Settings
    ingest: IngestSettings
    strapi: StrapiClient
    store: ObjectStore


async def open_deps(
    settings: Settings, storage: StorageSettings, ingest: IngestSettings, stack: AsyncExitStack
) -> Deps:
    """The process's dependencies, closed with ``stack``."""
    strapi = StrapiClient(settings.strapi_url, settings.strapi_token.get_secret_value())
    stack.push_async_callback(strapi.aclose)
    store = await stack.enter_async_context(open_store(storage))
    return Deps(settings=settings, ingest=ingest, strapi=strapi, store=store)


def deps_of(ctx: dict[str, Any]) -> Deps:
    deps: Deps = ctx["deps"]
    return deps
