"""Strapi refuses a session title or file name of more than one line (#22 item 5):
they reach the editors' timelines, where a line break is a new EDL event."""

from __future__ import annotations

import secrets

import pytest

from strapi_client import RecordingSession, StrapiClient
from strapi_client.enums import CameraLabel
from strapi_client.errors import StrapiValidationError


@pytest.mark.parametrize("bad", ["Interview\n002  AX V C", "Interview\r", "tab\there"])
async def test_a_title_with_a_control_character_is_refused(strapi: StrapiClient, bad: str) -> None:
    with pytest.raises(StrapiValidationError):
        await strapi.sessions.create(
            {"title": bad, "date": "2026-03-14", "projectId": f"proj-{secrets.token_hex(4)}"}
        )


async def test_a_file_name_with_a_line_break_is_refused(
    strapi: StrapiClient, session_entry: RecordingSession
) -> None:
    asset = await strapi.upsert_asset(session_entry.document_id, CameraLabel.A)
    with pytest.raises(StrapiValidationError):
        await strapi.assets.update(asset.document_id, {"originalFilename": "cam\nA.mov"})
    ok = await strapi.assets.update(asset.document_id, {"originalFilename": "camA take 2.mov"})
    assert ok.original_filename == "camA take 2.mov"
