"""The operator's review in the Strapi admin, in a real browser (Debian's Chromium)."""

from __future__ import annotations

import io
import math
import secrets
import time
from typing import Any

import httpx
import numpy as np
import opentimelineio as otio
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from strapi_client.client import StrapiClient
from strapi_client.query import related
from tests.browser.conftest import (
    API_TOKEN,
    BrowserStack,
    Seeded,
    admin_jwt,
    admin_request,
    doc_screenshot,
    session_edit_url,
    with_strapi,
)
from tests.browser.media import FPS

pytestmark = pytest.mark.strapi
CARD = "[data-testid=mc-sync-card]"
MINUS = "\u2212"


async def result_of(strapi: StrapiClient, session_id: str) -> Any:
    found = await strapi.sync_results.find(filters={"session": related(session_id)}, page_size=1)
    return found.items[0]


def service_view(stack: BrowserStack, session_id: str) -> dict[str, Any]:
    r = httpx.get(
        f"{stack.procs.service_url}/v2/sessions/{session_id}/sync",
        timeout=60,
        headers={"Authorization": f"Bearer {API_TOKEN}"},
    )
    assert r.status_code == 200, r.text
    view: dict[str, Any] = r.json()
    return view


def sync_result(stack: BrowserStack, session_id: str) -> Any:
    return with_strapi(stack, lambda s: result_of(s, session_id))


def session_state(stack: BrowserStack, session_id: str) -> str:
    return session_state_and_message(stack, session_id)[0]


def session_state_and_message(stack: BrowserStack, session_id: str) -> tuple[str, str | None]:
    async def get(s: StrapiClient) -> tuple[str, str | None]:
        session = await s.get_session(session_id, populate=None)
        return session.state.value, session.progress_message

    return with_strapi(stack, get)


def signed_ms(value: float) -> str:
    """As the review page writes an offset: explicit sign, a real minus, 3 decimals."""
    return f"{'+' if value > 0 else MINUS}{abs(value):.3f} ms"


def luma(png: bytes) -> float:
    """Mean brightness (0-255) of a screenshot."""
    return float(np.asarray(Image.open(io.BytesIO(png)).convert("L")).mean())


def wait_videos_ready(page: Page, labels: str = "ABC") -> None:
    """Every camera's video has a frame to show at its position and is not seeking."""
    page.wait_for_function(
        """labels => labels.split('').every(l => {
             const v = document.querySelector(`[data-testid=mc-video-${l}]`);
             return v && v.readyState >= 2 && !v.seeking;
           })""",
        arg=labels,
        timeout=60_000,
    )


def test_looks_good_approves_as_the_logged_in_admin(
    seeded: Seeded, browser_stack: BrowserStack, page: Page
) -> None:
    view = service_view(browser_stack, seeded.high)
    pct = view["overallConfidencePct"]
    assert view["verdict"] == "looks-good", "the engine should be sure of this clean scene"
    page.goto(session_edit_url(browser_stack, seeded.high))
    expect(page.locator("[data-testid=mc-confidence]")).to_have_text(
        f"Sync confidence: {math.floor(pct)} %", timeout=60_000
    )
    expect(page.locator("[data-testid=mc-camera-C]")).to_contain_text("−2100.0 ms")
    expect(page.locator("[data-testid=mc-review-sync]")).to_have_count(0)
    doc_screenshot(page, CARD, "sync-card-looks-good")

    page.click("[data-testid=mc-looks-good]")
    expect(page.locator("[data-testid=mc-approved]")).to_contain_text(
        f"Approved by {browser_stack.strapi.admin_email}", timeout=30_000
    )
    doc_screenshot(page, CARD, "sync-card-approved")

    result = sync_result(browser_stack, seeded.high)
    assert result.operator_status.value == "approved"
    assert result.approved_by == browser_stack.strapi.admin_email
    assert result.approved_at is not None
    assert session_state(browser_stack, seeded.high) == "ready"

    # The approved offsets leave as a timeline an editor opens: one video track per
    # camera, each clip where its camera started on the master's timeline.
    with page.expect_download() as download:
        page.click("[data-testid=mc-timeline-otio]")
    timeline = otio.adapters.read_from_file(download.value.path(), adapter_name="otio_json")
    starts = {}
    for track in timeline.video_tracks():
        clips = list(track.find_clips())
        assert len(clips) == 1
        starts[track.name] = clips[0].range_in_parent().start_time.to_seconds() * 1000
    # The picture of camera X starts at its offset plus its file's video delay.
    scene = seeded.scene
    expected = sorted(scene.truth_ms[c] + scene.cameras[c].video_delay_ms for c in "ABC")
    got = sorted(starts.values())
    assert len(got) == 3
    for want, have in zip(expected, got, strict=True):
        assert abs((have - got[0]) - (want - expected[0])) <= 1000 / FPS / 2 + 1e-6


