"""Review over HTTP and in the Strapi admin, on sessions whose sync result is already
written (no media: the rules only need the result and the cameras' durations)."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from strapi_client.client import StrapiClient
from strapi_client.enums import OperatorStatus, SessionState
from strapi_client.models import MediaAssetInput, RecordingSessionInput, SyncResultInput
from tests.api.conftest import (
    NAMED_TOKENS,
    PANEL_TOKEN,
    ApiStack,
    computed_at,
    new_session,
    reviewable_session,
)
from tests.pipeline.conftest import eventually
from tests.support.panel_auth import PanelAuth
from worker.api.v2.admin_identity import MAX_SKEW_S, AdminUser, signed_headers

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(300)]


def ignored_echoes(api_stack: ApiStack, document_id: str) -> int:
    """Webhooks about this entry that the service accepted and started nothing for."""
    lines = api_stack.procs.service.log_path.read_text(errors="replace").splitlines()
    return sum(
        1
        for line in lines
        if '"webhook_accepted"' in line and document_id in line and '"jobs": []' in line
    )


async def echo_ignored(api_stack: ApiStack, document_id: str, before: int) -> None:
    """Wait for the echo of a write to this entry to reach the service and start nothing."""

    async def arrived() -> bool:
        return ignored_echoes(api_stack, document_id) > before

    await eventually(
        arrived, timeout=60, what="the write's webhook echo", stack=api_stack, interval=0.1
    )


UNKNOWN = "zzzzzzzzzzzzzzzzzzzzzzzz"
SOME_TIME = "2026-11-20T10:04:12Z"


async def test_sync_not_run_yet_and_unknown_session(api: httpx.AsyncClient) -> None:
    sid = await new_session(api)
    for method, path, body in [
        ("GET", "sync", None),
        ("POST", "sync/approve", {"computedAt": SOME_TIME}),
        ("POST", "sync/correct", {"offsets": {"B": 1}, "computedAt": SOME_TIME}),
    ]:
        r = await api.request(method, f"/v2/sessions/{sid}/{path}", json=body)
        assert r.status_code == 404, r.text
        error = r.json()["error"]
        assert error["code"] == "sync_not_ready" and "draft" in error["message"]
        assert error["details"] == [{"sessionState": "draft", "progressMessage": None}]
        r = await api.request(method, f"/v2/sessions/{UNKNOWN}/{path}", json=body)
        assert r.status_code == 404 and r.json()["error"]["code"] == "session_not_found"
    r = await api.post(f"/v2/sessions/{UNKNOWN}/sync/recompute")
    assert r.status_code == 404


async def test_get_sync_shows_offsets_confidence_and_final_offsets(
    api: httpx.AsyncClient, strapi: StrapiClient
) -> None:
    session, _ = await reviewable_session(strapi)
    r = await api.get(f"/v2/sessions/{session.document_id}/sync")
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["sessionState"] == "needs-review" and view["operatorStatus"] == "pending"
    assert view["masterCamera"] == "A" and view["method"] == "xcorr"
    assert view["finalOffsetsMs"] == view["offsetsMs"] == {"A": 0.0, "B": 6432.1, "C": -4123.4}
    assert view["overallConfidencePct"] == 97.5
    assert view["verdict"] == "looks-good"
    cams = {c["label"]: c for c in view["cameras"]}
    assert cams["A"]["isMaster"] and cams["A"]["classification"] is None
    assert cams["C"]["classification"] == "looks-good" and cams["C"]["durationMs"] == 38_000
    assert cams["B"]["finalOffsetMs"] == 6432.1 and cams["B"]["assetId"]
    # Files ingested before the start times were kept say nothing about them.
    assert cams["B"]["proxyOriginMs"] is None and cams["B"]["audioStartMs"] is None


async def test_sync_view_says_where_picture_and_sound_start(
    api: httpx.AsyncClient, strapi: StrapiClient
) -> None:
    session, _ = await reviewable_session(
        strapi, starts={"A": (0.0, 0.0), "B": (-21.333, 0.0), "C": (0.0, 200.0)}
    )
    view = (await api.get(f"/v2/sessions/{session.document_id}/sync")).json()
    cams = {c["label"]: c for c in view["cameras"]}
    assert cams["C"]["fps"] == 29.97
    assert (cams["C"]["audioStartMs"], cams["C"]["videoStartMs"]) == (0.0, 200.0)
    # The proxy starts with its first frame: C's clap at its audio's 2 s is at proxy 1.8 s.
    assert cams["C"]["proxyOriginMs"] == 200.0
    assert cams["B"]["proxyOriginMs"] == 0.0 and cams["B"]["audioStartMs"] == -21.333


async def test_approve_over_http(
    api: httpx.AsyncClient, strapi: StrapiClient, api_stack: ApiStack
) -> None:
    session, result = await reviewable_session(strapi)
    sid = session.document_id
    stale = await api.post(
        f"/v2/sessions/{sid}/sync/approve", json={"computedAt": "2020-01-01T00:00:00Z"}
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "sync_changed"
    for bad in ({"extra": 1}, {"notes": "nul\x00"}, {"computedAt": "soon"}):
        r = await api.post(f"/v2/sessions/{sid}/sync/approve", json=bad)
        assert r.status_code == 422, bad
    assert result.computed_at is not None
    echoes = ignored_echoes(api_stack, result.document_id)
    r = await api.post(
        f"/v2/sessions/{sid}/sync/approve",
        json={"notes": "clap checked", "computedAt": result.computed_at.isoformat()},
    )
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["operatorStatus"] == "approved" and view["sessionState"] == "ready"
    # Signed with the name of the token the request carried (MULTICAM_API_TOKEN_NAME).
    assert view["approvedBy"] == "api" and view["approvedAt"]
    assert view["reviewer"] == {"kind": "token", "name": "api"}
    assert view["reviewNotes"] == "clap checked" and view["method"] == "xcorr"
    assert view["finalOffsetsMs"] == view["offsetsMs"]
    stored = await strapi.get_session(sid)
    assert stored.state is SessionState.READY
    assert stored.sync_result is not None and stored.sync_result.approved_at is not None
    # The echo of that write starts no job: approvedAt stays as it was stamped.
    await echo_ignored(api_stack, result.document_id, echoes)
    again = await strapi.sync_results.get(result.document_id)
    assert again.approved_at == stored.sync_result.approved_at


async def test_correct_over_http(api: httpx.AsyncClient, strapi: StrapiClient) -> None:
    session, _ = await reviewable_session(strapi)
    sid = session.document_id
    url = f"/v2/sessions/{sid}/sync/correct"
    when = await computed_at(api, sid)

    async def refused(offsets: Any, loc: str, code: str = "invalid_correction") -> str:
        r = await api.post(
            url,
            content=_json({"offsets": offsets, "computedAt": when}),
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert error["code"] == code and loc in [d["loc"] for d in error["details"]], error
        return str(error["message"])

    await refused({"D": 10}, "body.offsets.D")
    assert "master" in await refused({"A": 5}, "body.offsets.A")
    await refused({"C": "NaN"}, "body.offsets.C")  # the JSON token NaN
    await refused({"C": "Infinity"}, "body.offsets.C")
    await refused({"C": 9e9}, "body.offsets.C")
    await refused({"C": "soon"}, "body.offsets.C", code="invalid_request")
    await refused({}, "body.offsets", code="invalid_request")
    assert (await strapi.get_session(sid)).state is SessionState.NEEDS_REVIEW
    r = await api.post(
        url,
        json={"offsets": {"C": -4100.5}, "notes": "C on the clap", "computedAt": when},
        headers=_bearer(NAMED_TOKENS["render-farm"]),
    )
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["operatorStatus"] == "corrected" and view["method"] == "manual"
    assert view["offsetsMs"] == {"A": 0.0, "B": 6432.1, "C": -4123.4}  # kept for the record
    assert view["operatorOffsetsMs"] == {"A": 0.0, "B": 6432.1, "C": -4100.5}
    assert view["finalOffsetsMs"] == view["operatorOffsetsMs"]
    assert view["sessionState"] == "ready" and view["approvedBy"] == "render-farm"
    assert view["reviewer"] == {"kind": "token", "name": "render-farm"}
    # Approving afterwards returns to the computed offsets, method as computed.
    r = await api.post(f"/v2/sessions/{sid}/sync/approve", json={"computedAt": when})
    assert r.json()["method"] == "xcorr" and r.json()["finalOffsetsMs"]["C"] == -4123.4
    assert r.json()["approvedBy"] == "api"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


ADMIN = {"X-Multicam-Admin-User-Id": "3", "X-Multicam-Admin-User-Email": "dana@studio.example"}


async def test_the_reviewer_comes_from_the_credential(
    api: httpx.AsyncClient, strapi: StrapiClient
) -> None:
    session, result = await reviewable_session(strapi)
    sid = session.document_id
    approve, correct = f"/v2/sessions/{sid}/sync/approve", f"/v2/sessions/{sid}/sync/correct"
    when = {"computedAt": await computed_at(api, sid)}
    # A body naming the reviewer is refused, saying why.
    for url, body in (
        (approve, {"approvedBy": "alice", **when}),
        (correct, {"correctedBy": "alice", "offsets": {"C": -4100}, **when}),
    ):
        r = await api.post(url, json=body)
        assert r.status_code == 422, r.text
        error = r.json()["error"]
        assert "comes from the credential" in error["message"], error
        assert error["details"][0]["loc"] in ("body.approvedBy", "body.correctedBy")
    # The admin panel's token acts for the admin user its signed headers name, on every
    # route, never for nobody: unsigned, badly signed, stale or re-aimed headers are 401.
    panel = _bearer(PANEL_TOKEN)
    dana = AdminUser(3, "dana@studio.example")
    signed_for_view = signed_headers(
        PANEL_TOKEN, int(time.time()), "GET", f"/v2/sessions/{sid}/sync", dana
    )
    for url, headers in (
        (approve, {}),
        (approve, {**ADMIN, "X-Multicam-Admin-User-Id": "three"}),
        (approve, {**ADMIN, "X-Multicam-Admin-User-Email": "not an e-mail"}),
        (approve, {"X-Multicam-Admin-User-Id": "3"}),
        (approve, ADMIN),  # the plain headers of before: no signature
        (approve, signed_for_view),  # signed for another route and method
        (approve, {**signed_for_view, "X-Multicam-Admin-User-Email": "eve@studio.example"}),
    ):
        r = await api.post(url, json=when, headers={**panel, **headers})
        assert r.status_code == 401, (headers, r.text)
        error = r.json()["error"]
        assert error["code"] == "admin_user_required"
        assert "X-Multicam-Admin-Signature" in error["message"]
    r = await api.get(f"/v2/sessions/{sid}/sync", headers=panel)
    assert r.status_code == 401 and r.json()["error"]["code"] == "admin_user_required"
    stale = PanelAuth(PANEL_TOKEN, dana, skew_s=-(MAX_SKEW_S + 60))
    r = await api.get(f"/v2/sessions/{sid}/sync", auth=stale)
    assert r.status_code == 401 and "clock" in r.json()["error"]["message"], r.text
    # Signed, it reads, and nothing was written meanwhile.
    as_dana = PanelAuth(PANEL_TOKEN, dana)
    r = await api.get(f"/v2/sessions/{sid}/sync", auth=as_dana)
    assert r.status_code == 200 and r.json()["operatorStatus"] == "pending"
    assert r.json()["reviewer"] is None
    r = await api.post(
        correct,
        json={"offsets": {"C": -4100.0}, "computedAt": r.json()["computedAt"]},
        auth=as_dana,
    )
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["approvedBy"] == "dana@studio.example" and view["operatorStatus"] == "corrected"
    assert view["reviewer"] == {"kind": "admin", "id": 3, "email": "dana@studio.example"}
    stored = await strapi.sync_results.get(result.document_id)
    assert stored.approved_by == "dana@studio.example"
    assert stored.debug_artifacts is not None
    mark = stored.debug_artifacts.review
    assert mark is not None
    assert mark.reviewer == {"kind": "admin", "id": 3, "email": "dana@studio.example"}
    assert mark.source == "api"
    # With any other token the admin headers are ignored: the token's name signs.
    r = await api.post(
        approve, json=when, headers={**_bearer(NAMED_TOKENS["render-farm"]), **signed_for_view}
    )
    assert r.status_code == 200, r.text
    assert r.json()["approvedBy"] == "render-farm"
    assert r.json()["reviewer"] == {"kind": "token", "name": "render-farm"}


def _json(body: Any) -> str:
    import json

    return json.dumps(body).replace('"NaN"', "NaN").replace('"Infinity"', "Infinity")


async def test_review_conflicts(api: httpx.AsyncClient, strapi: StrapiClient) -> None:
    # A camera the sync could not place: approval is impossible, a correction works.
    session, _ = await reviewable_session(
        strapi,
        offsets={"A": 0.0, "B": 6432.1},
        classification={"B": "looks-good", "C": "needs-manual-nudge"},
    )
    sid = session.document_id
    when = await computed_at(api, sid)
    r = await api.post(f"/v2/sessions/{sid}/sync/approve", json={"computedAt": when})
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_reviewable"
    view = (await api.get(f"/v2/sessions/{sid}/sync")).json()
    assert view["overallConfidencePct"] == 0.0 and view["verdict"] == "review"
    r = await api.post(
        f"/v2/sessions/{sid}/sync/correct", json={"offsets": {"B": 6400}, "computedAt": when}
    )
    assert r.status_code == 422 and r.json()["error"]["details"][0]["loc"] == "body.offsets.C"
    # While the session is being re-synced, its result cannot be reviewed.
    await strapi.sessions.update(sid, RecordingSessionInput(state=SessionState.SYNCING))
    r = await api.post(
        f"/v2/sessions/{sid}/sync/correct", json={"offsets": {"C": -4000}, "computedAt": when}
    )
    assert r.status_code == 409 and "syncing" in r.json()["error"]["message"]
    await strapi.sessions.update(sid, RecordingSessionInput(state=SessionState.READY))


async def test_recompute_refusals(api: httpx.AsyncClient, strapi: StrapiClient) -> None:
    sid = await new_session(api)
    r = await api.post(f"/v2/sessions/{sid}/sync/recompute")
    assert r.status_code == 409 and r.json()["error"]["code"] == "not_enough_cameras"
    await strapi.upsert_asset(sid, "A", MediaAssetInput(original_filename="a.mp4"))
    r = await api.post(f"/v2/sessions/{sid}/sync/recompute")
    assert r.status_code == 409 and r.json()["error"]["code"] == "cameras_pending"


async def _result_when(
    strapi: StrapiClient, result_id: str, stack: ApiStack, check: Any, what: str
) -> Any:
    async def probe() -> Any:
        try:
            r = await strapi.sync_results.get(result_id, populate={"session": True})
        except ValidationError:  # an operator's malformed JSON, until the worker clears it
            return None
        return r if check(r) else None

    return await eventually(probe, timeout=60, what=what, stack=stack, interval=0.5)


async def test_admin_approval_through_the_webhook(
    api_stack: ApiStack, strapi: StrapiClient
) -> None:
    _, result = await reviewable_session(strapi)
    echoes = ignored_echoes(api_stack, result.document_id)
    # What the admin's Save does: a plain update of the entry (it fires the webhook).
    await strapi.sync_results.update(
        result.document_id,
        {"operatorStatus": "approved", "approvedBy": "dana@studio.example", "reviewNotes": "fine"},
    )
    # The result is stamped first, then the session moves: wait for both writes.
    done = await _result_when(
        strapi,
        result.document_id,
        api_stack,
        lambda r: (
            r.approved_at is not None
            and r.session is not None
            and r.session.state is SessionState.READY
        ),
        "approvedAt stamped and the session ready",
    )
    assert done.operator_status is OperatorStatus.APPROVED and done.method.value == "xcorr"
    assert done.review_notes == "fine" and done.offsets_ms == result.offsets_ms
    assert done.session.state is SessionState.READY
    await echo_ignored(api_stack, result.document_id, echoes)  # the worker's write's echo
    assert (await strapi.sync_results.get(result.document_id)).approved_at == done.approved_at


async def test_admin_correction_and_an_invalid_one_bounced(
    api_stack: ApiStack, strapi: StrapiClient
) -> None:
    _, result = await reviewable_session(strapi)
    rid = result.document_id
    await strapi.sync_results.update(
        rid,
        {
            "operatorStatus": "corrected",
            "operatorOffsetsMs": {"C": -4000, "D": 5},
            "approvedBy": "erin",
            "reviewNotes": "my note",
        },
    )
    bounced = await _result_when(
        strapi,
        rid,
        api_stack,
        lambda r: (
            r.operator_status is OperatorStatus.PENDING and "Not applied" in (r.review_notes or "")
        ),
        "the invalid correction to be set back to pending",
    )
    assert "operatorOffsetsMs.D" in bounced.review_notes
    assert bounced.review_notes.endswith("my note") and bounced.approved_at is None
    assert bounced.operator_offsets_ms == {"C": -4000, "D": 5}  # left for the operator to fix
    assert bounced.session.state is SessionState.NEEDS_REVIEW
    # Garbage in the JSON field: bounced too, and cleared so the entry stays readable.
    with contextlib.suppress(ValidationError):  # stored; only our typed reading refuses it
        await strapi.sync_results.update(
            rid, {"operatorStatus": "corrected", "operatorOffsetsMs": {"C": "about 4 s"}}
        )
    garbage = await _result_when(
        strapi,
        rid,
        api_stack,
        lambda r: (
            r.operator_status is OperatorStatus.PENDING and "about 4 s" in (r.review_notes or "")
        ),
        "the malformed correction to be bounced",
    )
    assert garbage.operator_offsets_ms is None
    # Fixed by the operator: applied, method manual, the computed offsets kept.
    await strapi.sync_results.update(
        rid, {"operatorStatus": "corrected", "operatorOffsetsMs": {"C": -4000}}
    )
    done = await _result_when(
        strapi,
        rid,
        api_stack,
        lambda r: (
            r.operator_status is OperatorStatus.CORRECTED
            and r.approved_at is not None
            and r.session is not None
            and r.session.state is SessionState.READY
        ),
        "the correction to be applied",
    )
    assert done.method.value == "manual" and done.offsets_ms == result.offsets_ms
    assert done.operator_offsets_ms == {"A": 0.0, "B": 6432.1, "C": -4000.0}
    assert done.review_notes == "my note"  # the worker's reasons are gone again
    assert done.session.state is SessionState.READY


async def test_a_resync_landing_during_an_approve_is_never_approved_unseen(
    api: httpx.AsyncClient, strapi: StrapiClient, api_stack: ApiStack
) -> None:
    """The computedAt check and the write happen under the session's lock.

    The test holds the lock as a sync job does while it replaces the result; the
    approve, sent meanwhile for the result the operator saw, must wait and then
    find the new result: 409 sync_changed, and the new result stays pending.
    """
    import redis.asyncio as aioredis

    from worker.session_lock import session_lock

    session, result = await reviewable_session(strapi)
    sid = session.document_id
    assert result.computed_at is not None
    seen = result.computed_at.isoformat()
    redis = aioredis.from_url(api_stack.redis.url)
    try:
        async with session_lock(redis, sid):  # type: ignore[arg-type]
            approve = asyncio.create_task(
                api.post(f"/v2/sessions/{sid}/sync/approve", json={"computedAt": seen})
            )
            # The re-sync's write, while it holds the lock.
            await strapi.sync_results.update(
                result.document_id,
                SyncResultInput(
                    offsets_ms={"A": 0.0, "B": 6500.0, "C": -4123.4},
                    computed_at=dt.datetime.now(dt.UTC),
                ),
            )
            assert not approve.done()
        r = await approve
    finally:
        await redis.aclose()
    assert r.status_code == 409 and r.json()["error"]["code"] == "sync_changed", r.text
    stored = await strapi.sync_results.get(result.document_id)
    assert stored.operator_status is OperatorStatus.PENDING
    assert stored.offsets_ms == {"A": 0.0, "B": 6500.0, "C": -4123.4}
