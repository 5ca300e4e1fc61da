"""Earliest consistent arrival: the direct sound of every clip, decided over all its pairs.

In a room louder than its source, a pair's strongest correlation peak can pair the
direct sound of one microphone with a reflection at the other. One pair alone cannot
tell whose reflection it is: the correlation of a wet camera with a dry one looks the
same as that of the dry one with the mirror image of the wet one. Every pair of one
clip, though, shows *that clip's* reflections at the same shift, and each reflection
comes after the direct sound. So, on the placement the pairs made:

* a clip's candidate shifts are where any of its pairs' onset-weighted correlations
  (``direct.DirectPath.curve``) has a clear peak;
* a shift is consistent when *every* pair of the clip has a clear peak there, with
  the other clips where they are;
* the clip moves to the consistent shift that makes its sound arrive earliest in its
  own file (the largest shift of its place on the timeline).

A clip moves only on three pairs or more. With one pair nothing tells its
reflections from its partner's; with two, the partners' own reflections coinciding
at one delay is too likely (on 60 random three-camera sessions, both moves such a
rule made were for the worse): such a clip stays, with a note that another arrival
fits its pairs as well, so its offset is frame- not sample-accurate.
Pure: arrays in, shifts out; the engine applies them (``engine.sync_clip_tracks``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from worker.sync.confidence import Classification
from worker.sync.pairwise import PairAlignment
from worker.sync.solve import Affine, Placement, make_edge
from worker.sync.xcorr import parabolic_peak

# A peak is clear at this share of its curve's highest point: low enough to find a
# direct sound 6-8 dB under a reflection, high enough that chance alignments of
# onsets (about a third of the top in the simulated rooms) are not.
CLEAR_PEAK = 0.45
# Lag tolerance when reading a curve at a shift (samples either side).
_READ_SAMPLES = 1
# Shifts closer than this are the same arrival.
_SAME_S = 0.0002
_PASSES = 3
# Pairs a clip needs to move (see the module doc).
MIN_PAIRS = 3


@dataclass(frozen=True)
class Arrivals:
    """What the pairs say: clips to move (s; + is later on the timeline) and clips
    left where they are although another arrival fits their pairs (the move it
    would take)."""

    moves: dict[str, float]
    doubts: dict[str, float]


@dataclass(frozen=True)
class ArrivalCurve:
    """One pair's onset-weighted correlation around its line.

    :param a: the reference clip (the line maps b's time to a's).
    :param b: the other clip.
    :param line: b's time to a's, as the pair's fine fit found it.
    :param mid_b_s: the overlap's centre on b's clock (where shifts are read).
    :param curve: |correlation| / its maximum; index ``reach`` is the line, index
        ``reach + k`` the line plus ``k / rate`` seconds (b later on a's clock).
    :param rate: samples per second of the curve's lags.
    """

    a: str
    b: str
    line: Affine
    mid_b_s: float
    curve: npt.NDArray[np.float64]
    rate: int

    @property
    def reach(self) -> int:
        return (len(self.curve) - 1) // 2

    def shift_of(self, places: Mapping[str, Affine], moves: Mapping[str, float]) -> float:
        """Where the placement (each clip moved by ``moves``) puts b on a's clock,
        minus the line, at the overlap's centre (s)."""
        pa, pb = places[self.a], places[self.b]
        at_master = pb(self.mid_b_s) + moves.get(self.b, 0.0) - moves.get(self.a, 0.0)
        return pa.inverse()(at_master) - self.line(self.mid_b_s)

    def height_at(self, shift_s: float) -> float:
        k = self.reach + shift_s * self.rate
        i = round(k)
        if i - _READ_SAMPLES < 0 or i + _READ_SAMPLES >= len(self.curve):
            return 0.0
        return float(self.curve[i - _READ_SAMPLES : i + _READ_SAMPLES + 1].max())

    def clear_peaks_s(self, threshold: float) -> list[float]:
        """Shifts (s, relative to the line) of the curve's local maxima >= threshold,
        each to a fraction of a sample (parabola through it and its neighbours)."""
        c = self.curve
        inner = (c[1:-1] >= c[:-2]) & (c[1:-1] >= c[2:]) & (c[1:-1] >= threshold)
        return [
            (parabolic_peak(c, int(i) + 1) - self.reach) / self.rate for i in np.flatnonzero(inner)
        ]


def earliest_arrivals(
    places: Mapping[str, Affine],
    curves: Sequence[ArrivalCurve],
    *,
    threshold: float = CLEAR_PEAK,
    min_pairs: int = MIN_PAIRS,
) -> Arrivals:
    """How far each clip's own pairs say to move it on the timeline (s; + is later).
    Only clips that move are in ``moves``; the master may be one of them (then
    every other clip moves the other way relative to it: ``relative_to``).

    :param places: each clip's time to the master's (the master's own: identity).
    :param curves: the pairs' curves, between clips in ``places``.
    :param threshold: a clear peak's share of its curve's maximum.
    :param min_pairs: pairs a clip needs to move; with fewer (but two), a doubt.
    """
    by_clip: dict[str, list[ArrivalCurve]] = {}
    for c in curves:
        by_clip.setdefault(c.a, []).append(c)
        by_clip.setdefault(c.b, []).append(c)
    moves: dict[str, float] = {}
    for _ in range(_PASSES):
        changed = False
        for clip in sorted(by_clip):
            mine = by_clip[clip]
            if len(mine) < min_pairs:
                continue
            best = _earliest(clip, mine, places, moves, threshold)
            if best is not None and abs(best - moves.get(clip, 0.0)) > _SAME_S:
                moves[clip] = best
                changed = True
        if not changed:
            break
    doubts = {}
    for clip, mine in by_clip.items():
        if 2 <= len(mine) < min_pairs:
            best = _earliest(clip, mine, places, moves, threshold)
            if best is not None and abs(best) > _SAME_S:
                doubts[clip] = best
    return Arrivals({clip: m for clip, m in moves.items() if abs(m) > _SAME_S}, doubts)


def relative_to(master: str, moves: Mapping[str, float], clips: Sequence[str]) -> dict[str, float]:
    """Each clip's move with the master kept at zero (clips that do not move: absent)."""
    zero = moves.get(master, 0.0)
    out = {clip: moves.get(clip, 0.0) - zero for clip in clips if clip != master}
    return {clip: m for clip, m in out.items() if abs(m) > _SAME_S}


def _earliest(
    clip: str,
    mine: list[ArrivalCurve],
    places: Mapping[str, Affine],
    moves: dict[str, float],
    threshold: float,
) -> float | None:
    """The largest move of ``clip`` at which every one of its curves has a clear peak."""
    now = moves.get(clip, 0.0)
    candidates = set()
    for c in mine:
        here = c.shift_of(places, moves)
        for peak in c.clear_peaks_s(threshold):
            # Moving b later by m moves the shift by +m; moving a later, by -m.
            step = peak - here
            candidates.add(now + (step if c.b == clip else -step))
    consistent = []
    for m in candidates:
        trial = {**moves, clip: m}
        if all(c.height_at(c.shift_of(places, trial)) >= threshold for c in mine):
            consistent.append(m)
    return max(consistent) if consistent else None


def refine_placements(
    master: str,
    placed: Mapping[str, Placement],
    pairs: Mapping[tuple[str, str], PairAlignment | None],
    rates: Mapping[str, int],
) -> dict[str, Placement]:
    """``placed`` with every clip on its earliest consistent arrival, and a note on
    each clip that moved saying why.

    :param master: the master's reference clip (the timeline's zero).
    :param placed: every other clip's placement.
    :param pairs: the pairs aligned (their direct-path curves are the evidence).
    :param rates: each clip's analysis rate (the curves' lag unit).
    """
    places = {master: Affine(0.0, 0.0)}
    for cid, p in placed.items():
        if p.relation is not None and p.classification is not Classification.NEEDS_MANUAL_NUDGE:
            places[cid] = p.relation
    curves = []
    for (a, b), pair in pairs.items():
        if pair is None or pair.direct is None or not pair.direct.curve:
            continue
        if a not in places or b not in places or make_edge(a, b, pair) is None:
            continue
        mid = max(0.0, -pair.offset_s) + pair.overlap_s / 2
        curve = ArrivalCurve(
            a, b, Affine(*pair.direct.line), mid, np.asarray(pair.direct.curve), rates[b]
        )
        # A pair that does not hold the placement within its reach measures elsewhere.
        if abs(curve.shift_of(places, {})) * curve.rate <= curve.reach - 2 * _READ_SAMPLES:
            curves.append(curve)
    found = earliest_arrivals(places, curves)
    moves = found.moves
    zero = moves.get(master, 0.0)
    shifts = relative_to(master, moves, [cid for cid, p in placed.items() if p.relation])
    out = dict(placed)
    for cid, doubt in found.doubts.items():
        whose = "its" if cid != master else "the master's"
        note = (
            f"reverberant: another arrival {doubt * 1000:+.2f} ms from here fits both of "
            f"{whose} pairs (too few pairs to tell the direct sound): frame-accurate, "
            "not sample-accurate"
        )
        for other in [cid] if cid != master else list(places):
            if other in out and other not in shifts:
                out[other] = replace(out[other], notes=(*out[other].notes, note))
    for cid, shift in shifts.items():
        p = out[cid]
        assert p.relation is not None
        notes = []
        if cid in moves:
            notes.append(
                f"direct sound: moved {moves[cid] * 1000:+.2f} ms to the earliest arrival "
                "all pairs of this clip share (their strongest peaks were reflections)"
            )
        if zero:
            notes.append(
                f"direct sound: moved {-zero * 1000:+.2f} ms with the master's earliest "
                "arrival (the master's strongest peak was a reflection)"
            )
        relation = Affine(p.relation.offset + shift, p.relation.slope)
        out[cid] = replace(p, relation=relation, notes=(*p.notes, *notes))
    return out
