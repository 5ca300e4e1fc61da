"""A proxy in segments, joined by copying, is the proxy one pass makes."""

from __future__ import annotations

import itertools
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tests.support.flash_clap import WHITE, FlashClap, make_flash_clap_clip
from worker.ingest.config import IngestSettings
from worker.ingest.derive import derive_all
from worker.ingest.probe import probe
from worker.ingest.segments import (
    Segment,
    SegmentFacts,
    encode_segment,
    join_segments,
    plan_segments,
    thumbnail_window,
)

RATE = Fraction(30)


def test_segments_are_whole_gops_and_the_last_takes_the_rest() -> None:
    plan = plan_segments(3600.0, Fraction(30000, 1001), 15, 300.0)
    assert len(plan) == 12
    assert [s.index for s in plan] == list(range(12))
    for a, b in itertools.pairwise(plan):
        assert a.end_s == b.start_s
        frames = a.start_s * Fraction(30000, 1001)
        assert frames.denominator == 1 and frames % 15 == 0
    assert plan[0].start_s == 0 and plan[-1].end_s is None


def test_a_short_camera_is_one_pass_and_a_short_rest_joins_the_last() -> None:
    assert plan_segments(599.0, RATE, 15, 300.0) == []
    assert plan_segments(3600.0, RATE, 15, 0) == []
    plan = plan_segments(700.0, RATE, 15, 300.0)  # 300 + 400: no 100 s stub
    assert [(s.start_s, s.end_s) for s in plan] == [(0, 300), (300, None)]


def _frames(path: Path) -> list[tuple[int, float, bool]]:
    """(pts, mean luma, keyframe) of every frame of a file."""
    out = []
    with av.open(str(path)) as c:
        for frame in c.decode(video=0):
            luma = float(np.asarray(frame.to_ndarray(format="gray")).mean())
            assert frame.pts is not None
            out.append((frame.pts, luma, frame.key_frame))
    return out


def _times(path: Path) -> list[float]:
    with av.open(str(path)) as c:
        tb = c.streams.video[0].time_base
        assert tb is not None
        return [float(f.pts * tb) for f in c.decode(video=0) if f.pts is not None]


@pytest.fixture(scope="module")
def clap() -> FlashClap:
    return make_flash_clap_clip(video_delay_ms=200, clap_at_s=7.0, duration_s=12.0)


def test_joined_segments_are_the_one_pass_proxy(clap: FlashClap, tmp_path: Path) -> None:
    config = IngestSettings()
    facts = probe(clap.path)
    whole = derive_all(clap.path, tmp_path / "whole", facts, config, kinds=["proxy"])[0].path
    plan = plan_segments(facts.duration_s, facts.rate, config.proxy_gop, 4.0)
    assert len(plan) == 3
    window = thumbnail_window(facts, config, tmp_path / "thumb.jpg")
    parts: list[tuple[Path, SegmentFacts]] = []
    with clap.path.open("rb") as handle:  # a file object, as ranged reads from storage are
        for seg in reversed(plan):  # any order: each seeks on its own
            holds = seg.start_s <= window.target_s < (seg.end_s or float("inf"))
            out = tmp_path / f"seg-{seg.index}.mp4"
            made = encode_segment(
                handle, "clap.mp4", facts, seg, out, config, thumbnail=window if holds else None
            )
            assert made.index == seg.index and made.frames > 0
            assert _frames(out)[0][0] == 0  # each segment starts at its own 0
            parts.insert(0, (out, made))
    joined = tmp_path / "joined.mp4"
    frames = join_segments(parts, joined)
    one, two = _frames(whole), _frames(joined)
    assert frames == len(two) == len(one)
    assert _times(joined) == pytest.approx(_times(whole), abs=1e-6)
    # The exact keyframe pattern of the one-pass proxy, across the joins too.
    keys = [i for i, (_, _, key) in enumerate(two) if key]
    assert keys == [i for i, (_, _, key) in enumerate(one) if key]
    assert keys[0] == 0 and all(b - a == config.proxy_gop for a, b in itertools.pairwise(keys))
    # The flash (one white frame) is at the same place, where the clap is.
    white = [i for i, (_, luma, _) in enumerate(two) if luma > (WHITE + 24) / 2]
    assert white == [i for i, (_, luma, _) in enumerate(one) if luma > (WHITE + 24) / 2]
    assert len(white) == 1
    flash_s = _times(joined)[white[0]]
    assert flash_s == pytest.approx(clap.clap_at_s - clap.video_delay_ms / 1000, abs=1e-3)
    assert (tmp_path / "thumb.jpg").stat().st_size > 0


def test_a_segment_past_the_end_says_so(clap: FlashClap, tmp_path: Path) -> None:
    from worker.errors import UnreadableMedia

    facts = probe(clap.path)
    beyond = Segment(5, Fraction(60), None)
    with pytest.raises(UnreadableMedia, match="no frame in the proxy's segment 6"):
        encode_segment(clap.path, "clap.mp4", facts, beyond, tmp_path / "x.mp4", IngestSettings())
    assert not (tmp_path / "x.mp4").exists()


def test_only_a_long_proxy_and_thumbnail_are_segmented_and_the_plan_travels(
    clap: FlashClap,
) -> None:
    from worker.jobs.proxy_segments import SegmentedProxy, plan

    config = IngestSettings()
    hour = probe(clap.path).model_copy(update={"duration_ms": 3_600_000})
    segmented = plan(hour, ["proxy", "thumbnail"], config)
    assert segmented is not None and len(segmented.segments) == 12
    # The JSON the jobs carry gives every worker the same segments, whatever its settings.
    again = SegmentedProxy.model_validate_json(segmented.model_dump_json())
    assert again.segments == segmented.segments
    assert plan(hour, ["proxy", "thumbnail", "mezzanine"], config) is None  # one pass
    assert plan(probe(clap.path), ["proxy", "thumbnail"], config) is None  # 12 s
    assert plan(hour, ["proxy", "thumbnail"], IngestSettings(proxy_segment_s=0)) is None
