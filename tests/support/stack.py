"""The whole stack as processes, for end-to-end tests and the fault table.

Real Strapi + PostgreSQL, a private Redis, moto's S3 server, `multicam serve` and
`multicam worker`; the worker and the service reach Strapi through a switchable
TCP proxy so a test can take Strapi away from them without stopping it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import secrets
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, VideoState
from strapi_client.models import MediaAsset
from tests.corpus import cases as corpus
from tests.support.ports import free_port
from tests.support.s3_server import S3Server, running_s3
from tests.support.services import (
    MULTICAM,
    MulticamProcesses,
    PrivateRedis,
    Proc,
    multicam_processes,
    private_redis,
)
from tests.support.stack_env import service_env
from tests.support.strapi_server import StrapiServer, running_strapi
from tests.support.tcp_proxy import TcpProxy, tcp_proxy
from worker.api.webhooks import SECRET_HEADER
from worker.storage.factory import open_store
from worker.storage.keys import object_key

T = TypeVar("T")

# 32+ characters: serve refuses shorter secrets (worker/secret_rule.py).
API_TOKEN = "test-api-token-0123456789abcdef0123"
# Short enough that a killed job is released within a test.
STALE_JOB_S = 15


@dataclass
class Stack:
    strapi: StrapiServer
    s3: S3Server
    redis: PrivateRedis
    procs: MulticamProcesses
    secret: str
    workdir: Path
    strapi_link: TcpProxy  # the worker and service reach Strapi through this

    @property
    def env(self) -> dict[str, str]:
        return self.procs.env

    @property
    def url(self) -> str:
        """Where ``multicam serve`` answers."""
        return self.procs.service_url

    def object_bytes(self, key: str) -> bytes:
        body: bytes = self.s3.client().get_object(Bucket=self.s3.bucket, Key=key)["Body"].read()
        return body


@contextlib.contextmanager
def running_stack(
    extra: Mapping[str, str] | None = None, *, prefix: str = "multicam-pipeline-"
) -> Iterator[Stack]:
    """Start every part, yield the stack, stop every part.

    :param extra: settings of ``multicam serve`` and ``multicam worker`` to add or override.
    :param prefix: of the temporary folder that holds the logs and the work dir.
    """
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    secret = secrets.token_hex(16)
    service_port = free_port()
    with (
        running_s3() as s3,
        private_redis(workdir) as redis,
        running_strapi(
            webhook_url=f"http://127.0.0.1:{service_port}/webhooks/strapi",
            webhook_secret=secret,
        ) as strapi,
        tcp_proxy(strapi.port) as link,
    ):
        env = service_env(
            strapi=strapi,
            s3=s3,
            redis=redis,
            secret=secret,
            workdir=workdir,
            api_token=API_TOKEN,
            strapi_url=link.url,
            extra={"MULTICAM_STALE_JOB_S": str(STALE_JOB_S), **(extra or {})},
        )
        with multicam_processes(env, service_port, workdir) as procs:
            yield Stack(strapi, s3, redis, procs, secret, workdir, link)


async def eventually(
    probe: Callable[[], Awaitable[T | None]],
    *,
    timeout: float,
    what: str,
    stack: Stack | None = None,
    interval: float = 1.0,
) -> T:
    """Poll ``probe`` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last  # type: ignore[no-any-return]
        await asyncio.sleep(interval)
    logs = stack.procs.logs() if stack is not None else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}; last={last!r}\n{logs}")


@contextlib.contextmanager
def replaced_worker(
    stack: Stack, name: str, *, args: Sequence[str] = (), env: Mapping[str, str] | None = None
) -> Iterator[Proc]:
    """The stack's worker replaced by another ``multicam worker`` (own log) meanwhile."""
    worker = Proc(
        name,
        [str(MULTICAM), "worker", *args],
        {**stack.env, **(env or {})},
        stack.workdir / f"{name}.log",
    )
    stack.procs.worker.stop()  # only the replacement takes jobs meanwhile
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
        stack.procs.worker.start()


async def fully_ingested(strapi: StrapiClient, asset_id: str) -> MediaAsset | None:
    """The asset once both tracks are done: audio ready and video derivatives ready."""
    a = await strapi.assets.get(asset_id, populate={"derivatives": True})
    return a if a.state is AssetState.READY and a.video_state is VideoState.READY else None


def session_case(
    name: str, seed: int, *, unrelated_c: bool = False, c_source: str = "scene"
) -> corpus.CaseSpec:
    """Three short cameras (mp4: H.264 + AAC) with known offsets."""
    cm = corpus.ChannelModel
    return corpus.make_case(
        name,
        "pipeline",
        seed,
        ("speech", "music"),
        [
            corpus.cam(
                "A",
                0.0,
                40.0,
                container="mp4",
                audio_codec="aac",
                channel=cm(snr_db=25, rt60_s=0.3),
            ),
            corpus.cam(
                "B",
                6.4321,
                36.0,
                container="mp4",
                audio_codec="aac",
                sample_rate=44_100,
                channel=cm(snr_db=15, eq="presence"),
            ),
            corpus.cam(
                "C",
                -4.1234,
                38.0,
                container="mp4",
                audio_codec="aac",
                channels=2,
                channel=cm(snr_db=20, rt60_s=0.6),
                source="unrelated" if unrelated_c else c_source,
            ),
        ],
    )


def media_cache() -> Path:
    """Where generated cameras are kept between runs (named by their content hash)."""
    path = Path.home() / ".cache" / "multicam" / "pipeline-media"
    path.mkdir(parents=True, exist_ok=True)
    return path


async def upload_original(
    stack: Stack,
    project: str,
    day: dt.date,
    label: str,
    path: Path,
    *,
    version: int = 1,
    take: int = 1,
) -> str:
    """Put a camera original in the bucket (as the upload API would) and return its URL."""
    async with open_store(stack.s3.settings) as store:
        key = object_key(
            project,
            day,
            "original",
            label,
            version=version,
            ext=path.suffix.lstrip("."),
            take=take,
        )
        stored = await store.put_file(key, path, "video/mp4")
        return stored.url


def post_webhook(stack: Stack, body: object, secret: str | None) -> httpx.Response:
    """POST to the service's Strapi webhook as Strapi would (``body``: bytes as they are,
    anything else as JSON); ``secret`` None sends no secret header."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.post(
        stack.procs.service_url + "/webhooks/strapi", headers=headers, content=content, timeout=30
    )
