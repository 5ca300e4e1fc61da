"""Pictures in the review before any proxy: the review clips play on the transport, in sync."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import BrowserStack, _upload_session, doc_screenshot, run_async
from tests.browser.media import review_scene
from tests.browser.test_review_ui import luma, service_view
from tests.support.services import MULTICAM, Proc

pytestmark = pytest.mark.strapi
SHOWING = "[data-testid^=mc-clip-{label}-][data-showing=true]"


@contextlib.contextmanager
def main_queue_only(stack: BrowserStack) -> Iterator[None]:
    """The stack's worker replaced by one that never encodes video (``--queues main``)."""
    procs = stack.procs
    worker = Proc(
        "worker-main-only",
        [str(MULTICAM), "worker", "--queues", "main"],
        procs.env,
        procs.workdir / "worker-main-only.log",
    )
    procs.worker.stop()
    worker.start()
    try:
        yield
    finally:
        worker.stop()
        procs.worker.start()


def _clipped_view(stack: BrowserStack, session_id: str, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    view: dict[str, Any] | None = None
    while time.monotonic() < deadline:
        try:
            view = service_view(stack, session_id)
        except AssertionError:  # 404 until the sync result exists
            view = None
        if view is not None and all(c["reviewClips"] for c in view["cameras"]):
            return view
        time.sleep(0.5)
    raise AssertionError(f"no review clips for every camera after {timeout} s: {view}")


def _uncovered_ms(cam: dict[str, Any]) -> int | None:
    """A whole second of the master's timeline, in the camera's recording, that none of
    its review clips shows."""
    spans = [(c["startMs"], c["endMs"]) for c in cam["reviewClips"]]
    start = cam["offsetMs"] if cam["offsetMs"] is not None else 0.0
    for t in range(int(start) + 1000, int(start + cam["durationMs"]) - 1000, 500):
        if all(not (s - 500 <= t <= e + 500) for s, e in spans):
            return t
    return None


def _showing_ready(page: Page, labels: str = "ABC") -> None:
    page.wait_for_function(
        """labels => labels.split('').every(l => {
             const v = document.querySelector(
               `[data-testid^=mc-clip-${l}-][data-showing=true]`);
             return v && v.readyState >= 2 && !v.seeking;
           })""",
        arg=labels,
        timeout=60_000,
    )


def test_review_clips_play_in_sync_while_every_proxy_is_still_to_come(
    browser_stack: BrowserStack, page: Page
) -> None:
    scene = review_scene()
    with main_queue_only(browser_stack):
        session_id = run_async(_upload_session(browser_stack, scene, "Clips first, stage 3"))
        view = _clipped_view(browser_stack, session_id)
        for cam in view["cameras"]:
            assert "proxy" not in cam["links"], cam["label"]
            assert cam["videoState"] in ("pending", "encoding")
        page.goto(f"{browser_stack.admin_url}/plugins/multicam-review/sessions/{session_id}")
        expect(page.locator("[data-testid=mc-moments]")).to_be_visible(timeout=60_000)
        expect(page.locator("[data-testid=mc-moments]")).to_contain_text("loud sound")

        # At the clap every camera's review clip shows its flash, camera C's too although
        # its video starts 200 ms after its audio: the clips are lined up by the sync.
        for label in "ABC":  # the next loud event is found in the waveforms
            expect(page.locator(f"[data-testid=mc-wave-{label}]")).not_to_have_attribute(
                "data-drawn", "0", timeout=60_000
            )
        page.click("[data-testid=mc-next-loud]")
        expect(page.locator("[data-testid=mc-clock]")).to_have_text("0:08.000", timeout=10_000)
        _showing_ready(page)
        for label in "ABC":
            expect(page.locator(f"[data-testid=mc-clip-note-{label}]")).to_contain_text(
                "review clip"
            )
            shot = page.locator(SHOWING.format(label=label)).screenshot()
            assert luma(shot) > 150, f"camera {label}'s review clip shows no flash at the clap"
        doc_screenshot(page, None, "review-page-clips")

        # Played on the one transport: every camera's clip runs, and they stay together.
        page.click("[data-testid=mc-play]")
        page.wait_for_function(
            """() => ['A','B','C'].every(l => {
                 const v = document.querySelector(
                   `[data-testid^=mc-clip-${l}-][data-showing=true]`);
                 return v && !v.paused && v.currentTime > 0.3;
               })""",
            timeout=30_000,
        )
        page.click("[data-testid=mc-play]")
        # Between its moments a camera has no picture yet, and its tile says why (a
        # camera's clips hold at most 5 x 4 s of its 24 s: there is a gap; the master
        # shows every other camera's moments, so it may have none).
        for cam in view["cameras"]:
            if cam["isMaster"]:
                continue
            label = cam["label"]
            gap = _uncovered_ms(cam)
            assert gap is not None, cam["reviewClips"]
            page.locator("[data-testid=mc-scrub]").fill(str(gap))
            expect(page.locator(f"[data-testid=mc-clip-note-{label}]")).to_contain_text(
                "no picture here yet"
            )
        # Still no proxy anywhere: the pictures above came from the review clips alone.
        after = service_view(browser_stack, session_id)
        assert all("proxy" not in c["links"] for c in after["cameras"])
