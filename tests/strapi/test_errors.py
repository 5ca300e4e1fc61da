"""Every error class, mapped from what the real Strapi answers."""

from __future__ import annotations

import datetime as dt

import pydantic
import pytest

from strapi_client import (
    MediaAssetInput,
    RecordingSession,
    RecordingSessionInput,
    RetryPolicy,
    StrapiAuthError,
    StrapiClient,
    StrapiNotFound,
    StrapiUnavailable,
    StrapiValidationError,
    eq,
)
from tests.support.ports import free_port
from tests.support.strapi_server import StrapiServer

pytestmark = pytest.mark.strapi

MISSING = "z" * 24  # shaped like a documentId, never issued


async def test_bad_enum_is_a_validation_error_with_its_path(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    with pytest.raises(StrapiValidationError) as caught:
        await strapi.assets.create({"cameraLabel": "F", "session": session_entry.document_id})
    error = caught.value
    assert error.status == 400
    assert error.path == ["cameraLabel"]
    assert "A, B, C, D, E, REC" in error.field_message
    # The typed write model refuses it before any request is sent.
    with pytest.raises(pydantic.ValidationError):
        MediaAssetInput(camera_label="F")


async def test_missing_required_field_and_range(strapi: StrapiClient) -> None:
    with pytest.raises(StrapiValidationError) as caught:
        await strapi.sessions.create(
            RecordingSessionInput(date=dt.date(2026, 1, 1), project_id="p")
        )
    assert caught.value.path == ["title"]

    with pytest.raises(StrapiValidationError) as caught:
        await strapi.sessions.create(
            RecordingSessionInput(
                title="t", date=dt.date(2026, 1, 1), project_id="p", progress_pct=150
            )
        )
    assert caught.value.path == ["progressPct"]


async def test_reserved_status_filter_is_rejected(strapi: StrapiClient) -> None:
    # Why the field is called `state`: Strapi 5 owns `status` (draft/publish).
    with pytest.raises(StrapiValidationError) as caught:
        await strapi.sessions.find(filters={"status": eq("ready")})
    assert caught.value.path == ["status"]


async def test_unknown_document_is_not_found(strapi: StrapiClient) -> None:
    with pytest.raises(StrapiNotFound) as caught:
        await strapi.sessions.get(MISSING)
    assert caught.value.status == 404
    with pytest.raises(StrapiNotFound):
        await strapi.sessions.update(MISSING, RecordingSessionInput(title="x"))
    await strapi.assets.delete(MISSING)  # Strapi answers 204: deleting is idempotent


async def test_no_token_is_forbidden(strapi_server: StrapiServer) -> None:
    async with StrapiClient(strapi_server.base_url) as anonymous:
        with pytest.raises(StrapiAuthError) as caught:
            await anonymous.sessions.find()
    assert caught.value.status == 403


async def test_bad_token_is_unauthorized(strapi_server: StrapiServer) -> None:
    async with StrapiClient(strapi_server.base_url, "not-the-token") as intruder:
        with pytest.raises(StrapiAuthError) as caught:
            await intruder.sessions.find()
    assert caught.value.status == 401


async def test_unreachable_server_is_unavailable_after_retries() -> None:
    quick = RetryPolicy(attempts=3, initial_wait=0.01, max_wait=0.05)
    async with StrapiClient(f"http://127.0.0.1:{free_port()}", "t", retry=quick) as client:
        with pytest.raises(StrapiUnavailable, match="after 3 attempts"):
            await client.sessions.find()
        assert await client.is_healthy() is False


async def test_health(strapi: StrapiClient) -> None:
    assert await strapi.is_healthy() is True