def test_low_confidence_review_page_plays_in_sync_and_saves_a_nudge(
    seeded: Seeded, browser_stack: BrowserStack, page: Page
) -> None:
    page.goto(session_edit_url(browser_stack, seeded.low))
    expect(page.locator("[data-testid=mc-confidence]")).to_have_text(
        "Sync confidence: 62 %", timeout=60_000
    )
    expect(page.locator("[data-testid=mc-looks-good]")).to_have_count(0)
    doc_screenshot(page, CARD, "sync-card-review")
    page.click("[data-testid=mc-review-sync]")
    page.wait_for_url(f"**/plugins/multicam-review/sessions/{seeded.low}")

    # Three proxies load and play; the waveforms are drawn.
    wait_videos_ready(page)
    for label in "ABC":
        expect(page.locator(f"[data-testid=mc-wave-{label}]")).not_to_have_attribute(
            "data-drawn", "0"
        )
    page.click("[data-testid=mc-play]")
    page.wait_for_function(
        """() => ['A','B','C'].every(l => {
             const v = document.querySelector(`[data-testid=mc-video-${l}]`);
             return !v.paused && v.currentTime > 0.5;
           })""",
        timeout=30_000,
    )
    page.click("[data-testid=mc-play]")

    # The next loud event is the clap: every picture shows its flash there, camera C's
    # too although its video starts 200 ms after its audio.
    page.click("[data-testid=mc-next-loud]")
    clock = page.locator("[data-testid=mc-clock]")
    expect(clock).to_have_text("0:08.000", timeout=10_000)
    wait_videos_ready(page)
    for label in "ABC":
        shot = page.locator(f"[data-testid=mc-video-{label}]").screenshot()
        assert luma(shot) > 150, f"camera {label} does not show its flash at the clap"
    # The clap in C's waveform sits under the playhead (the canvas' middle column).
    loudest = page.evaluate("""() => {
        const c = document.querySelector('[data-testid=mc-wave-C]');
        const g = c.getContext('2d');
        let best = -1, at = -1;
        for (let x = 0; x < c.width; x++) {
          const col = g.getImageData(x, 0, 1, c.height).data;
          let ink = 0;
          for (let y = 0; y < c.height; y++) if (col[4*y+2] > 200 && col[4*y] < 120) ink++;
          if (ink > best) { best = ink; at = x; }
        }
        return at / c.width;
    }""")
    assert abs(loudest - 0.5) < 0.02
    doc_screenshot(page, None, "review-page")

    # One frame later for C, saved as a correction signed by this admin.
    computed = (service_view(browser_stack, seeded.low))["offsetsMs"]["C"]
    page.click('[data-testid="mc-nudge-C-+1f"]')
    expect(page.locator("[data-testid=mc-offset-C]")).to_have_text(signed_ms(computed + 1000 / FPS))
    # A one-frame shift moves C's picture off the flash.
    wait_videos_ready(page)
    assert luma(page.locator("[data-testid=mc-video-C]").screenshot()) < 100
    page.click("[data-testid=mc-save]")
    expect(page.locator("[data-testid=mc-review-done]")).to_contain_text(
        f"Correction saved by {browser_stack.strapi.admin_email}", timeout=30_000
    )

    result = sync_result(browser_stack, seeded.low)
    assert result.operator_status.value == "corrected"
    assert result.method.value == "manual"
    assert result.approved_by == browser_stack.strapi.admin_email
    assert result.operator_offsets_ms["C"] == pytest.approx(computed + 1000 / FPS, abs=0.002)
    assert result.offsets_ms["C"] == computed  # the computed figure stays on record


def test_listen_check_plays_master_left_camera_right(
    seeded: Seeded, browser_stack: BrowserStack, page: Page
) -> None:
    page.goto(f"{browser_stack.admin_url}/plugins/multicam-review/sessions/{seeded.high}")
    wait_videos_ready(page)
    page.click("[data-testid=mc-next-loud]")
    page.click("[data-testid=mc-listen-C]")
    audio = page.locator("[data-testid=mc-listen-audio]")
    expect(audio).to_have_attribute("data-camera", "C", timeout=30_000)
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-testid=mc-listen-audio]');"
        " return a.readyState >= 2 && a.duration > 3.9 && a.duration < 4.1; }",
        timeout=30_000,
    )


