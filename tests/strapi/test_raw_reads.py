"""The client's raw reads: entries as Strapi sent them, for JSON the typed model refuses.

A small fake Strapi (httpx.MockTransport): the point is what the client does with the
answer, not Strapi.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from strapi_client import StrapiClient, StrapiNotFound

RESULT = {
    "id": 7,
    "documentId": "r7",
    "operatorStatus": "approved",
    "debugArtifacts": {"inputsDigest": "d"},
}


def _client(handler: Any) -> StrapiClient:
    return StrapiClient("http://strapi.test", "t", transport=httpx.MockTransport(handler))


async def test_raw_reads_hand_back_what_strapi_sent() -> None:
    odd = {**RESULT, "operatorOffsetsMs": {"C": "about 4 s"}}
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/sync-results/gone":
            return httpx.Response(
                404,
                json={
                    "data": None,
                    "error": {"status": 404, "name": "NotFoundError", "message": "Not Found"},
                },
            )
        if request.url.path == "/api/sync-results/r7":
            return httpx.Response(200, json={"data": odd, "meta": {}})
        return httpx.Response(
            200,
            json={
                "data": [odd],
                "meta": {"pagination": {"page": 1, "pageSize": 25, "pageCount": 1, "total": 1}},
            },
        )

    async with _client(handler) as strapi:
        assert await strapi.sync_results.get_raw("r7", populate={"session": True}) == odd
        assert await strapi.sync_results.find_raw(filters={"id": {"$eq": 7}}) == [odd]
        assert [e async for e in strapi.sync_results.iterate_raw()] == [odd]
        with pytest.raises(StrapiNotFound):
            await strapi.sync_results.get_raw("gone")
        # The typed readers refuse the same entry.
        with pytest.raises(ValidationError):
            await strapi.sync_results.get("r7")
    assert seen[0].headers["authorization"] == "Bearer t"
    assert seen[0].url.params["populate[session]"] == "true"
