"""Reading sync-result entries as raw JSON (see ``view.py`` for why not typed)."""

from __future__ import annotations

from strapi_client.client import StrapiClient
from strapi_client.errors import StrapiNotFound
from strapi_client.query import related
from worker.review.view import ResultView

# The session is wanted for its documentId only.
_SESSION_ID = {"session": {"fields": ["documentId"]}}


async def result_of_session(strapi: StrapiClient, session_id: str) -> ResultView | None:
    """The session's sync result, or None before sync has run."""
    # Raw reads: the collection's typed readers would refuse an operator's malformed JSON.
    items = await strapi.sync_results.find_raw(
        filters={"session": related(session_id)}, populate=_SESSION_ID, page_size=1
    )
    if not items:
        return None
    return ResultView.from_raw(items[0])


async def result_by_id(strapi: StrapiClient, result_id: str) -> ResultView | None:
    """One sync result by documentId, or None if it was deleted."""
    try:
        data = await strapi.sync_results.get_raw(result_id, populate=_SESSION_ID)
    except StrapiNotFound:
        return None
    return ResultView.from_raw(data) if data is not None else None
