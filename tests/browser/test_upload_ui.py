"""Drag and drop camera files into a session in the Strapi admin, in a real browser:
straight to the bucket with presigned URLs, with progress, resume and checksums."""

from __future__ import annotations

import base64
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, Request, Route, expect

from tests.api.conftest import http_upload
from tests.browser.conftest import (
    API_TOKEN,
    BrowserStack,
    Seeded,
    doc_screenshot,
    run_async,
    session_edit_url,
    with_strapi,
)
from tests.corpus import write_video_only
from tests.support.strapi_server import REPO

pytestmark = pytest.mark.strapi
MIB = 1024 * 1024
# What a file manager says each dropped file is.
CONTENT_TYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".wav": "audio/wav"}


@pytest.fixture(scope="module")
def cors(browser_stack: BrowserStack) -> None:
    """What an operator runs once per bucket: let the admin's origin PUT to it."""
    result = subprocess.run(
        [
            str(REPO / ".venv" / "bin" / "multicam"),
            "storage",
            "apply-cors",
            "--origin",
            browser_stack.strapi.base_url,
        ],
        env=browser_stack.procs.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def padded(src: Path, dst: Path, extra: int) -> Path:
    """A copy of an MP4 grown by a trailing `free` box (ignored by every reader), so it
    is big enough to be uploaded in several parts."""
    if not dst.exists():
        payload = bytes(range(256)) * (extra // 256)
        dst.write_bytes(
            src.read_bytes() + (8 + len(payload)).to_bytes(4, "big") + b"free" + payload
        )
    return dst


def new_session(stack: BrowserStack, title: str) -> str:
    r = httpx.post(
        f"{stack.procs.service_url}/v2/sessions",
        timeout=60,
        headers={"Authorization": f"Bearer {API_TOKEN}"},
        json={"title": title, "date": "2026-11-30", "projectId": f"drop-{time.monotonic_ns()}"},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["sessionId"])


def drop(page: Page, target: str, paths: list[Path]) -> None:
    """Drop files on `target` as a file manager would (a DataTransfer of real Files)."""
    files = [
        {
            "name": p.name,
            "type": CONTENT_TYPES.get(p.suffix.lower(), "text/plain"),
            "data": base64.b64encode(p.read_bytes()).decode(),
        }
        for p in paths
    ]
    page.locator(target).evaluate(
        """(el, files) => {
        const dt = new DataTransfer();
        for (const f of files) {
          const bytes = Uint8Array.from(atob(f.data), c => c.charCodeAt(0));
          dt.items.add(new File([bytes], f.name, { type: f.type }));
        }
        for (const type of ['dragenter', 'dragover', 'drop']) {
          const init = { dataTransfer: dt, bubbles: true, cancelable: true };
          el.dispatchEvent(new DragEvent(type, init));
        }
    }""",
        files,
    )


def asset_states(stack: BrowserStack, session_id: str) -> dict[str, Any]:
    async def get(s: Any) -> dict[str, Any]:
        session = await s.get_session(session_id, populate={"assets": True})
        return {a.camera_label.value: a for a in session.assets or []}

    return with_strapi(stack, get)


def asset_states_by_clip(stack: BrowserStack, session_id: str) -> dict[str, Any]:
    """The session's assets by ``label#take``."""

    async def get(s: Any) -> dict[str, Any]:
        session = await s.get_session(session_id, populate={"assets": True})
        return {f"{a.camera_label.value}#{a.take}": a for a in session.assets or []}

    return with_strapi(stack, get)


def wait_for(probe: Any, what: str, timeout: float = 240) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def part_number(request: Request) -> int | None:
    found = re.search(r"[?&]partNumber=(\d+)", request.url)
    return int(found.group(1)) if found else None


def create_session_in_the_admin(page: Page, stack: BrowserStack, title: str) -> str:
    """What an operator does first: Content Manager → Recording Session → Create."""
    page.goto(
        f"{stack.admin_url}/content-manager/collection-types/"
        "api::recording-session.recording-session/create"
    )
    page.fill("input[name=title]", title)
    page.fill("input[name=date]", "11/30/2026")
    page.keyboard.press("Enter")
    page.fill("input[name=projectId]", f"admin-{time.monotonic_ns()}")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(lambda url: not url.endswith("/create"), timeout=30_000)
    return page.url.rstrip("/").split("/")[-1].split("?")[0]


def test_without_bucket_cors_the_zones_say_what_to_run(
    seeded: Seeded, browser_stack: BrowserStack, page: Page
) -> None:
    # A bucket nobody has run apply-cors on (another module's tests may have: the
    # tests below apply it again through their own `cors` fixture).
    s3 = browser_stack.s3.client()
    s3.delete_bucket_cors(Bucket=browser_stack.s3.bucket)
    session_id = new_session(browser_stack, "Before CORS")
    page.goto(session_edit_url(browser_stack, session_id))
    expect(page.locator("[data-testid=mc-upload-blocked]")).to_contain_text(
        f"multicam storage apply-cors --origin {browser_stack.strapi.base_url}", timeout=60_000
    )
    expect(page.locator("[data-testid=mc-zone-A]")).to_have_count(0)


def test_three_files_dropped_on_a_new_session_end_in_its_sync_card(
    seeded: Seeded, cors: None, browser_stack: BrowserStack, page: Page, tmp_path: Path
) -> None:
    cams = seeded.scene.cameras
    big = padded(cams["C"].path, tmp_path / "camC-wide.mp4", 11 * MIB)
    puts: list[Request] = []
    page.on("request", lambda r: puts.append(r) if r.method == "PUT" else None)
    session_id = create_session_in_the_admin(page, browser_stack, "Dropped in the admin")
    expect(page.locator("[data-testid=mc-zone-A]")).to_be_visible(timeout=60_000)

    drop(page, "[data-testid=mc-upload-zones]", [cams["B"].path, big, cams["A"].path])
    # The proposal comes from the names; nothing starts before the operator confirms.
    dialog = page.locator("[data-testid=mc-assignment]")
    expect(dialog).to_be_visible()
    for name, label in [("camB.mp4", "B"), ("camC-wide.mp4", "C"), ("camA.mp4", "A")]:
        expect(page.get_by_role("combobox", name=f"Camera of {name}")).to_contain_text(
            f"Cam {label}"
        )
    assert puts == []
    doc_screenshot(page, "[role=alertdialog]", "upload-assignment")
    page.click("[data-testid=mc-assign-confirm]")

    for label in "ABC":
        expect(page.locator(f"[data-testid=mc-zone-{label}]")).to_have_attribute(
            "data-phase", "done", timeout=120_000
        )
    # Straight to the bucket: the big file in parts, the others in one PUT each.
    endpoint = str(browser_stack.s3.settings.s3_endpoint_url).rstrip("/")
    assert all(r.url.startswith(endpoint) for r in puts)
    assert sorted(n for r in puts if (n := part_number(r))) == [1, 2, 3]
    assets = asset_states(browser_stack, session_id)
    assert sorted(assets) == ["A", "B", "C"]
    assert assets["C"].original_filename == "camC-wide.mp4"

    # The session ingests and syncs; the card appears with its confidence.
    expect(page.locator("[data-testid=mc-confidence]")).to_contain_text(
        "Sync confidence:", timeout=300_000
    )
    expect(page.locator("[data-testid=mc-camera-C]")).to_contain_text("−2100.0 ms")


def test_a_killed_upload_resumes_from_the_parts_in_storage(
    seeded: Seeded, cors: None, browser_stack: BrowserStack, page: Page, tmp_path: Path
) -> None:
    big = padded(seeded.scene.cameras["C"].path, tmp_path / "camC.mp4", 11 * MIB)
    session_id = new_session(browser_stack, "Resumed upload")

    def cut_after_first(route: Route) -> None:
        # The connection drops for every part but the first (none of them reaches the
        # bucket), then the tab is closed.
        if route.request.method == "PUT" and part_number(route.request) not in (None, 1):
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r".*[?&]partNumber=\d+.*"), cut_after_first)
    page.goto(session_edit_url(browser_stack, session_id))
    page.locator("[data-testid=mc-file-C]").set_input_files(str(big))
    zone = page.locator("[data-testid=mc-zone-C]")
    expect(zone).to_have_attribute("data-parts-done", "1", timeout=60_000)
    expect(zone).to_contain_text("Uploading")
    expect(zone).to_contain_text("%")
    doc_screenshot(page, "[data-testid=mc-upload-zones]", "upload-zones")
    page.close()

    again = page.context.new_page()
    puts: list[int | None] = []
    again.on("request", lambda r: puts.append(part_number(r)) if r.method == "PUT" else None)
    again.goto(session_edit_url(browser_stack, session_id))
    again.locator("[data-testid=mc-file-C]").set_input_files(str(big))
    zone = again.locator("[data-testid=mc-zone-C]")
    expect(zone).to_have_attribute("data-phase", "done", timeout=120_000)
    assert sorted(n for n in puts if n) == [2, 3], puts
    assert asset_states(browser_stack, session_id)["C"].state.value in ("ingesting", "ready")


