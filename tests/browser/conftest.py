"""The whole stack for the real-browser tests: Strapi 5 serving its built admin (with
the multicam-review plugin), PostgreSQL, a private Redis, moto's S3 server, `multicam
serve` and `multicam worker`, and Debian's Chromium driven by Playwright.

Two sessions are seeded through the real upload path and synced by the real engine
(tests/browser/media.py: speech, a clap, a flash on the clap, camera C's video
starting 200 ms after its audio). The "low" session's result is then rewritten as a
less sure engine would have written it (the same offsets, lower confidence), so the
card must send the operator to the review page.
"""

from __future__ import annotations

import asyncio
import functools
import os
import secrets
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import Browser, Page

from strapi_client.client import StrapiClient
from strapi_client.enums import VideoState
from strapi_client.models import SyncResultInput
from strapi_client.query import related
from tests.api.conftest import http_upload, new_session
from tests.browser.media import ReviewScene, review_scene
from tests.support.browser import chromium
from tests.support.ports import free_port
from tests.support.s3_server import S3Server, running_s3
from tests.support.services import (
    MulticamProcesses,
    PrivateRedis,
    multicam_processes,
    private_redis,
)
from tests.support.stack_env import service_env
from tests.support.strapi_server import APP_DIR, StrapiServer, running_strapi

T = TypeVar("T")
API_TOKEN = "browser-test-api-token-0123456789abcdef"
LOW_PCT = {"B": 97.1, "C": 62.0}


@dataclass(eq=False)
class BrowserStack:
    strapi: StrapiServer
    s3: S3Server
    redis: PrivateRedis
    procs: MulticamProcesses
    panel_token: str

    @property
    def admin_url(self) -> str:
        return f"{self.strapi.base_url}/admin"

    def api(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.procs.service_url,
            timeout=60,
            headers={"Authorization": f"Bearer {API_TOKEN}"},
        )


@dataclass(frozen=True)
class Seeded:
    scene: ReviewScene
    high: str  # session ids
    low: str


