"""A real shoot through the service: three cameras with two takes each and a sound
recorder, every file its own media-asset (label + take), synced onto one timeline."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

import pytest

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, SessionState
from strapi_client.models import MediaAssetInput, RecordingSession, RecordingSessionInput
from tests.pipeline.conftest import Stack, eventually, upload_original
from tests.sync import shoot_checks as checks
from worker.examples import shoots
from worker.storage.keys import parse_object_key

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(900)]
DAY = dt.date(2026, 11, 21)


async def _settled(strapi: StrapiClient, session_id: str) -> RecordingSession | None:
    s = await strapi.get_session(session_id)
    return s if s.state is SessionState.NEEDS_REVIEW and s.sync_result is not None else None


async def test_takes_and_a_recorder_are_placed_with_the_recorder_as_master(
    stack: Stack, strapi: StrapiClient, corpus_dir: Path
) -> None:
    shoot = shoots.build_three_cameras_two_takes(corpus_dir)
    project = f"takes-{secrets.token_hex(3)}"
    session = await strapi.sessions.create(
        RecordingSessionInput(title="takes", date=DAY, project_id=project, state=SessionState.DRAFT)
    )
    takes: dict[str, int] = {}
    for clip in shoot.clips:
        takes[clip.label] = take = takes.get(clip.label, 0) + 1
        url = await upload_original(stack, project, DAY, clip.label, clip.path, take=take)
        await strapi.upsert_asset(
            session.document_id,
            clip.label,
            MediaAssetInput(
                original_filename=clip.path.name, original_url=url, state=AssetState.INGESTING
            ),
            take=take,
        )
    done = await eventually(
        lambda: _settled(strapi, session.document_id),
        timeout=600,
        what="the shoot's session to be synced",
        stack=stack,
        interval=2,
    )
    assets = done.assets or []
    assert len(assets) == 7  # one entry per file: takes never replace each other
    result = done.sync_result
    assert result is not None and result.master_camera is not None
    assert result.master_camera.value == "REC"
    truth = shoots.shoot_truth(shoot, "REC")
    offsets = result.offsets_ms or {}
    assert set(offsets) == {"A#1", "A#2", "B#1", "B#2", "C#1", "C#2", "REC"}
    for cid, expected in truth.offsets_ms.items():
        assert offsets[cid] == pytest.approx(expected, abs=checks.PLACED_TOL_MS), cid
    assert set((result.classification or {}).values()) <= {"looks-good", "review-suggested"}
    for asset in assets:
        assert asset.state is AssetState.READY, asset.error_message
        kinds = {d.kind.value for d in asset.derivatives or []}
        if asset.camera_label.value == "REC":
            # Sound only: its audio WAV and waveform, no video track to make.
            assert kinds == {"audio-wav", "waveform"}
            assert asset.video_state is None and asset.fps is None
        for d in asset.derivatives or []:
            parts = parse_object_key(d.storage_key or "")
            assert parts is not None and (parts.camera, parts.take) == (
                asset.camera_label.value,
                asset.take,
            )
