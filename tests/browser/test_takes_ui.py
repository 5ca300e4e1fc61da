"""A real shoot in the admin, in a real browser: three cameras with two takes each and
a sound recorder's WAV dropped on a session at once, every take placed on the card
and on the review page's lanes, approved, and the editor's OTIO holding every file
where the sync put it."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import opentimelineio as otio
import pytest
from playwright.sync_api import Page, Request, expect

from tests.browser.conftest import BrowserStack, doc_screenshot, session_edit_url
from tests.browser.test_review_ui import service_view, session_state, sync_result
from tests.browser.test_upload_ui import (
    asset_states_by_clip,
    cors,
    drop,
    new_session,
    wait_for,
)
from tests.sync import shoot_checks as checks
from worker.examples import shoots

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(1200)]
__all__ = ["cors"]  # the bucket's CORS rules, a fixture of the upload tests
KEY = "multicam"
# The shoot's files (a1.mp4, b2.mov, rec1.wav) under the names a studio's cameras and
# recorder give them, so the page proposes each camera from its name.
OPERATOR_NAMES = {
    "A#1": "camA_0001.mp4",
    "A#2": "camA_0002.mp4",
    "B#1": "camB_0001.mov",
    "B#2": "camB_0002.mov",
    "C#1": "camC_0001.mp4",
    "C#2": "camC_0002.mp4",
    "REC": "ZOOM0001.WAV",
}


@pytest.fixture(scope="module")
def shoot_files(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    shoot = shoots.build_three_cameras_two_takes(corpus_dir)
    out = tmp_path_factory.mktemp("shoot")
    files = {}
    for cid, clip in zip(shoot.spec.clip_ids(), shoot.clips, strict=True):
        files[cid] = out / OPERATOR_NAMES[cid]
        shutil.copyfile(clip.path, files[cid])
    return files


def test_three_cameras_with_two_takes_and_a_recorder_dropped_at_once(
    cors: None,
    browser_stack: BrowserStack,
    page: Page,
    shoot_files: dict[str, Path],
    corpus_dir: Path,
) -> None:
    truth = shoots.shoot_truth(shoots.build_three_cameras_two_takes(corpus_dir), "REC")
    session_id = new_session(browser_stack, "Shoot in takes")
    puts: list[Request] = []
    page.on("request", lambda r: puts.append(r) if r.method == "PUT" else None)
    page.goto(session_edit_url(browser_stack, session_id))
    expect(page.locator("[data-testid=mc-zone-REC]")).to_be_visible(timeout=60_000)

    drop(page, "[data-testid=mc-upload-zones]", list(shoot_files.values()))
    expect(page.locator("[data-testid=mc-assignment]")).to_be_visible()
    for cid, path in shoot_files.items():
        camera, _, take = cid.partition("#")
        name = "Sound recorder" if camera == "REC" else f"Cam {camera}"
        expect(page.get_by_role("combobox", name=f"Camera of {path.name}")).to_contain_text(name)
        expect(page.get_by_role("combobox", name=f"Take of {path.name}")).to_contain_text(
            f"Take {take or 1}"
        )
    assert puts == []  # nothing leaves before the operator confirms
    doc_screenshot(page, "[role=alertdialog]", "upload-takes-assignment")
    page.click("[data-testid=mc-assign-confirm]")
    # Two files at a time, each on its camera's zone under its take.
    expect(page.locator("[data-testid=mc-zone-A]")).to_have_attribute(
        "data-phase", re.compile("queued|checksum|uploading|completing|done"), timeout=60_000
    )
    # Every upload complete: each file is in storage and being ingested (the zones go
    # once the session syncs, so the stored entries are what is waited on).
    stored = wait_for(
        lambda: (
            (found := asset_states_by_clip(browser_stack, session_id))
            and len(found) == 7
            and all(a.state.value in ("ingesting", "ready") for a in found.values())
            and found
        ),
        "all seven files to be uploaded",
        timeout=600,
    )
    expect(page.locator("[data-testid^=mc-zone-error-]")).to_have_count(0)
    # Stored as label#take: the recorder's one file is REC take 1.
    assert {k: a.original_filename for k, a in stored.items()} == {
        cid if "#" in cid else f"{cid}#1": name for cid, name in OPERATOR_NAMES.items()
    }

    # The card: every camera's takes placed, the recorder the master.
    expect(page.locator("[data-testid=mc-confidence]")).to_contain_text(
        "Sync confidence:", timeout=600_000
    )
    for camera in "ABC":
        expect(page.locator(f"[data-testid=mc-takes-{camera}]")).to_have_text(
            f"Cam {camera}: 2 takes, all placed"
        )
    view = service_view(browser_stack, session_id)
    assert view["masterCamera"] == "REC"
    assert view["clipsByCamera"] == {
        "A": ["A#1", "A#2"],
        "B": ["B#1", "B#2"],
        "C": ["C#1", "C#2"],
        "REC": ["REC"],
    }
    offsets: dict[str, float] = view["offsetsMs"]
    for cid, expected in truth.offsets_ms.items():
        assert offsets[cid] == pytest.approx(expected, abs=checks.PLACED_TOL_MS), cid
    expect(page.locator("[data-testid=mc-camera-B-2]")).to_contain_text("Cam B take 2")
    doc_screenshot(page, "[data-testid=mc-sync-card]", "sync-card-takes")

    _review_the_takes(page, browser_stack, session_id, offsets)

    # The editor's timeline: every file where the sync put it, takes on their camera's
    # track with gaps between, the recorder's sound the first audio track.
    page.goto(session_edit_url(browser_stack, session_id))
    with page.expect_download() as download:
        page.click("[data-testid=mc-timeline-otio]", timeout=60_000)
    timeline = otio.adapters.read_from_file(download.value.path(), adapter_name="otio_json")
    _check_timeline(timeline, offsets)


def _review_the_takes(
    page: Page, browser_stack: BrowserStack, session_id: str, offsets: dict[str, float]
) -> None:
    """The review page's lanes, the take a camera shows, the listen check against the
    recorder, a nudge of one take; then approve as computed."""
    # The review page: one lane per camera with its takes where the sync put them.
    page.goto(f"{browser_stack.admin_url}/plugins/multicam-review/sessions/{session_id}")
    for cid, expected in offsets.items():
        bar = page.locator(f"[data-testid=mc-lane-clip-{cid.replace('#', '-')}]")
        expect(bar).to_have_attribute("data-start-ms", f"{expected:.1f}", timeout=60_000)
    for camera in "ABC":
        lane = page.locator(f"[data-testid=mc-lane-{camera}]")
        expect(lane).to_contain_text("2 takes")
        expect(lane.locator("[data-testid^=mc-lane-clip-]")).to_have_count(2)
    expect(page.locator("[data-testid=mc-lane-REC]")).to_contain_text("1 file")

    # The transport shows the take recording at its position: B's second take after
    # the gap, none of B's pictures in it.
    b1_end = float(page.get_attribute("[data-testid=mc-lane-clip-B-1]", "data-end-ms") or 0)
    b2_start = offsets["B#2"]
    _seek(page, (b1_end + b2_start) / 2)
    expect(page.locator("[data-testid=mc-tile-B]")).to_have_attribute("data-showing", "")
    _seek(page, b2_start + 2000)
    expect(page.locator("[data-testid=mc-tile-B]")).to_have_attribute("data-showing", "B#2")

    # The listen check has the recorder on the left, one take on the right.
    listen = page.locator("[data-testid=mc-listen-B-2]")
    expect(listen).to_have_text("Listen (Sound recorder left, Cam B take 2 right)")
    listen.click()
    expect(page.locator("[data-testid=mc-listen-audio]")).to_have_attribute(
        "data-camera", "B#2", timeout=30_000
    )

    # One take nudged moves that take only; nudged back, the result is approved as computed.
    page.click("[data-testid='mc-nudge-B-2-+1f']")
    expect(page.locator("[data-testid=mc-offset-B-2]")).not_to_have_text(
        _shown(offsets["B#2"]), timeout=10_000
    )
    expect(page.locator("[data-testid=mc-offset-B-1]")).to_have_text(_shown(offsets["B#1"]))
    expect(page.locator("[data-testid=mc-save]")).to_be_visible()
    doc_screenshot(page, None, "review-takes")
    page.click("[data-testid='mc-nudge-B-2--1f']")
    expect(page.locator("[data-testid=mc-offset-B-2]")).to_have_text(_shown(offsets["B#2"]))
    page.click("[data-testid=mc-approve]")
    expect(page.locator("[data-testid=mc-review-done]")).to_contain_text("Approved", timeout=30_000)
    assert sync_result(browser_stack, session_id).operator_status.value == "approved"
    assert session_state(browser_stack, session_id) == "ready"


def _seek(page: Page, at_ms: float) -> None:
    """Move the transport as the scrub bar does."""
    page.locator("[data-testid=mc-scrub]").evaluate(
        """(el, v) => {
            const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
            set.call(el, String(Math.round(v)));
            el.dispatchEvent(new Event('input', { bubbles: true }));
        }""",
        at_ms,
    )


def _shown(value: float) -> str:
    """An offset as the review page writes it (explicit sign, a real minus, 3 decimals)."""
    return f"{'+' if value > 0 else chr(0x2212)}{abs(value):.3f} ms" if value else "0.000 ms"


def _check_timeline(timeline: Any, offsets: dict[str, float]) -> None:
    meta = timeline.metadata[KEY]
    assert meta["master"] == "REC"
    frame_ms = 1000.0 / meta["rate"]
    assert [t.name for t in timeline.video_tracks()] == ["A-video", "B-video", "C-video"]
    assert next(t.name for t in timeline.audio_tracks()) == "REC-audio"
    sounds = {c.metadata[KEY]["clip"]: c for c in timeline.find_clips() if c.name.endswith("audio")}
    assert sorted(sounds) == sorted(offsets)  # all seven files
    for track in timeline.tracks:
        takes = [c.metadata[KEY]["take"] for c in track.find_clips()]
        assert takes == sorted(takes)
        if track.name != "REC-audio":
            assert len(takes) == 2
            assert any(isinstance(item, otio.schema.Gap) for item in track[1:])
    for cid, clip in sounds.items():
        placed = clip.range_in_parent().start_time.value * frame_ms + meta["master_ms_at_start"]
        assert placed == pytest.approx(offsets[cid], abs=frame_ms / 2 + 0.01), cid
