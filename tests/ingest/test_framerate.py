"""Nominal rate, VFR detection and the CFR grid, from timestamps alone."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from worker.ingest.framerate import CfrScheduler, analyze_frame_times, snap_rate
from worker.ingest.video_out import scaled_size


def test_snap_rate_to_standard_rates() -> None:
    assert snap_rate(29.97) == Fraction(30000, 1001)
    assert snap_rate(1 / 0.0333) == Fraction(30)
    assert snap_rate(25.02) == Fraction(25)
    assert snap_rate(17.0) == Fraction(17)


def test_cfr_with_rounded_timestamps_is_not_vfr() -> None:
    # Matroska stores ms: 29.97 fps becomes 33/34 ms intervals.
    times = np.round(np.arange(3000) * 1001 / 30000, 3)
    timing = analyze_frame_times([times], Fraction(1))
    assert timing.rate == Fraction(30000, 1001)
    assert not timing.vfr


def test_b_frame_order_and_one_dropped_frame_are_not_vfr() -> None:
    times = np.arange(2000) / 25.0
    times = np.delete(times, 1000)  # one dropped frame
    shuffled = times.reshape(-1, 1).copy()
    shuffled[1::3], shuffled[2::3] = shuffled[2::3].copy(), shuffled[1::3].copy()
    timing = analyze_frame_times([shuffled.ravel()], Fraction(1))
    assert timing.rate == 25 and not timing.vfr and timing.irregular == 1


def test_phone_vfr() -> None:
    rng = np.random.default_rng(0)
    intervals = np.where(rng.random(600) < 0.3, 1 / 15, 1 / 30)
    timing = analyze_frame_times([np.cumsum(intervals)], Fraction(1))
    assert timing.rate == 30 and timing.vfr


def test_windows_do_not_mix() -> None:
    a, b = np.arange(50) / 50.0, 100 + np.arange(50) / 50.0
    timing = analyze_frame_times([a, b], Fraction(1))
    assert timing.rate == 50 and not timing.vfr and timing.intervals == 98


def test_too_few_frames_uses_fallback() -> None:
    timing = analyze_frame_times([np.array([1.0])], Fraction(24))
    assert timing.rate == 24 and not timing.vfr


def _schedule(times: list[float], rate: int) -> list[tuple[int, int]]:
    sched: CfrScheduler[int] = CfrScheduler(Fraction(rate))
    out = []
    for i, t in enumerate(times):
        out += sched.push(i, t)
    return out + sched.finish()


def test_cfr_input_passes_through() -> None:
    assert _schedule([i / 10 for i in range(5)], 10) == [(i, i) for i in range(5)]


def test_gaps_repeat_and_bursts_drop() -> None:
    # Frame 1 is nearest to slots 1-2, frame 2 to 3-4; frame 3 (0.43 s) is nearest to
    # no slot and is dropped.
    out = _schedule([0.0, 0.1, 0.4, 0.43, 0.5], 10)
    assert out == [(0, 0), (1, 1), (2, 1), (3, 2), (4, 2), (5, 4)]


def test_grid_starts_at_the_first_frame_time() -> None:
    out = _schedule([1.0, 1.1], 10)
    assert out == [(10, 0), (11, 1)]


def test_scaled_size_keeps_aspect_and_even() -> None:
    assert scaled_size(1920, 1080, None, 720, False) == (1280, 720)
    assert scaled_size(1080, 1920, None, 720, False) == (720, 1280)
    assert scaled_size(320, 180, None, 720, False) == (320, 180)
    assert scaled_size(320, 180, None, 720, True) == (1280, 720)
    assert scaled_size(1440, 1080, Fraction(4, 3), 720, False) == (1280, 720)
    assert scaled_size(321, 181, None, 120, False) == (212, 120)
