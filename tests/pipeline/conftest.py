"""The whole stack for end-to-end tests (tests/support/stack.py): real Strapi +
PostgreSQL, a private Redis, moto's S3 server, `multicam serve` and `multicam worker`
as separate processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from strapi_client.client import StrapiClient
from tests.support.stack import (
    API_TOKEN,
    Stack,
    eventually,
    fully_ingested,
    media_cache,
    replaced_worker,
    running_stack,
    session_case,
    upload_original,
)
from tests.support.vfr import vfr_frame_times

__all__ = [
    "API_TOKEN",
    "Stack",
    "eventually",
    "fully_ingested",
    "replaced_worker",
    "session_case",
    "upload_original",
]


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with running_stack() as s:
        yield s


@pytest.fixture
async def strapi(stack: Stack) -> AsyncIterator[StrapiClient]:
    async with StrapiClient(stack.strapi.base_url, stack.strapi.api_token) as client:
        yield client


@pytest.fixture(scope="session")
def media_dir() -> Path:
    return media_cache()


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
                np.concatenate([luma, np.full((48, 160), 128, np.uint8)]), format="yuv420p"
            )
            frame.pts = round(ft * 1000)
            out.mux(vs.encode(frame))
            while a_next < min(len(audio), round((ft + 0.1) * rate)):
                block = np.ascontiguousarray(audio[a_next : a_next + 1024].T.astype(np.float32))
                af = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
                af.sample_rate, af.pts = rate, a_next
                out.mux(as_.encode(af))
                a_next += block.shape[1]
        while a_next < len(audio):
            block = np.ascontiguousarray(audio[a_next : a_next + 1024].T.astype(np.float32))
            af = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
            af.sample_rate, af.pts = rate, a_next
            out.mux(as_.encode(af))
            a_next += block.shape[1]
        out.mux(vs.encode())
        out.mux(as_.encode())
    return dst