def test_the_plugin_routes_need_the_review_permission(
    browser_stack: BrowserStack, seeded: Seeded
) -> None:
    root = admin_jwt(browser_stack)
    roles = admin_request(browser_stack, "GET", "/admin/roles", root).json()["data"]
    editor = next(r["id"] for r in roles if r["code"] == "strapi-editor")
    email = f"editor-{secrets.token_hex(3)}@multicam.test"
    created = admin_request(
        browser_stack,
        "POST",
        "/admin/users",
        root,
        json={"email": email, "firstname": "Eddie", "lastname": "Editor", "roles": [editor]},
    )
    assert created.status_code == 201, created.text
    password = "Ed1tor-" + secrets.token_hex(6)
    registered = httpx.post(
        f"{browser_stack.strapi.base_url}/admin/register",
        json={
            "registrationToken": created.json()["data"]["registrationToken"],
            "userInfo": {"firstname": "Eddie", "lastname": "Editor", "password": password},
        },
        timeout=30,
    )
    assert registered.status_code == 200, registered.text
    jwt = admin_jwt(browser_stack, email, password)
    for method, path in [
        ("GET", "/multicam-review/sessions"),
        ("GET", f"/multicam-review/sessions/{seeded.high}/sync"),
        ("POST", f"/multicam-review/sessions/{seeded.high}/approve"),
    ]:
        r = admin_request(browser_stack, method, path, jwt, json={} if method == "POST" else None)
        assert r.status_code == 403, (path, r.status_code, r.text)
    # The super admin holds the permission.
    assert admin_request(browser_stack, "GET", "/multicam-review/sessions", root).status_code == 200


def test_content_manager_shows_review_fields_read_only_and_refuses_writes(
    seeded: Seeded, browser_stack: BrowserStack
) -> None:
    uid = "api::sync-result.sync-result"
    jwt = admin_jwt(browser_stack)
    config = admin_request(
        browser_stack, "GET", f"/content-manager/content-types/{uid}/configuration", jwt
    ).json()
    metadatas = config["data"]["contentType"]["metadatas"]
    for field in [
        "operatorStatus",
        "operatorOffsetsMs",
        "approvedBy",
        "approvedAt",
        "offsetsMs",
        "confidence",
    ]:
        assert metadatas[field]["edit"]["editable"] is False, field
    assert metadatas["reviewNotes"]["edit"]["editable"] is True

    before = sync_result(browser_stack, seeded.low)
    path = f"/content-manager/collection-types/{uid}/{before.document_id}"
    r = admin_request(
        browser_stack,
        "PUT",
        path,
        jwt,
        json={"operatorStatus": "approved", "approvedBy": "anyone at all"},
    )
    assert r.status_code == 403, r.text
    assert "operatorStatus" in r.json()["error"]["message"]
    r = admin_request(browser_stack, "PUT", path, jwt, json={"operatorOffsetsMs": {"C": 1.0}})
    assert r.status_code == 403, r.text
    after = sync_result(browser_stack, seeded.low)
    assert (after.operator_status, after.approved_by, after.operator_offsets_ms) == (
        before.operator_status,
        before.approved_by,
        before.operator_offsets_ms,
    )
    # Saving the form unchanged (every field sent back as it is) and editing notes work.
    form = admin_request(browser_stack, "GET", path, jwt).json()["data"]
    unchanged = {
        k: form[k]
        for k in ["operatorStatus", "approvedBy", "offsetsMs", "operatorOffsetsMs", "approvedAt"]
    }
    r = admin_request(
        browser_stack, "PUT", path, jwt, json={**unchanged, "reviewNotes": "checked the clap"}
    )
    assert r.status_code == 200, r.text
    assert (sync_result(browser_stack, seeded.low)).review_notes == "checked the clap"
    # Creating a sync result by hand is refused too.
    r = admin_request(
        browser_stack,
        "POST",
        f"/content-manager/collection-types/{uid}",
        jwt,
        json={"operatorStatus": "approved"},
    )
    assert r.status_code == 403, r.text


def test_content_security_policy_lets_media_in_from_storage_and_the_service_only(
    browser_stack: BrowserStack,
) -> None:
    csp = httpx.get(browser_stack.admin_url, timeout=30).headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    media = directives["media-src"]
    assert str(browser_stack.s3.settings.s3_endpoint_url).rstrip("/") in media
    assert browser_stack.procs.service_url in media
    assert "*" not in media and "https:" not in media


def wait_state(stack: BrowserStack, session_id: str, state: str, timeout: float = 180) -> None:
    """Poll Strapi until the session is in ``state``."""
    deadline = time.monotonic() + timeout
    seen: tuple[str, str | None] | None = None
    while time.monotonic() < deadline:
        seen = session_state_and_message(stack, session_id)
        if seen[0] == state:
            return
        time.sleep(0.5)
    raise AssertionError(f"session {session_id} is {seen}, not {state}, after {timeout} s")


