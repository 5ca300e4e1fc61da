"""The whole stack for end-to-end tests: real Strapi + PostgreSQL, a private Redis,
moto's S3 server, `multicam serve` and `multicam worker` as separate processes."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, VideoState
from strapi_client.models import MediaAsset
from tests.corpus import cases as corpus
from tests.support.s3_server import S3Server, running_s3
from tests.support.services import (
    MULTICAM,
    MulticamProcesses,
    PrivateRedis,
    Proc,
    free_port,
    multicam_processes,
    private_redis,
)
from tests.support.stack_env import service_env
from tests.support.strapi_server import StrapiServer, running_strapi
from tests.support.tcp_proxy import TcpProxy, tcp_proxy
from tests.support.vfr import vfr_frame_times
from worker.storage.factory import open_store
from worker.storage.keys import object_key

T = TypeVar("T")


# 32+ characters: serve refuses shorter secrets (worker/secret_rule.py).
API_TOKEN = "test-api-token-0123456789abcdef0123"


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


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    workdir = Path(tempfile.mkdtemp(prefix="multicam-pipeline-"))
    secret = secrets.token_hex(16)
    service_port = free_port()
    with running_s3() as s3, private_redis(workdir) as redis, running_strapi(
        webhook_url=f"http://127.0.0.1:{service_port}/webhooks/strapi",
        webhook_secret=secret,
    ) as strapi, tcp_proxy(strapi.port) as link:
        env = service_env(strapi=strapi, s3=s3, redis=redis, secret=secret, workdir=workdir,
                          api_token=API_TOKEN, strapi_url=link.url, extra={
                              # Short enough that a killed job is released within the test.
                              "MULTICAM_STALE_JOB_S": "15",
                          })
        with multicam_processes(env, service_port, workdir) as procs:
            yield Stack(strapi, s3, redis, procs, secret, workdir, link)


@pytest.fixture
async def strapi(stack: Stack) -> AsyncIterator[StrapiClient]:
    async with StrapiClient(stack.strapi.base_url, stack.strapi.api_token) as client:
        yield client


async def eventually(probe: Callable[[], Awaitable[T | None]], *, timeout: float,
                     what: str, stack: Stack | None = None, interval: float = 1.0) -> T:
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
def replaced_worker(stack: Stack, name: str, *, args: Sequence[str] = (),
                    env: Mapping[str, str] | None = None) -> Iterator[Proc]:
    """The stack's worker replaced by another ``multicam worker`` (own log) meanwhile."""
    worker = Proc(name, [str(MULTICAM), "worker", *args], {**stack.env, **(env or {})},
                  stack.workdir / f"{name}.log")
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


@pytest.fixture(scope="session")
def media_dir() -> Path:
    path = Path.home() / ".cache" / "multicam" / "pipeline-media"
    path.mkdir(parents=True, exist_ok=True)
    return path


def session_case(name: str, seed: int, *, unrelated_c: bool = False,
                 c_source: str = "scene") -> corpus.CaseSpec:
    """Three short cameras (mp4: H.264 + AAC) with known offsets."""
    cm = corpus.ChannelModel
    return corpus.make_case(name, "pipeline", seed, ("speech", "music"), [
        corpus.cam("A", 0.0, 40.0, container="mp4", audio_codec="aac",
                   channel=cm(snr_db=25, rt60_s=0.3)),
        corpus.cam("B", 6.4321, 36.0, container="mp4", audio_codec="aac", sample_rate=44_100,
                   channel=cm(snr_db=15, eq="presence")),
        corpus.cam("C", -4.1234, 38.0, container="mp4", audio_codec="aac", channels=2,
                   channel=cm(snr_db=20, rt60_s=0.6),
                   source="unrelated" if unrelated_c else c_source),
    ])


async def upload_original(stack: Stack, project: str, day: dt.date, label: str,
                          path: Path, *, version: int = 1) -> str:
    """Put a camera original in the bucket (as the upload API would) and return its URL."""
    async with open_store(stack.s3.settings) as store:
        key = object_key(project, day, "original", label, version=version,
                         ext=path.suffix.lstrip("."))
        stored = await store.put_file(key, path, "video/mp4")
        return stored.url


def make_vfr_copy(src: Path, dst: Path) -> Path:
    """The same audio (re-encoded AAC, start exact) under a phone-style VFR picture."""
    from fractions import Fraction

    import av
    import numpy as np

    from tests.corpus import decode_audio

    audio, rate = decode_audio(src)
    duration = len(audio) / rate
    times = vfr_frame_times(duration, tail_s=0.1)
    with av.open(str(dst), "w") as out:
        vs = out.add_stream("libx264", rate=25, options={"preset": "ultrafast"})
        vs.width, vs.height, vs.pix_fmt = 160, 96, "yuv420p"
        vs.codec_context.time_base = vs.time_base = Fraction(1, 1000)
        layout = "mono" if audio.shape[1] == 1 else "stereo"
        as_ = out.add_stream("aac", rate=rate, layout=layout)
        a_next = 0
        for k, ft in enumerate(times):
            luma = np.full((96, 160), 40 + (k * 7) % 180, np.uint8)
            frame = av.VideoFrame.from_ndarray(
                np.concatenate([luma, np.full((48, 160), 128, np.uint8)]), format="yuv420p")
            frame.pts = round(ft * 1000)
            out.mux(vs.encode(frame))
            while a_next < min(len(audio), round((ft + 0.1) * rate)):
                block = np.ascontiguousarray(audio[a_next:a_next + 1024].T.astype(np.float32))
                af = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
                af.sample_rate, af.pts = rate, a_next
                out.mux(as_.encode(af))
                a_next += block.shape[1]
        while a_next < len(audio):
            block = np.ascontiguousarray(audio[a_next:a_next + 1024].T.astype(np.float32))
            af = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
            af.sample_rate, af.pts = rate, a_next
            out.mux(as_.encode(af))
            a_next += block.shape[1]
        out.mux(vs.encode())
        out.mux(as_.encode())
    return dst
