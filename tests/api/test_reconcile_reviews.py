"""reconcile's scan for admin reviews whose webhook was lost (a fake Strapi: no stack)."""

from __future__ import annotations

from typing import Any

import httpx
import structlog

from strapi_client.client import StrapiClient
from worker.jobs.reconcile import _unapplied_reviews
from worker.queue import APPLY_REVIEW
from worker.review.marks import fingerprint, review_job_id


def _sync_result(doc_id: int, **fields: Any) -> dict[str, Any]:
    return {
        "id": doc_id,
        "documentId": f"r{doc_id}",
        "operatorStatus": "approved",
        "approvedBy": "alice",
        "operatorOffsetsMs": None,
        **fields,
    }


async def test_one_unreadable_review_does_not_hide_the_others_from_reconcile() -> None:
    echo = _sync_result(
        1, debugArtifacts={"review": {"fingerprint": fingerprint("approved", None, "alice")}}
    )
    unreadable = _sync_result(2, operatorStatus="corrected", operatorOffsetsMs={"C": "about 4 s"})
    lost = _sync_result(3, debugArtifacts={"history": ["junk"], "review": "junk"})
    also_lost = _sync_result(4, operatorStatus="corrected", operatorOffsetsMs={"C": -4100})
    entries = [echo, unreadable, lost, also_lost]

    def handler(request: httpx.Request) -> httpx.Response:
        # Keyset pages of two: the entries after the id the request asks for.
        after = int(request.url.params["filters[$and][1][id][$gt]"])
        page = [e for e in entries if e["id"] > after][:2]
        return httpx.Response(200, json={"data": page, "meta": {"pagination": {}}})

    strapi = StrapiClient("http://strapi.test", transport=httpx.MockTransport(handler))
    with structlog.testing.capture_logs() as logs:
        async with strapi:
            found = [review for review, _ in await _unapplied_reviews(strapi, page_size=2)]
    assert [r.args for r in found] == [("r3",), ("r4",)]
    assert all(r.function == APPLY_REVIEW for r in found)
    # The same job ids as the entries' webhooks would get.
    assert [r.job_id for r in found] == [review_job_id(lost), review_job_id(also_lost)]
    skipped = [e for e in logs if e["event"] == "reconcile_review_skipped"]
    assert [e["result"] for e in skipped] == ["r2"]
