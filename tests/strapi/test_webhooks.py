"""Strapi's webhooks reach a local receiver, with the shared-secret header."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from strapi_client import (
    CameraLabel,
    MediaAsset,
    RecordingSession,
    RecordingSessionInput,
    SessionState,
    StrapiClient,
    parse_webhook,
)
from tests.support.strapi_server import StrapiServer
from tests.support.webhook_receiver import Delivery, WebhookReceiver

pytestmark = pytest.mark.strapi


async def _delivery(
    receiver: WebhookReceiver, event: str, document_id: str, **entry: Any
) -> Delivery:
    def match(delivery: Delivery) -> bool:
        body = delivery.json()
        found = body.get("entry", {})
        return (
            body.get("event") == event
            and found.get("documentId") == document_id
            and all(found.get(k) == v for k, v in entry.items())
        )

    return await asyncio.to_thread(receiver.wait_for, match, 15.0)


async def test_create_update_delete_are_delivered_with_the_secret(
    strapi: StrapiClient,
    strapi_server: StrapiServer,
    webhook_receiver: WebhookReceiver,
    session_entry: RecordingSession,
) -> None:
    sid = session_entry.document_id

    created = await _delivery(webhook_receiver, "entry.create", sid)
    assert created.header(strapi_server.webhook_header) == webhook_receiver.secret
    assert created.header("X-Strapi-Event") == "entry.create"
    assert created.path == "/webhooks/strapi"
    event = parse_webhook(created.body)
    assert (event.model, event.uid) == (
        "recording-session",
        "api::recording-session.recording-session",
    )
    assert event.document_id == sid and event.is_ours
    typed = event.typed_entry()
    assert isinstance(typed, RecordingSession) and typed.project_id == session_entry.project_id

    asset = await strapi.upsert_asset(sid, CameraLabel.A)
    asset_created = parse_webhook(
        (await _delivery(webhook_receiver, "entry.create", asset.document_id)).body
    )
    assert asset_created.model == "media-asset"
    typed_asset = asset_created.typed_entry()
    assert isinstance(typed_asset, MediaAsset)
    # Relations come one level deep: the worker learns the session from the payload.
    assert typed_asset.session is not None and typed_asset.session.document_id == sid

    await strapi.sessions.update(sid, RecordingSessionInput(state=SessionState.INGESTING))
    updated = await _delivery(webhook_receiver, "entry.update", sid, state="ingesting")
    assert updated.header(strapi_server.webhook_header) == webhook_receiver.secret

    await strapi.sessions.delete(sid)
    deleted = parse_webhook((await _delivery(webhook_receiver, "entry.delete", sid)).body)
    assert deleted.typed_entry() is not None
    # The cascade deletes go out as their own events.
    cascaded = parse_webhook(
        (await _delivery(webhook_receiver, "entry.delete", asset.document_id)).body
    )
    assert cascaded.model == "media-asset"
    assert "session" not in cascaded.entry, "delete payloads carry no relations"


async def test_every_delivery_carries_the_secret(webhook_receiver: WebhookReceiver) -> None:
    deliveries = webhook_receiver.deliveries
    assert deliveries, "earlier tests in this session produced events"
    assert all(d.header("X-Multicam-Webhook-Secret") == webhook_receiver.secret for d in deliveries)
    for delivery in deliveries:
        parse_webhook(delivery.body)  # every payload Strapi sent is one our model accepts
