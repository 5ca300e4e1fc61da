"""What the HTTP service gives away and how long it waits, without a server process.

The app runs in-process (httpx's ASGI transport) with its lifespan, Redis and the
object store replaced by stand-ins; Strapi is a closed port on this machine.

* /readyz names the dependency that is down, and only an authenticated caller reads
  why (the exception text can hold addresses, user names, paths).
* Request bodies are capped (413 in the API's error shape), webhooks included.
* With Strapi unreachable, a /v2 request answers 503 after a couple of attempts
  instead of the worker's long retry budget; with Strapi hanging, within the
  request's time budget for all its Strapi calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from redis.exceptions import ConnectionError as RedisConnectionError

import worker.api.app as app_module
import worker.api.v2.auth as auth_module
from strapi_client.transport import RetryPolicy
from tests.support.ports import free_port
from worker.api.app import create_app
from worker.api.deps import API_STRAPI_TIMEOUT
from worker.settings import Settings
from worker.storage.settings import StorageSettings

TOKEN = "limits-test-api-token-0123456789abcdef"
SECRET = "limits-test-webhook-secret-0123456789abcdef"
# A hostile body (the fault table's "5 MB"): over any sensible limit.
HOSTILE_BYTES = 5 * 1024 * 1024
# What the Redis stand-in's failure says: the kind of detail that must not leak.
REDIS_DETAIL = "Error 111 connecting to redis-internal.example:6379. Connection refused."


class FakeRedis:
    """The lifespan's Redis: up (``ping`` works, nothing is enqueued) or down."""

    def __init__(self, up: bool = True) -> None:
        self.up = up
        self.enqueued: list[tuple[str, tuple[Any, ...]]] = []

    async def ping(self) -> bool:
        if not self.up:
            raise RedisConnectionError(REDIS_DETAIL)
        return True

    async def enqueue_job(self, function: str, *args: Any, **_: Any) -> object:
        self.enqueued.append((function, args))
        return object()

    async def aclose(self) -> None:
        return None


@contextlib.contextmanager
def closed_port() -> Iterator[int]:
    """A loopback port nothing listens on (connections are refused at once)."""
    yield free_port()


def _settings(strapi_port: int) -> Settings:
    return Settings(
        strapi_url=f"http://127.0.0.1:{strapi_port}",
        api_token=SecretStr(TOKEN),
        webhook_secret=SecretStr(SECRET),
        strapi_token=SecretStr("strapi-token-0123456789abcdef0123456789"),
    )


