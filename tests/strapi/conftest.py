"""Session-scoped real Strapi 5 (fresh PostgreSQL database) and a webhook receiver."""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from collections.abc import AsyncIterator, Iterator

import pytest

from strapi_client import RecordingSession, RecordingSessionInput, StrapiClient
from tests.support.strapi_server import StrapiServer, running_strapi
from tests.support.webhook_receiver import WebhookReceiver


@pytest.fixture(scope="session")
def webhook_receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture(scope="session")
def strapi_server(webhook_receiver: WebhookReceiver) -> Iterator[StrapiServer]:
    with running_strapi(
        webhook_url=webhook_receiver.url, webhook_secret=webhook_receiver.secret
    ) as server:
        print(
            f"\n[strapi] {server.base_url} db={server.database} "
            f"deps {server.install_seconds:.1f} s, start {server.startup_seconds:.1f} s",
            file=sys.stderr,
        )
        yield server


@pytest.fixture
async def strapi(strapi_server: StrapiServer) -> AsyncIterator[StrapiClient]:
    async with StrapiClient(strapi_server.base_url, strapi_server.api_token) as client:
        yield client


@pytest.fixture
async def session_entry(strapi: StrapiClient) -> RecordingSession:
    """A new recording session of this test's own (unique projectId)."""
    return await strapi.sessions.create(
        RecordingSessionInput(
            title="Interview",
            date=dt.date(2026, 3, 14),
            project_id=f"proj-{secrets.token_hex(4)}",
        )
    )