def test_wrong_files_end_with_the_reason_on_their_zone(
    seeded: Seeded, cors: None, browser_stack: BrowserStack, page: Page, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("call sheet")
    silent = tmp_path / "camB-silent.mp4"
    write_video_only(silent, 4.0)
    session_id = new_session(browser_stack, "Wrong files")
    page.goto(session_edit_url(browser_stack, session_id))
    drop(page, "[data-testid=mc-zone-A]", [notes])
    expect(page.locator("[data-testid=mc-zone-error-A]")).to_contain_text(
        "notes.txt is not a video or audio file"
    )
    assert "A" not in asset_states(browser_stack, session_id)

    page.locator("[data-testid=mc-file-B]").set_input_files(str(silent))
    zone = page.locator("[data-testid=mc-zone-B]")
    expect(zone).to_have_attribute("data-asset-state", "failed", timeout=180_000)
    reason = wait_for(
        lambda: asset_states(browser_stack, session_id)["B"].error_message, "the ingest's reason"
    )
    expect(page.locator("[data-testid=mc-zone-asset-B]")).to_contain_text(reason[:40])


def test_replacing_a_cameras_file_asks_first_and_makes_a_new_version(
    seeded: Seeded, cors: None, browser_stack: BrowserStack, page: Page
) -> None:
    cams = seeded.scene.cameras
    session_id = new_session(browser_stack, "Replaced file")

    async def upload_a() -> None:
        async with browser_stack.api() as api, httpx.AsyncClient(timeout=60) as storage:
            await http_upload(api, storage, session_id, "A", cams["A"].path)

    run_async(upload_a())
    first = wait_for(
        lambda: (
            (a := asset_states(browser_stack, session_id).get("A"))
            and a.state.value in ("ingesting", "ready")
            and a
        ),
        "camera A's file",
    )
    puts: list[Request] = []
    page.on("request", lambda r: puts.append(r) if r.method == "PUT" else None)
    page.goto(session_edit_url(browser_stack, session_id))
    expect(page.locator("[data-testid=mc-zone-A]")).not_to_have_attribute(
        "data-asset-state", "none", timeout=60_000
    )

    page.locator("[data-testid=mc-file-A]").set_input_files(str(cams["B"].path))
    expect(page.get_by_text("Replace camera A's file?")).to_be_visible()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text("Replace camera A's file?")).to_have_count(0)
    assert puts == []

    page.locator("[data-testid=mc-file-A]").set_input_files(str(cams["B"].path))
    page.click("[data-testid=mc-replace-confirm]")
    expect(page.locator("[data-testid=mc-zone-A]")).to_have_attribute(
        "data-phase", "done", timeout=120_000
    )
    after = asset_states(browser_stack, session_id)["A"]
    assert after.original_filename == "camB.mp4"
    assert after.original_url != first.original_url  # a new version, the old one kept
