"""Which moments the review clips show: events from the waveform, windows per clip."""

from __future__ import annotations

import numpy as np

from worker.review_clips.moments import (
    PRE_ROLL_MS,
    WINDOW_MS,
    Event,
    Window,
    clip_windows,
    loud_events,
    merge,
    session_windows,
)

POINTS_PER_S = 48_000 / 256


def _waveform(
    seconds: float, claps_s: list[float], level: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    n = round(seconds * POINTS_PER_S)
    rng = np.random.default_rng(1)
    maxs = rng.integers(0, level + 1, n)
    for i, at in enumerate(claps_s):
        k = round(at * POINTS_PER_S)
        # A clap, then its decay: loud for a few points only.
        maxs[k : k + 20] = np.maximum(maxs[k : k + 20], (100 - 10 * i) * np.exp(-np.arange(20) / 5))
    return -maxs, maxs


def test_claps_are_found_strongest_first_at_their_onset() -> None:
    mins, maxs = _waveform(120, [30.0, 75.5])
    events = loud_events(mins, maxs, POINTS_PER_S)
    assert [round(e.at_ms / 1000, 1) for e in events[:2]] == [30.0, 75.5]
    assert events[0].rise > events[1].rise > 0.5


def test_steady_sound_has_no_events() -> None:
    mins, maxs = _waveform(60, [])
    assert loud_events(mins, maxs, POINTS_PER_S) == []


def test_events_closer_than_a_window_keep_the_stronger() -> None:
    mins, maxs = _waveform(60, [20.0, 21.0])
    events = loud_events(mins, maxs, POINTS_PER_S)
    assert [round(e.at_ms / 1000) for e in events] == [20]


def test_clip_windows_cover_events_start_middle_and_end() -> None:
    events = [Event(30_000, 0.8), Event(90_000, 0.5), Event(500_000, 0.9)]  # the last is outside
    windows = clip_windows((10_000, 110_000), events)
    starts = [w.start_ms for w in windows]
    assert starts == [10_000, 30_000 - PRE_ROLL_MS, 58_000, 90_000 - PRE_ROLL_MS, 106_000]
    assert all(w.duration_ms == WINDOW_MS for w in windows)
    assert [w.reasons for w in windows] == [
        ("start",),
        ("event",),
        ("middle",),
        ("event",),
        ("end",),
    ]


def test_a_short_overlap_is_one_clip_of_its_length() -> None:
    windows = clip_windows((1_000, 3_000), [Event(2_000, 0.9)])
    assert windows == [Window(1_000, 3_000, ("event", "start", "middle", "end"))]


def test_merge_joins_touching_windows() -> None:
    merged = merge([Window(0, 4, ("a",)), Window(4, 8, ("b",)), Window(10, 12, ("c",))])
    assert merged == [Window(0, 8, ("a", "b")), Window(10, 12, ("c",))]


def test_session_windows_stay_inside_each_overlap_and_the_master_shows_them_all() -> None:
    spans = {"A": (0.0, 600_000.0), "B": (3_217.0, 603_217.0), "C": (-1_843.0, 300_000.0)}
    events = [Event(120_000, 0.9)]
    windows = session_windows(spans, "A", events)
    for clip in ("B", "C"):
        lo, hi = max(spans[clip][0], 0.0), min(spans[clip][1], 600_000.0)
        assert windows[clip], clip
        assert all(lo <= w.start_ms and w.end_ms <= hi for w in windows[clip])
        assert any("event" in w.reasons and w.start_ms < 120_000 < w.end_ms for w in windows[clip])
    every = merge(w for clip in ("B", "C") for w in windows[clip])
    assert windows["A"] == every


def test_a_clip_that_misses_the_master_gets_windows_of_its_own_span() -> None:
    spans = {"A#1": (0.0, 60_000.0), "A#2": (90_000.0, 150_000.0)}
    windows = session_windows(spans, "A#1", [])
    assert [w.reasons for w in windows["A#2"]] == [("start",), ("middle",), ("end",)]
    assert windows["A#2"][0].start_ms == 90_000.0
    assert windows["A#1"]  # the master still has clips: its own start, middle and end
