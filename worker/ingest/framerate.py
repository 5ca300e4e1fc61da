"""Frame-rate facts from frame timestamps: nominal rate, VFR test, and a CFR grid.

Pure functions over arrays of timestamps in seconds, so they are cheap to test and
work the same whether the times came from an MP4 sample table or sampled packets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

# The rates cameras and phones record at; a measured rate this close snaps to one.
STANDARD_RATES: tuple[Fraction, ...] = (
    Fraction(24000, 1001),
    Fraction(24),
    Fraction(25),
    Fraction(30000, 1001),
    Fraction(30),
    Fraction(48),
    Fraction(50),
    Fraction(60000, 1001),
    Fraction(60),
    Fraction(100),
    Fraction(120000, 1001),
    Fraction(120),
    Fraction(240),
)
_SNAP_TOLERANCE = 0.005
# An interval this far (relative) from the nominal one is irregular. 10% is far above
# timestamp rounding (ms-rounded Matroska at 60 fps is 6% at worst) and far below a
# dropped or repeated frame (100%).
IRREGULAR_INTERVAL = 0.10
# More than this fraction of irregular intervals makes the stream VFR: one dropped
# frame in a long CFR clip does not, a phone lowering its rate in the dark does.
VFR_IRREGULAR_FRACTION = 0.005


@dataclass(frozen=True)
class FrameTiming:
    """What the timestamps say about the frame rate."""

    rate: Fraction
    vfr: bool
    intervals: int
    irregular: int
    min_interval_s: float
    max_interval_s: float

    @property
    def fps(self) -> float:
        return float(self.rate)


def snap_rate(fps: float) -> Fraction:
    """The nearest standard rate within 0.5% of ``fps``, else ``fps`` as a small fraction."""
    nearest = min(STANDARD_RATES, key=lambda std: abs(fps - float(std)))
    if abs(fps - float(nearest)) <= _SNAP_TOLERANCE * float(nearest):
        return nearest
    return Fraction(round(fps, 3)).limit_denominator(1001)


def analyze_frame_times(windows: Sequence[npt.ArrayLike], fallback: Fraction) -> FrameTiming:
    """Nominal rate and VFR flag from one or more runs of consecutive frame times.

    :param windows: arrays of timestamps (s), each a run of consecutive frames in any
        order (B-frames arrive out of presentation order); intervals are only taken
        inside a window, never across two.
    :param fallback: rate to report when there are too few frames to measure one.
    """
    runs = []
    for window in windows:
        times = np.unique(np.asarray(window, dtype=np.float64))
        if len(times) > 1:
            runs.append(np.diff(times))
    intervals = np.concatenate(runs) if runs else np.empty(0)
    intervals = intervals[intervals > 0]
    if len(intervals) == 0:
        return FrameTiming(fallback, False, 0, 0, 0.0, 0.0)
    # The median is near the camera's target interval even when many frames are late;
    # the mean of the intervals close to it undoes timestamp rounding (33/34 ms).
    median = float(np.median(intervals))
    near = intervals[np.abs(intervals - median) <= 0.15 * median]
    rate = snap_rate(1.0 / float(near.mean()))
    nominal = 1.0 / float(rate)
    irregular = int(np.count_nonzero(np.abs(intervals - nominal) > IRREGULAR_INTERVAL * nominal))
    vfr = irregular > VFR_IRREGULAR_FRACTION * len(intervals)
    return FrameTiming(
        rate, vfr, len(intervals), irregular, float(intervals.min()), float(intervals.max())
    )


T = TypeVar("T")


class CfrScheduler(Generic[T]):
    """Puts frames with arbitrary timestamps on a constant-rate grid.

    Output slot ``n`` is at ``n / rate`` seconds and shows the input frame whose
    timestamp is nearest to it, so frames are repeated across gaps and dropped when
    they come faster than the rate (what FFmpeg's ``fps`` filter does).
    """

    def __init__(self, rate: Fraction) -> None:
        self._period = 1.0 / float(rate)
        self._pending: tuple[T, float] | None = None
        self._next_slot: int | None = None

    def push(self, item: T, t: float) -> list[tuple[int, T]]:
        """Add the next frame (time ``t`` in s); return the slots now decided."""
        if self._pending is None:
            self._pending = (item, t)
            self._next_slot = round(t / self._period)
            return []
        prev, prev_t = self._pending
        t = max(t, prev_t)  # a timestamp going back is jitter, not a new position
        out = self._emit(prev, (prev_t + t) / 2)
        self._pending = (item, t)
        return out

    def finish(self) -> list[tuple[int, T]]:
        """Slots for the last frame, which lasts one period."""
        if self._pending is None:
            return []
        item, t = self._pending
        self._pending = None
        return self._emit(item, t + self._period / 2)

    def _emit(self, item: T, boundary: float) -> list[tuple[int, T]]:
        assert self._next_slot is not None
        out = []
        while self._next_slot * self._period < boundary:
            out.append((self._next_slot, item))
            self._next_slot += 1
        return out
