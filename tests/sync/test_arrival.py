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


ZERO = Affine(0.0, 0.0)


def clean(*pairs_: tuple[str, str]) -> list[ArrivalCurve]:
    return [pair(a, b, 0.0, {0.0: 1.0}) for a, b in pairs_]


def test_the_masters_reflection_moves_every_other_clip_back() -> None:
    """A's reflection 4 ms after its direct sound is its strongest: all three of A's
    pairs locked on it (B, C, D placed 4 ms late); the others are clean. Only a move
    of A lines its direct sound up in all of its pairs; the clean pairs forbid
    moving B, C or D."""
    late = Affine(0.004, 0.0)
    places = {"A": ZERO, "B": late, "C": late, "D": late}
    curves = [
        pair("A", "B", 0.004, {0.0: 1.0, -4.0: 0.7}),
        pair("A", "C", 0.004, {0.0: 1.0, -4.0: 0.6}),
        pair("A", "D", 0.004, {0.0: 1.0, -4.0: 0.5}),
        *clean(("B", "C"), ("B", "D"), ("C", "D")),
    ]
    found = earliest_arrivals(places, curves)
    assert found.moves == {"A": pytest.approx(0.004, abs=2e-5)}
    assert found.doubts == {}
    shifts = relative_to("A", found.moves, ["B", "C", "D"])
    assert shifts == {k: pytest.approx(-0.004, abs=2e-5) for k in "BCD"}


def test_a_clip_locked_on_its_own_reflection_moves_later() -> None:
    """D's reflection 3 ms after its direct sound won in all of D's pairs (D placed
    3 ms early): D moves 3 ms later, where every pair holds its direct sound."""
    places = {"A": ZERO, "B": ZERO, "C": ZERO, "D": Affine(-0.003, 0.0)}
    curves = [
        *clean(("A", "B"), ("A", "C"), ("B", "C")),
        pair("A", "D", -0.003, {0.0: 1.0, 3.0: 0.5}),
        pair("B", "D", -0.003, {0.0: 1.0, 3.0: 0.55}),
        pair("C", "D", -0.003, {0.0: 1.0, 3.0: 0.8}),
    ]
    assert earliest_arrivals(places, curves).moves == {"D": pytest.approx(0.003, abs=2e-5)}


def test_a_peak_only_some_pairs_show_moves_nothing() -> None:
    """An earlier peak in A-D and B-D (a rival, a chance alignment) is not D's
    direct sound: C-D has nothing there."""
    places = dict.fromkeys("ABCD", ZERO)
    curves = [
        *clean(("A", "B"), ("A", "C"), ("B", "C"), ("C", "D")),
        pair("A", "D", 0.0, {0.0: 1.0, 5.0: 0.8}),
        pair("B", "D", 0.0, {0.0: 1.0, 5.0: 0.7}),
    ]
    assert earliest_arrivals(places, curves).moves == {}


def test_a_faint_peak_is_not_an_arrival() -> None:
    places = dict.fromkeys("ABCD", ZERO)
    curves = [
        *clean(("A", "B"), ("A", "C"), ("B", "C")),
        *(pair(x, "D", 0.0, {0.0: 1.0, 4.0: 0.3}) for x in "ABC"),
    ]
    assert earliest_arrivals(places, curves).moves == {}


def test_two_pairs_do_not_move_a_clip_but_leave_a_doubt() -> None:
    """Three clips: C's two pairs agree on an arrival 3 ms later, but B's and A's
    reflections at one delay would look the same; C stays, with the doubt."""
    places = {"A": ZERO, "B": ZERO, "C": Affine(-0.003, 0.0)}
    curves = [
        *clean(("A", "B")),
        pair("A", "C", -0.003, {0.0: 1.0, 3.0: 0.5}),
        pair("B", "C", -0.003, {0.0: 1.0, 3.0: 0.55}),
    ]
    found = earliest_arrivals(places, curves)
    assert found.moves == {}
    assert found.doubts == {"C": pytest.approx(0.003, abs=2e-5)}


def test_two_clips_alone_keep_the_strongest_peak() -> None:
    """One pair cannot say whose reflection its second peak is."""
    places = {"A": ZERO, "B": Affine(0.004, 0.0)}
    curves = [pair("A", "B", 0.004, {0.0: 1.0, -4.0: 0.9})]
    assert earliest_arrivals(places, curves) == earliest_arrivals({}, [])


def test_shifts_are_read_where_the_placement_puts_the_pair() -> None:
    """The placement may hold a pair off its own line (placed through another route):
    the curve is read at that shift, here 2 ms off the A-B line."""
    c = pair("A", "B", 0.010, {2.0: 1.0})
    places = {"A": Affine(0.0, 0.0), "B": Affine(0.012, 0.0)}
    assert c.shift_of(places, {}) == pytest.approx(0.002)
    assert c.height_at(c.shift_of(places, {})) == pytest.approx(1.0, abs=0.01)
    assert c.shift_of(places, {"B": 0.001}) == pytest.approx(0.003)
    assert c.shift_of(places, {"A": 0.001}) == pytest.approx(0.001)
