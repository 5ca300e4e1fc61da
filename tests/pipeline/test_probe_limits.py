"""A file beyond the probe's caps fails its asset, and the operator reads why (#12 item 8).

Its own stack (the processes read MULTICAM_INGEST_MAX_* at start): a cap of 2 s on the
declared duration, and a 3 s camera file uploaded as the upload API would.
"""

from __future__ import annotations

import datetime as dt
import secrets
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, SessionState
from strapi_client.models import MediaAssetInput, RecordingSessionInput
from tests.ingest.conftest import write_media
from tests.pipeline.conftest import API_TOKEN, Stack, eventually, upload_original
from tests.support.s3_server import running_s3
from tests.support.services import free_port, multicam_processes, private_redis
from tests.support.stack_env import service_env
from tests.support.strapi_server import running_strapi
from tests.support.tcp_proxy import tcp_proxy

DAY = dt.date(2026, 11, 20)
MAX_DURATION_S = "2"


@pytest.fixture(scope="module")
def capped_stack() -> Iterator[Stack]:
    workdir = Path(tempfile.mkdtemp(prefix="multicam-caps-"))
    secret = secrets.token_hex(16)
    service_port = free_port()
    with running_s3() as s3, private_redis(workdir) as redis, running_strapi(
        webhook_url=f"http://127.0.0.1:{service_port}/webhooks/strapi",
        webhook_secret=secret,
    ) as strapi, tcp_proxy(strapi.port) as link:
        env = service_env(strapi=strapi, s3=s3, redis=redis, secret=secret, workdir=workdir,
                          api_token=API_TOKEN, strapi_url=link.url,
                          extra={"MULTICAM_INGEST_MAX_DURATION_S": MAX_DURATION_S})
        with multicam_processes(env, service_port, workdir) as procs:
            yield Stack(strapi, s3, redis, procs, secret, workdir, link)


@pytest.fixture
async def strapi(capped_stack: Stack) -> AsyncIterator[StrapiClient]:
    async with StrapiClient(capped_stack.strapi.base_url,
                            capped_stack.strapi.api_token) as client:
        yield client


async def test_a_file_over_a_cap_fails_its_asset_with_the_reason(
        capped_stack: Stack, strapi: StrapiClient, tmp_path: Path) -> None:
    path = write_media(tmp_path / "camA.mp4", duration_s=3.0)
    session = await strapi.sessions.create(RecordingSessionInput(
        title="caps", date=DAY, project_id=f"caps-{secrets.token_hex(3)}",
        state=SessionState.DRAFT))
    url = await upload_original(capped_stack, session.project_id, DAY, "A", path)
    asset = await strapi.upsert_asset(session.document_id, "A", MediaAssetInput(
        original_filename=path.name, original_url=url, state=AssetState.INGESTING))

    async def failed() -> Any:
        a = await strapi.assets.get(asset.document_id, populate={"derivatives": True})
        return a if a.state is AssetState.FAILED else None

    done = await eventually(failed, timeout=120, what="the asset over the cap to fail",
                            stack=capped_stack)
    message = done.error_message or ""
    # The message names the value, the limit and the setting that sets it.
    assert "duration of 3.0 s, over the limit of 2 s" in message, message
    assert "MULTICAM_INGEST_MAX_DURATION_S" in message, message
    assert message.startswith("camA.mp4: "), message  # the operator's name for the file
