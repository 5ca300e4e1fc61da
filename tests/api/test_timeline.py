"""GET /v2/sessions/{id}/timeline through the service, on sessions with a written result."""

from __future__ import annotations

import io
import zipfile

import httpx
import opentimelineio as otio
import pytest

from strapi_client.client import StrapiClient
from tests.api.conftest import computed_at, reviewable_session
from worker.handoff.build import KEY
from worker.handoff.formats import FORMATS, TimelineFormat, read_timelines

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(300)]
RATE = 30000 / 1001  # reviewable_session's cameras are 29.97 fps
FRAME_MS = 1000 / RATE
# Audio and video start of each camera, as ingest probes them (B's AAC priming first).
STARTS = {"A": (0.0, 0.0), "B": (-21.3, 0.0), "C": (0.0, 33.4)}
ROOT = "/Volumes/Shoot"
ROOT_URL = "file:///Volumes/Shoot"


def _timeline(r: httpx.Response) -> otio.schema.Timeline:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    return otio.adapters.read_from_string(r.text, adapter_name="otio_json")


async def test_pending_result_is_refused_unless_a_draft_is_asked_for(
    api: httpx.AsyncClient, strapi: StrapiClient
) -> None:
    session, _ = await reviewable_session(strapi, starts=STARTS)
    url = f"/v2/sessions/{session.document_id}/timeline"
    r = await api.get(url)
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "not_approved" and "draft=true" in error["message"]
    assert error["details"] == [{"operatorStatus": "pending"}]
    draft = _timeline(await api.get(url, params={"draft": "true", "mediaRoot": ROOT}))
    assert draft.name.startswith("DRAFT") and draft.metadata[KEY]["draft"] is True
    assert draft.tracks.markers[0].name.startswith("DRAFT: offsets not approved")
    clips = {c.name: c for c in draft.find_clips()}
    assert sorted(clips) == ["A audio", "A video", "B audio", "B video", "C audio", "C video"]
    assert clips["B audio"].media_reference.target_url == f"{ROOT_URL}/camB.mp4"
    # B's first sample 6432.1 ms after the master's, C's 4123.4 ms before: to the frame.
    start = draft.metadata[KEY]["master_ms_at_start"]
    for label, offset in (("A", 0.0), ("B", 6432.1), ("C", -4123.4)):
        clip = clips[f"{label} audio"]
        placed = clip.range_in_parent().start_time.value * FRAME_MS + start
        assert placed == pytest.approx(offset, abs=FRAME_MS / 2)
        assert clip.metadata[KEY]["placement_error_ms"] == pytest.approx(placed - offset, abs=1e-3)
    # Without a media root, cameras whose original has no URL are left out, and say so.
    bare = _timeline(await api.get(url, params={"draft": "true"}))
    assert list(bare.find_clips()) == []
    assert any(
        "camera B left out: its original file has no URL" in m.name for m in bare.tracks.markers
    )


async def test_approved_session_in_every_format_and_linked_from_the_result(
    api: httpx.AsyncClient, strapi: StrapiClient
) -> None:
    session, _ = await reviewable_session(strapi, starts=STARTS)
    sid = session.document_id
    r = await api.post(
        f"/v2/sessions/{sid}/sync/correct",
        json={"offsets": {"C": -4100.0}, "computedAt": await computed_at(api, sid)},
    )
    assert r.status_code == 200, r.text
    stored = await strapi.get_session(sid)
    assert stored.sync_result is not None and stored.sync_result.debug_artifacts is not None
    link = stored.sync_result.debug_artifacts.timeline
    assert link is not None and link.path == f"/v2/sessions/{sid}/timeline"
    for fmt in TimelineFormat:
        got = await api.get(link.path, params={"format": fmt.value, "mediaRoot": ROOT})
        assert got.status_code == 200, (fmt, got.text)
        assert got.headers["content-type"].startswith(FORMATS[fmt].media_type)
        disposition = got.headers["content-disposition"]
        assert disposition.startswith("attachment;") and FORMATS[fmt].suffix in disposition
        if fmt is TimelineFormat.MLT:
            assert b"<mlt" in got.content and f"{ROOT}/camC.mp4".encode() in got.content
            continue
        read = read_timelines(got.content, fmt, RATE)
        if fmt is TimelineFormat.EDL:
            with zipfile.ZipFile(io.BytesIO(got.content)) as archive:
                assert sorted(archive.namelist()) == [f"camera-{x}.edl" for x in "ABC"]
            continue
        (timeline,) = read.values()
        assert "DRAFT" not in timeline.name
        assert len(list(timeline.find_clips())) == 6
    otio_file = _timeline(await api.get(link.path, params={"mediaRoot": ROOT}))
    clips = {c.name: c.metadata[KEY] for c in otio_file.find_clips()}
    assert clips["C audio"]["offset_ms"] == -4100.0
    assert clips["C audio"]["offset_source"] == "operator"
    assert clips["B audio"]["offset_source"] == "sync"
    assert otio_file.metadata[KEY]["status"] == "corrected"
    bad = await api.get(link.path, params={"format": "aaf"})
    assert bad.status_code == 422