def recompute_and_wait(stack: BrowserStack, session_id: str) -> None:
    """Run the sync again through the service and wait for its new pending result."""
    before = sync_result(stack, session_id).computed_at
    r = httpx.post(
        f"{stack.procs.service_url}/v2/sessions/{session_id}/sync/recompute",
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        timeout=60,
    )
    assert r.status_code == 202, r.text
    deadline = time.monotonic() + 180
    while sync_result(stack, session_id).computed_at == before:
        assert time.monotonic() < deadline, "the recompute did not finish"
        time.sleep(0.5)
    wait_state(stack, session_id, "needs-review")


def test_resync_of_an_approved_session_asks_first_then_syncs_again(
    seeded: Seeded, browser_stack: BrowserStack, page: Page
) -> None:
    if sync_result(browser_stack, seeded.high).operator_status.value == "pending":
        view = service_view(browser_stack, seeded.high)
        r = httpx.post(
            f"{browser_stack.procs.service_url}/v2/sessions/{seeded.high}/sync/approve",
            json={"computedAt": view["computedAt"]},
            headers={"Authorization": f"Bearer {API_TOKEN}"},
            timeout=60,
        )
        assert r.status_code == 200, r.text
    before = sync_result(browser_stack, seeded.high).computed_at
    page.goto(session_edit_url(browser_stack, seeded.high))
    expect(page.locator("[data-testid=mc-approved]")).to_be_visible(timeout=60_000)
    page.click("[data-testid=mc-resync]")
    # Nothing happens before the operator confirms.
    expect(page.get_by_text("Run the sync again?")).to_be_visible()
    assert sync_result(browser_stack, seeded.high).operator_status.value == "approved"
    page.click("[data-testid=mc-resync-confirm]")
    try:
        wait_state(browser_stack, seeded.high, "needs-review")
    except AssertionError:
        print("CARD:", page.locator(CARD).inner_text())
        raise
    after = sync_result(browser_stack, seeded.high)
    assert after.operator_status.value == "pending"
    assert after.computed_at != before
    # The card follows the new sync by itself and offers the one click again.
    expect(page.locator("[data-testid=mc-looks-good]")).to_be_visible(timeout=60_000)


def test_a_result_recomputed_while_the_card_was_open_is_not_approved(
    seeded: Seeded, browser_stack: BrowserStack, page: Page
) -> None:
    if sync_result(browser_stack, seeded.high).operator_status.value != "pending":
        recompute_and_wait(browser_stack, seeded.high)  # approved by an earlier test
    wait_state(browser_stack, seeded.high, "needs-review")
    page.goto(session_edit_url(browser_stack, seeded.high))
    expect(page.locator("[data-testid=mc-looks-good]")).to_be_visible(timeout=60_000)
    recompute_and_wait(browser_stack, seeded.high)
    page.click("[data-testid=mc-looks-good]")
    expect(page.locator("[data-testid=mc-card-error]")).to_contain_text(
        "recomputed after you opened it", timeout=30_000
    )
    assert sync_result(browser_stack, seeded.high).operator_status.value == "pending"


def test_the_card_is_on_the_sync_result_entry_too(
    seeded: Seeded, browser_stack: BrowserStack, page: Page
) -> None:
    result = sync_result(browser_stack, seeded.low)
    page.goto(
        f"{browser_stack.admin_url}/content-manager/collection-types/"
        f"api::sync-result.sync-result/{result.document_id}"
    )
    expect(page.locator("[data-testid=mc-confidence]")).to_contain_text(
        "Sync confidence:", timeout=60_000
    )
    expect(page.locator("[data-testid=mc-camera-C]")).to_be_visible()


def test_the_menu_lists_the_sessions_that_need_review(
    seeded: Seeded, browser_stack: BrowserStack, page: Page
) -> None:
    page.goto(browser_stack.admin_url)
    page.get_by_role("link", name="Sync review").click()
    page.get_by_role("combobox", name="Sessions shown").click()
    page.get_by_role("option", name="All sessions").click()
    table = page.locator("[data-testid=mc-session-list]")
    expect(table).to_contain_text("Panel, hall B", timeout=30_000)
    expect(table).to_contain_text("Interview, stage 2")
    row = table.locator("tr", has_text="Panel, hall B")
    row.get_by_role("link").click()
    page.wait_for_url(f"**/plugins/multicam-review/sessions/{seeded.low}")
    expect(page.locator("[data-testid=mc-video-A]")).to_be_visible(timeout=30_000)
