"""A file beyond the probe's caps fails its asset, and the operator reads why (#12 item 8).

The pipeline stack's worker is replaced by one started with a cap of 2 s on the
declared duration (workers read MULTICAM_INGEST_MAX_* at start), and a 3 s camera file
is uploaded as the upload API would.
"""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import pytest

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, SessionState
from strapi_client.models import MediaAssetInput, RecordingSessionInput
from tests.ingest.conftest import write_media
from tests.pipeline.conftest import Stack, eventually, replaced_worker, upload_original

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(600)]
DAY = dt.date(2026, 11, 20)


async def test_a_file_over_a_cap_fails_its_asset_with_the_reason(
    stack: Stack, strapi: StrapiClient, tmp_path: Path
) -> None:
    path = write_media(tmp_path / "camA.mp4", duration_s=3.0)
    session = await strapi.sessions.create(
        RecordingSessionInput(
            title="caps",
            date=DAY,
            project_id=f"caps-{secrets.token_hex(3)}",
            state=SessionState.DRAFT,
        )
    )
    with replaced_worker(stack, "worker-capped", env={"MULTICAM_INGEST_MAX_DURATION_S": "2"}):
        url = await upload_original(stack, session.project_id, DAY, "A", path)
        asset = await strapi.upsert_asset(
            session.document_id,
            "A",
            MediaAssetInput(
                original_filename=path.name, original_url=url, state=AssetState.INGESTING
            ),
        )

        async def failed() -> Any:
            a = await strapi.assets.get(asset.document_id, populate={"derivatives": True})
            return a if a.state is AssetState.FAILED else None

        done = await eventually(
            failed, timeout=120, what="the asset over the cap to fail", stack=stack
        )
    message = done.error_message or ""
    # The message names the value, the limit and the setting that sets it.
    assert "duration of 3.0 s, over the limit of 2 s" in message, message
    assert "MULTICAM_INGEST_MAX_DURATION_S" in message, message
    assert message.startswith("camA.mp4: "), message  # the operator's name for the file
