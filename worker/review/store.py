"""Reading sync-result entries as raw JSON (see ``view.py`` for why not typed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strapi_client.client import StrapiClient
from strapi_client.errors import StrapiNotFound
from strapi_client.query import build_params, related
from worker.review.view import ResultView


async def _get(strapi: StrapiClient, path: str, params: list[tuple[str, str]]) -> Any:
    # The collection's typed readers would refuse an operator's malformed JSON, so
    # this goes through the client's transport (same auth, retries and error mapping).
    return await strapi.sync_results._transport.request("GET", path, params=params)


async def result_of_session(strapi: StrapiClient, session_id: str) -> ResultView | None:
    """The session's sync result, or None before sync has run."""
    params = build_params(filters={"session": related(session_id)},
                          populate={"session": {"fields": ["documentId"]}}, page_size=1)
    payload = await _get(strapi, strapi.sync_results.path, params)
    items = payload.get("data") if isinstance(payload, Mapping) else None
    if not items:
        return None
    return ResultView.from_raw(items[0])


async def result_by_id(strapi: StrapiClient, result_id: str) -> ResultView | None:
    """One sync result by documentId, or None if it was deleted."""
    params = build_params(populate={"session": {"fields": ["documentId"]}})
    try:
        payload = await _get(strapi, f"{strapi.sync_results.path}/{result_id}", params)
    except StrapiNotFound:
        return None
    data = payload.get("data") if isinstance(payload, Mapping) else None
    return ResultView.from_raw(data) if isinstance(data, Mapping) else None
