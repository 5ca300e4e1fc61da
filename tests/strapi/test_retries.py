"""Retry policy: only connection errors, 5xx and 429 are retried.

A real Strapi cannot be made to fail on demand, so a small real HTTP server on loopback
plays a flaky Strapi here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from strapi_client import (
    RetryPolicy,
    StrapiClient,
    StrapiNotFound,
    StrapiRateLimited,
    StrapiServerError,
    StrapiUnavailable,
    StrapiValidationError,
    deadline,
)

QUICK = RetryPolicy(attempts=4, initial_wait=0.01, max_wait=0.05)
SESSION_JSON = {
    "id": 1,
    "documentId": "abcdefghijklmnopqrstuvwx",
    "title": "t",
    "date": "2026-01-01",
    "projectId": "p",
    "state": "draft",
}


def _error(status: int, name: str) -> web.Response:
    body = {"data": None, "error": {"status": status, "name": name, "message": name, "details": {}}}
    return web.json_response(body, status=status)


@dataclass
class Flaky:
    """Answers with `script` in turn, then with the last entry forever."""

    script: list[Callable[[], web.Response]]
    hits: int = 0
    seen_auth: list[str | None] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.Response:
        self.seen_auth.append(request.headers.get("Authorization"))
        step = self.script[min(self.hits, len(self.script) - 1)]
        self.hits += 1
        return step()


@pytest.fixture
async def flaky_server() -> AsyncIterator[tuple[str, Flaky]]:
    flaky = Flaky(script=[])
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", flaky.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}", flaky
    finally:
        await runner.cleanup()


def ok() -> web.Response:
    return web.json_response({"data": SESSION_JSON, "meta": {}})


async def test_5xx_and_429_are_retried_until_success(flaky_server: tuple[str, Flaky]) -> None:
    url, flaky = flaky_server
    flaky.script = [
        lambda: _error(503, "ServiceUnavailable"),
        lambda: web.Response(status=429, headers={"Retry-After": "0"}),
        lambda: _error(502, "BadGateway"),
        ok,
    ]
    async with StrapiClient(url, "key", retry=QUICK) as client:
        session = await client.sessions.get("abcdefghijklmnopqrstuvwx")
    assert session.title == "t"
    assert flaky.hits == 4
    assert flaky.seen_auth == ["Bearer key"] * 4


async def test_persistent_5xx_raises_server_error(flaky_server: tuple[str, Flaky]) -> None:
    url, flaky = flaky_server
    flaky.script = [lambda: _error(500, "InternalServerError")]
    async with StrapiClient(url, "key", retry=QUICK) as client:
        with pytest.raises(StrapiServerError) as caught:
            await client.sessions.find()
    assert caught.value.status == 500
    assert flaky.hits == QUICK.attempts


async def test_persistent_429_raises_rate_limited(flaky_server: tuple[str, Flaky]) -> None:
    url, flaky = flaky_server
    flaky.script = [lambda: _error(429, "TooManyRequests")]
    async with StrapiClient(url, "key", retry=QUICK) as client:
        with pytest.raises(StrapiRateLimited):
            await client.sessions.find()
    assert flaky.hits == QUICK.attempts


@pytest.mark.parametrize(
    ("status", "name", "error"),
    [(400, "ValidationError", StrapiValidationError), (404, "NotFoundError", StrapiNotFound)],
)
async def test_client_errors_are_not_retried(
    flaky_server: tuple[str, Flaky], status: int, name: str, error: type[Exception]
) -> None:
    url, flaky = flaky_server
    flaky.script = [lambda: _error(status, name)]
    async with StrapiClient(url, "key", retry=QUICK) as client:
        with pytest.raises(error):
            await client.sessions.find()
    assert flaky.hits == 1


async def test_a_create_is_resent_only_when_strapi_surely_did_not_act(
    flaky_server: tuple[str, Flaky],
) -> None:
    url, flaky = flaky_server
    new = {"title": "t", "date": "2026-01-01", "projectId": "p"}
    # A 500 (or a read timeout) may follow a committed create: sending it again could
    # make a second session.
    flaky.script = [lambda: _error(500, "InternalServerError"), ok]
    async with StrapiClient(url, "key", retry=QUICK) as client:
        with pytest.raises(StrapiServerError):
            await client.sessions.create(new)
        assert flaky.hits == 1
        # 503 and 429 say it was not acted on.
        flaky.hits, flaky.script = 0, [lambda: _error(503, "ServiceUnavailable"), ok]
        assert (await client.sessions.create(new)).title == "t"
        assert flaky.hits == 2
        # A create keyed by a unique natural key may be resent (upsert relies on it).
        flaky.hits, flaky.script = 0, [lambda: _error(500, "InternalServerError"), ok]
        assert (await client.sessions.create(new, idempotent=True)).title == "t"
        assert flaky.hits == 2


@pytest.fixture
async def silent_server() -> AsyncIterator[tuple[str, list[str]]]:
    """A Strapi that answers /fast at once and never answers anything else."""
    seen: list[str] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(request.path)
        if request.path.endswith("/fast"):
            return ok()
        await asyncio.Event().wait()  # never set: the client's budget must end the wait
        raise AssertionError("unreachable")

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", seen
    finally:
        await runner.cleanup()


async def test_a_deadline_bounds_every_call_inside_it(
    silent_server: tuple[str, list[str]],
) -> None:
    url, seen = silent_server
    # Alone, each call could wait 4 x 20 s; inside a 1.5 s budget all of them together stop.
    async with StrapiClient(url, "key", retry=QUICK, timeout=20.0) as client:
        started = time.monotonic()
        with deadline.within(1.5):
            assert (await client.sessions.get("fast")).title == "t"
            with pytest.raises(StrapiUnavailable, match="time budget"):
                await client.sessions.get("slow")
            sent = len(seen)
            with pytest.raises(StrapiUnavailable, match="time budget is spent"):
                await client.sessions.get("fast")
            assert len(seen) == sent  # nothing sent once the budget is spent
        elapsed = time.monotonic() - started
        assert elapsed < 15, elapsed  # bounded by the budget, not by 4 x 20 s of timeouts
        assert deadline.remaining() is None
        assert (await client.sessions.get("fast")).title == "t"  # no budget outside


async def test_only_time_in_strapi_calls_is_charged(silent_server: tuple[str, list[str]]) -> None:
    url, _ = silent_server
    async with StrapiClient(url, "key", retry=QUICK, timeout=20.0) as client:
        with deadline.within(0.5):
            assert (await client.sessions.get("fast")).title == "t"
            # The route's own slow work (completing a big multipart upload) is not Strapi's.
            await asyncio.sleep(0.8)
            assert (await client.sessions.get("fast")).title == "t"
            left = deadline.remaining()
            assert left is not None and 0 < left < 0.5
            with pytest.raises(StrapiUnavailable, match="time budget"):
                await client.sessions.get("slow")  # a slow Strapi still spends it
            with pytest.raises(StrapiUnavailable, match="time budget is spent"):
                await client.sessions.get("fast")


def test_nested_deadlines_keep_the_earlier_one() -> None:
    with deadline.within(5.0):
        with deadline.within(60.0):
            left = deadline.remaining()
            assert left is not None and left <= 5.0
        with deadline.within(1.0):
            left = deadline.remaining()
            assert left is not None and left <= 1.0
    assert deadline.remaining() is None