def build_admin() -> None:
    """The admin panel with the plugin, built once per content hash (scripts/build-admin)."""
    result = subprocess.run(
        ["bash", str(APP_DIR / "scripts" / "build-admin")],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if result.returncode != 0:
        raise RuntimeError(f"building the admin panel failed:\n{result.stderr[-4000:]}")


@pytest.fixture(scope="session")
def browser_stack() -> Iterator[BrowserStack]:
    build_admin()
    workdir = Path(tempfile.mkdtemp(prefix="multicam-browser-"))
    secret = secrets.token_hex(16)
    panel_token = secrets.token_hex(32)
    service_port = free_port()
    service_url = f"http://127.0.0.1:{service_port}"
    with (
        running_s3() as s3,
        private_redis(workdir) as redis,
        running_strapi(
            webhook_url=f"{service_url}/webhooks/strapi",
            webhook_secret=secret,
            serve_admin=True,
            extra_env={
                "MULTICAM_SERVICE_URL": service_url,
                "MULTICAM_ADMIN_PANEL_TOKEN": panel_token,
                # Presigned proxy URLs point at the S3 endpoint: the page may play from it.
                "MULTICAM_MEDIA_ORIGINS": str(s3.settings.s3_endpoint_url),
            },
        ) as strapi,
    ):
        env = service_env(
            strapi=strapi,
            s3=s3,
            redis=redis,
            secret=secret,
            workdir=workdir,
            api_token=API_TOKEN,
            extra={
                "MULTICAM_ADMIN_PANEL_TOKEN": panel_token,
                # Files over 5 MiB go multipart in 5 MiB parts (S3's
                # minimum), two part URLs at a time: browser uploads of a
                # 12 MiB file exercise parts, part-urls and resume.
                "MULTICAM_UPLOAD_SINGLE_MAX_MB": "5",
                "MULTICAM_UPLOAD_PART_SIZE_MB": "5",
                "MULTICAM_UPLOAD_URLS_PER_RESPONSE": "2",
            },
        )
        with multicam_processes(env, service_port, workdir) as procs:
            yield BrowserStack(strapi, s3, redis, procs, panel_token)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine from a sync test: Playwright's sync API owns this thread's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def with_strapi(stack: BrowserStack, fn: Callable[[StrapiClient], Awaitable[T]]) -> T:
    """``fn(client)`` with a Strapi client of the worker's token, from a sync test."""

    async def call() -> T:
        async with StrapiClient(stack.strapi.base_url, stack.strapi.api_token) as client:
            return await fn(client)

    return run_async(call())


async def settled(strapi: StrapiClient, session_id: str, timeout: float = 300) -> None:
    """Wait until the session's sync has run (needs-review) and its proxies are made.

    The sync comes first (it needs only the audio); the review page plays the proxies.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    state = None
    while loop.time() < deadline:
        session = await strapi.get_session(session_id)
        state = session.state.value
        videos = [a.video_state for a in session.assets or []]
        if state == "needs-review" and all(
            v in (VideoState.READY, VideoState.FAILED) for v in videos
        ):
            return
        await asyncio.sleep(1)
    raise AssertionError(f"session {session_id} still {state} after {timeout} s")


async def _upload_session(stack: BrowserStack, scene: ReviewScene, title: str) -> str:
    async with stack.api() as api, httpx.AsyncClient(timeout=60) as storage:
        session_id = await new_session(api, title=title)
        for label, camera in sorted(scene.cameras.items()):
            await http_upload(api, storage, session_id, label, camera.path)
    return session_id


async def _seed(browser_stack: BrowserStack, scene: ReviewScene) -> Seeded:
    high = await _upload_session(browser_stack, scene, "Interview, stage 2")
    low = await _upload_session(browser_stack, scene, "Panel, hall B")
    async with StrapiClient(
        browser_stack.strapi.base_url, browser_stack.strapi.api_token
    ) as strapi:
        await settled(strapi, high)
        await settled(strapi, low)
        found = await strapi.sync_results.find(filters={"session": related(low)}, page_size=1)
        result = found.items[0]
        await strapi.sync_results.update(
            result.document_id,
            SyncResultInput(
                confidence_pct={**(result.confidence_pct or {}), **LOW_PCT},
                classification={**(result.classification or {}), "C": "review-suggested"},
            ),
        )
    return Seeded(scene, high, low)


@pytest.fixture(scope="session")
def seeded(browser_stack: BrowserStack) -> Seeded:
    return run_async(_seed(browser_stack, review_scene()))


# Module scope, not session: Playwright's sync API runs an event loop on this thread
# while it is open, and the async tests of other folders need the thread's loop free.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def admin_state(browser: Browser, browser_stack: BrowserStack) -> dict[str, Any]:
    """The super admin's signed-in browser state: one login per test module (the
    admin's login route is rate-limited, as it should be)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        login(page, browser_stack)
        state: dict[str, Any] = dict(context.storage_state())
        return state
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser, admin_state: dict[str, Any]) -> Iterator[Page]:
    """A page signed in as the super admin."""
    context = browser.new_context(
        viewport={"width": 1440, "height": 1000}, storage_state=admin_state
    )  # type: ignore[arg-type]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def login(
    page: Page, stack: BrowserStack, email: str | None = None, password: str | None = None
) -> None:
    page.goto(stack.admin_url + "/auth/login")
    page.fill("input[name=email]", email or stack.strapi.admin_email)
    page.fill("input[name=password]", password or stack.strapi.admin_password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/auth/" not in url, timeout=60_000)


def session_edit_url(stack: BrowserStack, session_id: str) -> str:
    return (
        f"{stack.admin_url}/content-manager/collection-types/"
        f"api::recording-session.recording-session/{session_id}"
    )


@functools.cache
def admin_jwt(stack: BrowserStack, email: str | None = None, password: str | None = None) -> str:
    """An admin JWT (one login per user and run: the login route is rate-limited)."""
    r = httpx.post(
        f"{stack.strapi.base_url}/admin/login",
        json={
            "email": email or stack.strapi.admin_email,
            "password": password or stack.strapi.admin_password,
        },
        timeout=30,
    )
    r.raise_for_status()
    token: str = r.json()["data"]["token"]
    return token


def admin_request(
    stack: BrowserStack, method: str, path: str, jwt: str, **kwargs: Any
) -> httpx.Response:
    return httpx.request(
        method,
        f"{stack.strapi.base_url}{path}",
        timeout=60,
        headers={"Authorization": f"Bearer {jwt}"},
        **kwargs,
    )


def doc_screenshot(page: Page, selector: str | None, name: str) -> None:
    """Save a screenshot for the operator guide when MULTICAM_SCREENSHOT_DIR is set
    (``MULTICAM_SCREENSHOT_DIR=docs/img bash tests/run tests/browser``)."""
    target = os.environ.get("MULTICAM_SCREENSHOT_DIR")
    if not target:
        return
    path = Path(target) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    if selector is None:
        page.screenshot(path=str(path))
    else:
        page.locator(selector).screenshot(path=str(path))