@contextlib.asynccontextmanager
async def running(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    redis: FakeRedis | None = None,
    **options: Any,
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its real lifespan (so its own Strapi client), Redis and store faked."""
    fake = redis or FakeRedis()

    async def connect(_url: str, _queue: str) -> FakeRedis:
        return fake

    @contextlib.asynccontextmanager
    async def open_store(_settings: StorageSettings) -> AsyncIterator[object]:
        yield object()

    monkeypatch.setattr(app_module, "connect", connect)
    monkeypatch.setattr(app_module, "open_store", open_store)
    app: FastAPI = create_app(settings, StorageSettings(), **options)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
            yield client


@pytest.fixture
def strapi_attempts(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts the HTTP requests that leave this process, per host:port."""
    counts: dict[str, int] = {}
    real = httpx.AsyncHTTPTransport.handle_async_request

    async def counting(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
        key = f"{request.url.host}:{request.url.port}"
        counts[key] = counts.get(key, 0) + 1
        return await real(self, request)

    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", counting)
    return counts


# ---- /readyz


async def test_readyz_names_what_is_down_but_not_why_without_a_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with closed_port() as port:
        async with running(_settings(port), monkeypatch, FakeRedis(up=False)) as client:
            r = await client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body == {
        "status": "unavailable",
        "checks": {"redis": "unavailable", "strapi": "unavailable"},
    }
    for leaked in ("redis-internal", "6379", "127.0.0.1", str(port), "refused", "Error"):
        assert leaked not in r.text, leaked


async def test_readyz_says_why_to_an_authenticated_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    with closed_port() as port:
        async with running(_settings(port), monkeypatch, FakeRedis(up=False)) as client:
            wrong = await client.get("/readyz", headers={"Authorization": "Bearer nope"})
            right = await client.get("/readyz", headers={"Authorization": f"Bearer {TOKEN}"})
    assert wrong.status_code == 503 and "redis-internal" not in wrong.text
    assert right.status_code == 503
    checks = right.json()["checks"]
    assert checks["redis"].startswith("unreachable: ") and "redis-internal" in checks["redis"]
    assert checks["strapi"].startswith("unreachable: ")


async def test_readyz_ok_shows_nothing_more(monkeypatch: pytest.MonkeyPatch) -> None:
    # Strapi down, Redis up: the up one says ok, with or without a token.
    with closed_port() as port:
        async with running(_settings(port), monkeypatch) as client:
            r = await client.get("/readyz")
    assert r.json()["checks"] == {"redis": "ok", "strapi": "unavailable"}


# ---- body size


def _problem(r: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = r.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]  # type: ignore[no-any-return]


async def _chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_over_the_limit_is_refused_with_413(
    monkeypatch: pytest.MonkeyPatch, chunked: bool
) -> None:
    default_max = Settings.model_fields["api_max_body_bytes"].default

    assert default_max < HOSTILE_BYTES
    big = json.dumps(
        {"title": "x" * HOSTILE_BYTES, "date": "2026-11-20", "projectId": "p"}
    ).encode()
    with closed_port() as port:
        async with running(_settings(port), monkeypatch) as client:
            auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
            content: Any = _chunks(big) if chunked else big
            r = await client.post("/v2/sessions", content=content, headers=auth)
            assert r.status_code == 413, r.text
            error = _problem(r)
            assert error["code"] == "payload_too_large"
            assert f"{default_max:,} bytes" in error["message"]
            # Webhooks too (before the secret is even looked at: nothing is read).
            hook = await client.post(
                "/webhooks/strapi",
                content=_chunks(big) if chunked else big,
                headers={"X-Multicam-Webhook-Secret": SECRET},
            )
            assert hook.status_code == 413, hook.text
            assert _problem(hook)["code"] == "payload_too_large"
            # The service still answers afterwards.
            assert (await client.get("/healthz")).status_code == 200


async def test_a_body_under_the_limit_still_gets_through(monkeypatch: pytest.MonkeyPatch) -> None:
    # The largest legitimate body: complete with 10,000 parts (S3's maximum).
    parts = [
        {"partNumber": n, "etag": f'"{n:032x}"', "sizeBytes": 5 * 1024**3} for n in range(1, 10_001)
    ]
    body = json.dumps({"uploadId": "u" * 200, "parts": parts}, indent=2).encode()
    assert len(body) > 1024 * 1024  # over the 1 MiB of many servers' defaults
    event = {"event": "entry.update", "model": "no-such-model", "entry": {"id": 1}}
    with closed_port() as port:
        async with running(_settings(port), monkeypatch) as client:
            r = await client.post(
                "/v2/sessions/s1/assets/a1/complete",
                content=body,
                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
            )
            # Read and handled: Strapi (a closed port) is what stops it, not the size.
            assert r.status_code == 503, r.text
            hook = await client.post(
                "/webhooks/strapi",
                content=_chunks(json.dumps(event).encode()),
                headers={"X-Multicam-Webhook-Secret": SECRET},
            )
            assert hook.status_code != 413, hook.text


async def test_the_limit_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    with closed_port() as port:
        async with running(_settings(port), monkeypatch, max_body_bytes=100) as client:
            r = await client.post(
                "/webhooks/strapi",
                content=b"{" + b" " * 200 + b"}",
                headers={"X-Multicam-Webhook-Secret": SECRET},
            )
    assert r.status_code == 413
    assert "100 bytes" in _problem(r)["message"]


# ---- Strapi unreachable


async def test_v2_answers_503_fast_when_strapi_is_unreachable(
    monkeypatch: pytest.MonkeyPatch, strapi_attempts: dict[str, int]
) -> None:
    with closed_port() as port:
        async with running(_settings(port), monkeypatch) as client:
            r = await client.get(
                "/v2/sessions/k3v9x0q2m7l1p8r4t6w5y2z0",
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
    assert r.status_code == 503, r.text
    error = _problem(r)
    assert error["code"] == "unavailable"
    assert r.headers["Retry-After"]
    attempts = strapi_attempts[f"127.0.0.1:{port}"]
    # A retry at most, not the worker's budget (5 attempts, up to 10 s connect each).
    assert attempts <= 2, attempts
    assert attempts < RetryPolicy().attempts


def test_the_worker_keeps_its_longer_retries() -> None:
    from worker.api.deps import API_STRAPI_RETRY

    assert RetryPolicy().attempts >= 5
    assert API_STRAPI_RETRY.attempts < RetryPolicy().attempts
    assert API_STRAPI_RETRY.max_retry_after <= 2.0


@contextlib.asynccontextmanager
async def silent_strapi() -> AsyncIterator[int]:
    """A Strapi that accepts connections and reads requests but never answers."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        await reader.read(65536)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        for writer in held:
            writer.close()
        server.close()


async def test_v2_answers_503_within_its_budget_when_strapi_hangs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One call could wait 2 x 5 s (API_STRAPI_TIMEOUT, one retry), a route several of
    # them; all of a request's Strapi calls share API_STRAPI_BUDGET_S (1 s here).
    monkeypatch.setattr(auth_module, "API_STRAPI_BUDGET_S", 1.0)
    async with silent_strapi() as port, running(_settings(port), monkeypatch) as client:
        started = time.monotonic()
        r = await client.get(
            "/v2/sessions/k3v9x0q2m7l1p8r4t6w5y2z0/sync",
            headers={"Authorization": f"Bearer {TOKEN}"},
        )
        elapsed = time.monotonic() - started
    assert r.status_code == 503, r.text
    assert _problem(r)["code"] == "unavailable" and r.headers["Retry-After"]
    assert elapsed < API_STRAPI_TIMEOUT.read, elapsed  # cut by the budget, not a timeout
