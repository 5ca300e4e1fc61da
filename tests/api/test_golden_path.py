"""The operator's flow end to end: three cameras uploaded over HTTP -> webhooks -> ingest
-> sync -> review over HTTP -> session ready with the final offsets editing will use."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import ApiStack, http_upload, new_session
from tests.corpus import cases as corpus
from tests.pipeline.conftest import eventually, session_case

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(900)]


@pytest.fixture(scope="session")
def media_dir() -> Path:
    path = Path.home() / ".cache" / "multicam" / "pipeline-media"
    path.mkdir(parents=True, exist_ok=True)
    return path


async def _upload_case(
    api_stack: ApiStack,
    api: httpx.AsyncClient,
    storage_http: httpx.AsyncClient,
    spec: corpus.CaseSpec,
    media_dir: Path,
) -> tuple[str, corpus.BuiltCase]:
    built = corpus.build_case(spec, media_dir)
    sid = await new_session(api, spec.name)
    for cam in spec.cameras:
        done = await http_upload(api, storage_http, sid, cam.label, built.paths[cam.label])
        assert done["state"] == "ingesting"
    return sid, built


async def _synced(
    api_stack: ApiStack,
    api: httpx.AsyncClient,
    sid: str,
    timeout: float = 600,
    *,
    proxies: bool = False,
) -> dict[str, Any]:
    """The session's sync view once it is in needs-review with all three cameras synced.

    (A session syncs as soon as two cameras are in and none is pending; a camera that
    arrives later makes it sync again, so wait for the result that covers all three.)
    ``proxies``: also wait for every camera's video derivatives, which follow the sync.
    """

    async def probe() -> dict[str, Any] | None:
        body: dict[str, Any] = (await api.get(f"/v2/sessions/{sid}")).json()
        if body["state"] != "needs-review" or len(body["assets"]) != 3:
            return None
        if proxies and any(a["videoState"] != "ready" for a in body["assets"]):
            return None
        view: dict[str, Any] = (await api.get(f"/v2/sessions/{sid}/sync")).json()
        covered = {view["masterCamera"], *view["classification"]}
        return view if covered == {"A", "B", "C"} else None

    return await eventually(
        probe, timeout=timeout, what=f"session {sid} to be synced", stack=api_stack, interval=2
    )


async def _pending_again(
    api_stack: ApiStack, api: httpx.AsyncClient, sid: str, what: str
) -> dict[str, Any]:
    """The sync view once a new result waits for review (after a recompute or new file)."""

    async def probe() -> dict[str, Any] | None:
        body: dict[str, Any] = (await api.get(f"/v2/sessions/{sid}/sync")).json()
        return (
            body
            if body.get("operatorStatus") == "pending" and body["sessionState"] == "needs-review"
            else None
        )

    return await eventually(probe, timeout=300, what=what, stack=api_stack, interval=2)


async def test_golden_path_approve_then_recompute(
    api_stack: ApiStack, api: httpx.AsyncClient, storage_http: httpx.AsyncClient, media_dir: Path
) -> None:
    sid, built = await _upload_case(
        api_stack, api, storage_http, session_case("pipeline-golden", 501), media_dir
    )
    view = await _synced(api_stack, api, sid, proxies=True)
    assert [c["state"] for c in view["cameras"]] == ["ready"] * 3, view
    assert [c["videoState"] for c in view["cameras"]] == ["ready"] * 3, view
    truth = corpus.truth_relative_to(built, view["masterCamera"])
    for label in ("A", "B", "C"):
        assert view["offsetsMs"][label] == pytest.approx(truth.offsets_ms[label], abs=5.0)
    assert all(v == "looks-good" for v in view["classification"].values())
    assert view["overallConfidencePct"] >= 90 and view["operatorStatus"] == "pending"
    assert view["verdict"] == "looks-good"
    for cam in view["cameras"]:
        # Links the review UI plays and draws: presigned, expiring.
        assert {"proxy", "waveform", "thumbnail", "debug"} <= set(cam["links"]), cam
        assert cam["links"]["proxy"]["expiresAt"]
    waveform = await storage_http.get(view["cameras"][0]["links"]["waveform"]["url"])
    assert waveform.status_code == 200 and waveform.json()["version"] == 2

    r = await api.post(
        f"/v2/sessions/{sid}/sync/approve",
        json={"notes": "looks good", "computedAt": view["computedAt"]},
    )
    assert r.status_code == 200, r.text
    approved = r.json()
    assert approved["sessionState"] == "ready" and approved["operatorStatus"] == "approved"
    for label in ("A", "B", "C"):
        assert approved["finalOffsetsMs"][label] == pytest.approx(truth.offsets_ms[label], abs=5.0)

    # Recompute (as after a replaced file): a new pending result, the old one in history.
    r = await api.post(f"/v2/sessions/{sid}/sync/recompute")
    assert r.status_code == 202, r.text
    assert r.json()["jobId"] == f"sync:{sid}"

    fresh = await _pending_again(api_stack, api, sid, "the recomputed result")
    assert _when(fresh["computedAt"]) > _when(approved["computedAt"])
    assert fresh["approvedBy"] is None and fresh["finalOffsetsMs"] == fresh["offsetsMs"]
    previous = fresh["history"][-1]
    assert previous["approvedBy"] == "api"  # the name of the token that approved
    assert previous["operatorStatus"] == "approved" and previous["reviewNotes"] == "looks good"
    assert previous["offsetsMs"] == approved["offsetsMs"]
    assert _when(previous["computedAt"]) == _when(approved["computedAt"])


async def test_replacing_a_camera_of_an_approved_session_withdraws_the_approval(
    api_stack: ApiStack, api: httpx.AsyncClient, storage_http: httpx.AsyncClient, media_dir: Path
) -> None:
    sid, built = await _upload_case(
        api_stack, api, storage_http, session_case("pipeline-golden", 501), media_dir
    )
    view = await _synced(api_stack, api, sid)
    r = await api.post(f"/v2/sessions/{sid}/sync/approve", json={"computedAt": view["computedAt"]})
    assert r.status_code == 200 and r.json()["sessionState"] == "ready", r.text

    # Camera C's card held the wrong clip: its file is replaced by another recording.
    done = await http_upload(api, storage_http, sid, "C", built.paths["B"])
    assert done["state"] == "ingesting"

    fresh = await _pending_again(api_stack, api, sid, "the approval to be withdrawn")
    # The approval of the old files is kept in the history, not applied to the new one.
    previous = fresh["history"][-1]
    assert previous["operatorStatus"] == "approved"
    assert previous["offsetsMs"] == view["offsetsMs"]
    assert fresh["offsetsMs"]["C"] == pytest.approx(fresh["offsetsMs"]["B"], abs=5.0)


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


async def test_low_confidence_camera_corrected_by_hand(
    api_stack: ApiStack, api: httpx.AsyncClient, storage_http: httpx.AsyncClient, media_dir: Path
) -> None:
    sid, built = await _upload_case(
        api_stack,
        api,
        storage_http,
        session_case("pipeline-unrelated", 502, unrelated_c=True),
        media_dir,
    )
    view = await _synced(api_stack, api, sid)
    assert view["classification"]["C"] == "needs-manual-nudge"
    assert view["overallConfidencePct"] < 50 and view["verdict"] == "review"
    master = view["masterCamera"]
    assert master != "C"
    truth = corpus.truth_relative_to(built, master)
    # C's audio is another scene, so the truth has no offset for it; where the camera
    # was placed on the scene's clock (as the operator would find from the slate) is:
    c, m = built.spec.camera("C"), built.spec.camera(master)
    true_c = (c.start_s - m.start_s) * (1 + m.drift_ppm * 1e-6) * 1000.0
    computed = dict(view["offsetsMs"])
    # Approving as is would keep a wrong (or missing) offset for C.
    if "C" not in computed:
        r = await api.post(
            f"/v2/sessions/{sid}/sync/approve", json={"computedAt": view["computedAt"]}
        )
        assert r.status_code == 409
    r = await api.post(
        f"/v2/sessions/{sid}/sync/correct",
        json={
            "offsets": {"C": true_c},
            "computedAt": view["computedAt"],
            "notes": "C's audio is unrelated: placed by the slate",
        },
    )
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["sessionState"] == "ready" and done["method"] == "manual"
    assert done["operatorStatus"] == "corrected" and done["approvedBy"] == "api"
    assert done["offsetsMs"] == computed  # the computed figures stay on record
    assert done["finalOffsetsMs"]["C"] == pytest.approx(true_c, abs=0.01)
    for label in ("A", "B"):
        assert done["finalOffsetsMs"][label] == pytest.approx(truth.offsets_ms[label], abs=5.0)
