"""Review clips cut by seeking: the right frames, at the right times, proxy-like."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import av
import numpy as np
import pytest

from tests.support.flash_clap import WHITE, make_flash_clap_clip
from worker.ingest.config import IngestSettings
from worker.review_clips.cut import ClipSpan, cut_clips
from worker.review_clips.ranged_file import RangedFile


def _frames(path: Path) -> list[tuple[float, float, bool]]:
    """(time s, mean luma, keyframe) of every frame of a clip."""
    out = []
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            luma = float(np.asarray(frame.to_ndarray(format="gray")).mean())
            out.append((float(frame.time or 0.0), luma, frame.key_frame))
    return out


@pytest.fixture(scope="module")
def clap() -> object:
    return make_flash_clap_clip(video_delay_ms=200, clap_at_s=6.0, duration_s=12.0)


def _flash_proxy_ms(clip: object) -> float:
    # The proxy timeline starts at the first video frame.
    return clip.clap_at_s * 1000 - clip.video_delay_ms  # type: ignore[attr-defined]


def test_the_flash_is_where_the_proxy_timeline_says(clap: object, tmp_path: Path) -> None:
    flash = _flash_proxy_ms(clap)
    spans = [ClipSpan(flash - 1500, flash + 2500), ClipSpan(0, 1000)]
    clips = cut_clips(clap.path, "clap.mp4", 200.0, spans, tmp_path, IngestSettings())  # type: ignore[attr-defined]
    assert len(clips) == 2
    first = clips[0]
    frames = _frames(first.path)
    assert first.frames == len(frames)
    # The clip starts at the first frame at or after the span's start, and lasts it.
    assert abs(first.proxy_start_ms - (flash - 1500)) <= 1000 / 30
    assert abs(first.proxy_end_ms - (flash + 2500)) <= 1000 / 30
    white = [t for t, luma, _ in frames if luma > (WHITE + 24) / 2]
    assert len(white) == 1
    assert abs(first.proxy_start_ms + 1000 * white[0] - flash) < 1.0
    # Proxy-like: starts on a keyframe, exact short GOP, proxy size.
    keys = [i for i, (_, _, key) in enumerate(frames) if key]
    assert keys[0] == 0 and all(b - a == 15 for a, b in itertools.pairwise(keys))
    with av.open(str(first.path)) as c:
        assert c.streams.video[0].codec_context.height <= IngestSettings().review_clip_height
        assert not c.streams.audio
    assert clips[1].proxy_start_ms == pytest.approx(0.0, abs=1.0)


def test_a_span_past_the_end_makes_no_clip(clap: object, tmp_path: Path) -> None:
    clips = cut_clips(
        clap.path, "clap.mp4", 200.0, [ClipSpan(60_000, 64_000)], tmp_path, IngestSettings()
    )  # type: ignore[attr-defined]
    assert clips == []
    assert not list(tmp_path.glob("*.mp4"))


def test_cut_through_ranged_reads_matches_a_local_cut(clap: object, tmp_path: Path) -> None:
    data = Path(clap.path).read_bytes()  # type: ignore[attr-defined]
    # After the file's last keyframe (8.3 s): a seek skips most of it.
    span = ClipSpan(9_000, 10_000)

    async def read_range(start: int, length: int) -> bytes:
        await asyncio.sleep(0)
        return data[start : start + length]

    async def main() -> tuple[list[object], RangedFile]:
        loop = asyncio.get_running_loop()
        remote = RangedFile(read_range, len(data), loop, block_bytes=8 << 10)
        clips = await asyncio.to_thread(
            cut_clips, remote, "clap.mp4", 200.0, [span], tmp_path / "remote", IngestSettings()
        )
        return clips, remote

    clips, remote = asyncio.run(main())
    local = cut_clips(clap.path, "clap.mp4", 200.0, [span], tmp_path / "local", IngestSettings())  # type: ignore[attr-defined]
    assert len(clips) == len(local) == 1
    got = clips[0]
    assert (got.proxy_start_ms, got.frames) == (local[0].proxy_start_ms, local[0].frames)  # type: ignore[attr-defined]
    assert remote.bytes_fetched < 0.6 * len(data), (remote.bytes_fetched, len(data))
