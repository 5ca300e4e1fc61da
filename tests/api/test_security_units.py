"""Pure checks of #22 items 6 and 7: webhook ids and Range headers at the boundary."""

from __future__ import annotations

from typing import Any

import pytest

from strapi_client.webhook import parse_webhook
from worker.api.v2.byte_ranges import ByteRange, parse_range
from worker.errors import Unsatisfiable
from worker.pipeline.rules import decide

HOSTILE_IDS = ["../../x", "a" * 65, "r1\n", "r 1", "%2e%2e"]


def _event(uid: str, entry: dict[str, Any], event: str = "entry.update") -> Any:
    return parse_webhook(
        {
            "event": event,
            "model": uid.rsplit(".", 1)[-1],
            "uid": uid,
            "createdAt": "2026-11-20T10:00:00.000Z",
            "entry": {"id": 7, **entry},
        }
    )


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_a_review_webhook_with_a_hostile_document_id_queues_nothing(bad: str) -> None:
    entry = {"documentId": bad, "operatorStatus": "approved", "approvedBy": "alice"}
    assert decide(_event("api::sync-result.sync-result", entry)).jobs == ()
    good = decide(_event("api::sync-result.sync-result", {**entry, "documentId": "r1"}))
    assert len(good.jobs) == 1


@pytest.mark.parametrize("bad", HOSTILE_IDS)
def test_a_deleted_assets_hostile_session_id_queues_nothing(bad: str) -> None:
    entry = {"documentId": "asset1", "session": {"id": 3, "documentId": bad}}
    assert decide(_event("api::media-asset.media-asset", entry, "entry.delete")).jobs == ()
    fine = {**entry, "session": {"id": 3, "documentId": "s1"}}
    (job,) = decide(_event("api::media-asset.media-asset", fine, "entry.delete")).jobs
    assert job.args == ("s1",)


@pytest.mark.parametrize(
    "header", ["bytes=" + "9" * 5000 + "-", "bytes=0-" + "9" * 5000, "bytes=-" + "9" * 5000]
)
def test_thousands_of_digits_in_a_range_are_no_error(header: str) -> None:
    assert parse_range(header, 1000) is None  # not understood: the whole object


def test_ranges_within_the_digit_bound_still_work() -> None:
    assert parse_range("bytes=0-" + "9" * 19, 1000) == ByteRange(0, 999)
    with pytest.raises(Unsatisfiable):
        parse_range("bytes=" + "9" * 19 + "-", 1000)
