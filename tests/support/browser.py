"""Debian's Chromium driven by Playwright (never a browser Playwright downloads).

    with chromium() as browser:
        page = browser.new_page()

The flags keep Chromium off the network it cannot reach here (background
services, component updates) and let it run as root without a sandbox.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator

from playwright.sync_api import Browser, sync_playwright

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Media plays without a user gesture and without a sound card.
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
]


def chromium_path() -> str:
    """The system Chromium (installed by deploy/bootstrap with apt-get)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError(
            "Debian's chromium package is required: apt-get install chromium "
            "(deploy/bootstrap installs it)"
        )
    return path


@contextlib.contextmanager
def chromium(*, headless: bool = True) -> Iterator[Browser]:
    """A headless Chromium with a fresh profile (Playwright's), closed after the block."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(), headless=headless, args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            browser.close()
