"""The earliest consistent arrival (worker/sync/arrival.py) on curves drawn by hand.

Three clips heard in a room: the pairs' curves are what the onset-weighted
correlation shows, a clear peak wherever a direct sound or a reflection of one clip
lines up with the other's direct sound.
"""

from __future__ import annotations

import numpy as np
import pytest

from worker.sync.arrival import (
    ArrivalCurve,
    earliest_arrivals,
    relative_to,
)
from worker.sync.solve import Affine

RATE = 8000
REACH = 240  # 30 ms at 8 kHz, as the direct-path check searches
MID = 20.0


def curve(peaks_ms: dict[float, float]) -> np.ndarray:
    """|correlation| / max around a line: a narrow bump per (shift ms: height)."""
    lags = np.arange(2 * REACH + 1) - REACH
    out = np.full(len(lags), 0.05)
    for at_ms, height in peaks_ms.items():
        out = np.maximum(out, height * np.exp(-0.5 * ((lags - at_ms * RATE / 1000) / 1.2) ** 2))
    return out / out.max()


def pair(a: str, b: str, line_s: float, peaks_ms: dict[float, float]) -> ArrivalCurve:
    return ArrivalCurve(a, b, Affine(line_s, 0.0), MID, curve(peaks_ms), RATE)


def test_the_masters_reflection_moves_every_other_clip_back() -> None:
    """A's reflection 4 ms after its direct sound is its strongest: both of A's pairs
    locked on it (B and C placed 4 ms late); B-C is clean. Only a move of A lines
    its direct sound up in both of its pairs, and B-C forbids moving B or C."""
    places = {"A": Affine(0.0, 0.0), "B": Affine(0.004, 0.0), "C": Affine(0.004, 0.0)}
    curves = [
        pair("A", "B", 0.004, {0.0: 1.0, -4.0: 0.7}),
        pair("A", "C", 0.004, {0.0: 1.0, -4.0: 0.6}),
        pair("B", "C", 0.0, {0.0: 1.0}),
    ]
    moves = earliest_arrivals(places, curves)
    assert moves == {"A": pytest.approx(0.004, abs=2e-5)}
    shifts = relative_to("A", moves, ["B", "C"])
    assert shifts == {"B": pytest.approx(-0.004, abs=2e-5), "C": pytest.approx(-0.004, abs=2e-5)}


def test_a_clip_locked_on_its_own_reflection_moves_later() -> None:
    """C's reflection 3 ms after its direct sound won in both of C's pairs (C placed
    3 ms early): C moves 3 ms later, where both pairs hold its direct sound."""
    places = {"A": Affine(0.0, 0.0), "B": Affine(0.0, 0.0), "C": Affine(-0.003, 0.0)}
    curves = [
        pair("A", "B", 0.0, {0.0: 1.0}),
        pair("A", "C", -0.003, {0.0: 1.0, 3.0: 0.5}),
        pair("B", "C", -0.003, {0.0: 1.0, 3.0: 0.55}),
    ]
    assert earliest_arrivals(places, curves) == {"C": pytest.approx(0.003, abs=2e-5)}


def test_a_peak_only_one_pair_shows_moves_nothing() -> None:
    """An earlier peak in A-C alone (a rival, a chance alignment) is not C's direct
    sound: B-C has nothing there."""
    places = {"A": Affine(0.0, 0.0), "B": Affine(0.0, 0.0), "C": Affine(0.0, 0.0)}
    curves = [
        pair("A", "B", 0.0, {0.0: 1.0}),
        pair("A", "C", 0.0, {0.0: 1.0, 5.0: 0.8}),
        pair("B", "C", 0.0, {0.0: 1.0}),
    ]
    assert earliest_arrivals(places, curves) == {}


def test_a_faint_peak_is_not_an_arrival() -> None:
    places = {"A": Affine(0.0, 0.0), "B": Affine(0.0, 0.0), "C": Affine(0.0, 0.0)}
    curves = [
        pair("A", "B", 0.0, {0.0: 1.0}),
        pair("A", "C", 0.0, {0.0: 1.0, 4.0: 0.3}),
        pair("B", "C", 0.0, {0.0: 1.0, 4.0: 0.3}),
    ]
    assert earliest_arrivals(places, curves) == {}


def test_two_clips_alone_keep_the_strongest_peak() -> None:
    """One pair cannot say whose reflection its second peak is."""
    places = {"A": Affine(0.0, 0.0), "B": Affine(0.004, 0.0)}
    curves = [pair("A", "B", 0.004, {0.0: 1.0, -4.0: 0.9})]
    assert earliest_arrivals(places, curves) == {}


def test_shifts_are_read_where_the_placement_puts_the_pair() -> None:
    """The placement may hold a pair off its own line (placed through another route):
    the curve is read at that shift, here 2 ms off the A-B line."""
    c = pair("A", "B", 0.010, {2.0: 1.0})
    places = {"A": Affine(0.0, 0.0), "B": Affine(0.012, 0.0)}
    assert c.shift_of(places, {}) == pytest.approx(0.002)
    assert c.height_at(c.shift_of(places, {})) == pytest.approx(1.0, abs=0.01)
    assert c.shift_of(places, {"B": 0.001}) == pytest.approx(0.003)
    assert c.shift_of(places, {"A": 0.001}) == pytest.approx(0.001)
