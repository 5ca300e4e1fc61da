"""Clips on one session timeline: several clips per camera, takes sharing its clock.

The pairwise graph's nodes are clips. ``solve.place_cameras`` reaches each clip by
the widest path from the master's reference clip and checks every loop; knowing
which clips are takes of one camera then adds evidence the pairs alone lack:

* a camera has one clock, so its takes share one drift (a short take's own
  slope is poorly measured, or forced to 0 when insignificant);
* a camera records one take at a time: two of its takes that overlap on the
  timeline contradict each other, like a loop that does not close;
* a take that starts where the previous one ends, within a frame, is the next
  file of a split recording: it is put exactly end to end, and the two
  independent placements agreeing confirms both;
* a clip the evidence reaches only weakly is not placed: reported, not guessed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise

from worker.sync.confidence import Classification, classify
from worker.sync.solve import FRAME_S, LOOP_MIN_PROBABILITY, Affine, Edge, Placement, place_cameras

# Below this probability of being within a frame a placement is a guess (the
# calibration's 0-20 % bin is right 5 % of the time): the clip is left unplaced.
PLACE_MIN_PROBABILITY = 0.2
# A take starting within this of the previous take's end is its continuation.
CONTIGUOUS_TOLERANCE_S = FRAME_S
# A camera cannot overlap itself by more than this (rounding, resampling).
SELF_OVERLAP_TOLERANCE_S = FRAME_S
# Probability cap of takes that overlap each other (as for a loop that disagrees).
CONTRADICTED_CAP = 0.5

NO_MATCH = "no reliable audio match with any other camera (unrelated audio, or no sound in common)"


@dataclass(frozen=True)
class Clip:
    """One clip as the solver sees it: its id, its camera's label, its length."""

    id: str
    label: str
    duration_s: float  # 0 for a clip without usable audio


def place_clips(
    master_clip: str,
    clips: Sequence[Clip],
    edges: list[Edge],
    unusable: dict[str, str],
) -> dict[str, Placement]:
    """Every clip but ``master_clip`` on the master clip's clock (pure).

    :param master_clip: the id of the clip whose first sample is the timeline's zero.
    :param clips: every clip, in input order (unusable ones included).
    :param edges: usable pairwise relations between clips of different cameras.
    :param unusable: clip id -> reason, for clips without usable audio.
    """
    ids = [c.id for c in clips]
    placed = place_cameras(master_clip, ids, edges, unusable)
    placed = _explain_unreached(master_clip, placed, edges)
    master_label = next(c.label for c in clips if c.id == master_clip)
    placed = _shared_drift(master_clip, master_label, clips, placed, edges)
    placed = _one_take_at_a_time(master_clip, clips, placed)
    return {cid: _placed_or_guess(p) for cid, p in placed.items()}


def _component(start: str, edges: list[Edge]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        cur = todo.pop()
        for e in edges:
            for a, b in ((e.src, e.dst), (e.dst, e.src)):
                if a == cur and b not in seen:
                    seen.add(b)
                    todo.append(b)
    return seen


def _explain_unreached(
    master_clip: str, placed: dict[str, Placement], edges: list[Edge]
) -> dict[str, Placement]:
    """Say why an unreached clip with matches is unplaced: its group never meets the master."""
    out = dict(placed)
    for cid, p in placed.items():
        if p.relation is not None or p.error != NO_MATCH:
            continue
        group = sorted(_component(cid, edges) - {cid})
        if group and master_clip not in group:
            out[cid] = replace(
                p,
                error=f"matches only {', '.join(group)}, which nothing connects to the "
                f"master's clip {master_clip}: not placed",
            )
    return out


def _clip_mid(cid: str, path: tuple[str, ...], edges: list[Edge], duration_s: float) -> float:
    """The centre of the overlap that placed ``cid`` (its own clock): the drift pivot."""
    if len(path) >= 2:
        prev = path[-2]
        for e in edges:
            if (e.src, e.dst) == (prev, cid):
                return e.mid_dst_s
            if (e.src, e.dst) == (cid, prev):
                return e.reversed().mid_dst_s
    return duration_s / 2


def _shared_drift(
    master_clip: str,
    master_label: str,
    clips: Sequence[Clip],
    placed: dict[str, Placement],
    edges: list[Edge],
) -> dict[str, Placement]:
    """Give every take of a camera its camera's drift.

    The camera's slope is the mean of its takes' slopes weighted by duration squared
    (a slope's error falls with the span measured); the master's camera has the
    master clip's clock, slope 0. Each take is re-pivoted about the centre of the
    overlap that placed it, where its offset was measured.
    """
    out = dict(placed)
    by_label: dict[str, list[Clip]] = {}
    for c in clips:
        by_label.setdefault(c.label, []).append(c)
    for label, takes in by_label.items():
        rated = [
            (c, placed[c.id])
            for c in takes
            if c.id != master_clip
            and c.id in placed
            and placed[c.id].relation is not None
            and placed[c.id].classification is not Classification.NEEDS_MANUAL_NUDGE
        ]
        if label == master_label:
            slope = 0.0
        elif len(takes) < 2 or not rated:
            continue
        else:
            weights = [c.duration_s**2 for c, _ in rated]
            slopes = [p.relation.slope for _, p in rated if p.relation is not None]
            slope = sum(w * s for w, s in zip(weights, slopes, strict=True)) / sum(weights)
        for c in takes:
            p = placed.get(c.id)
            if p is None or p.relation is None:
                continue
            mid = _clip_mid(c.id, p.path, edges, c.duration_s)
            rel = Affine(p.relation(mid) - mid * (1 + slope), slope)
            out[c.id] = replace(p, relation=rel)
    return out


def _end(rel: Affine, clip: Clip) -> float:
    return rel(clip.duration_s)


@dataclass
class _Findings:
    """What comparing each camera's takes found, per clip id."""

    confirmed: dict[str, float] = field(default_factory=dict)  # by a neighbour this likely
    capped: set[str] = field(default_factory=set)
    notes: dict[str, list[str]] = field(default_factory=dict)

    def note(self, cid: str, text: str) -> None:
        self.notes.setdefault(cid, []).append(text)


def _camera_runs(
    takes: list[Clip], rel: dict[str, Affine], prob: dict[str, float], found: _Findings
) -> list[list[Clip]]:
    """One camera's takes in timeline order, grouped into runs of split files; takes
    that overlap are recorded in ``found``."""
    takes = sorted(takes, key=lambda c: rel[c.id](0.0))
    runs: list[list[Clip]] = [[takes[0]]]
    for prev, cur in pairwise(takes):
        gap = rel[cur.id](0.0) - _end(rel[prev.id], prev)
        if abs(gap) <= CONTIGUOUS_TOLERANCE_S:
            runs[-1].append(cur)
            for cid, other in ((cur.id, prev.id), (prev.id, cur.id)):
                found.confirmed[cid] = max(found.confirmed.get(cid, 0.0), prob[other])
            found.note(
                cur.id,
                f"continues {prev.id} without a gap (a split recording; measured gap "
                f"{gap * 1000:+.2f} ms): placed end to end",
            )
            continue
        runs.append([cur])
        if gap < -SELF_OVERLAP_TOLERANCE_S:
            # One camera cannot record two takes at once: one placement is wrong.
            for cid, other in ((cur.id, prev.id), (prev.id, cur.id)):
                if prob[other] >= LOOP_MIN_PROBABILITY:
                    found.capped.add(cid)
                found.note(
                    cid,
                    f"overlaps {other}, a take of the same camera, by {-gap:.3f} s: "
                    "one of them is misplaced, check both",
                )
    return runs


def _one_take_at_a_time(
    master_clip: str, clips: Sequence[Clip], placed: dict[str, Placement]
) -> dict[str, Placement]:
    """Consecutive takes of each camera: put split files end to end, flag overlaps."""
    rel = {cid: p.relation for cid, p in placed.items() if p.relation is not None}
    rel[master_clip] = Affine(0.0, 0.0)
    prob = {cid: p.probability or 0.0 for cid, p in placed.items()}
    prob[master_clip] = 1.0
    found = _Findings()
    by_label: dict[str, list[Clip]] = {}
    for c in clips:
        if c.id in rel:
            by_label.setdefault(c.label, []).append(c)
    for takes in by_label.values():
        for run in _camera_runs(takes, rel, prob, found):
            if len(run) > 1:
                anchor = next((c for c in run if c.id == master_clip), None)
                _end_to_end(run, anchor or max(run, key=lambda c: prob[c.id]), rel)
    out: dict[str, Placement] = {}
    for cid, p in placed.items():
        if p.relation is None or p.z is None:
            out[cid] = p
            continue
        q = prob[cid]
        if cid in found.confirmed and cid not in found.capped:
            q = max(q, 1 - (1 - q) * (1 - 0.5 * found.confirmed[cid]))
        if cid in found.capped:
            q = min(q, CONTRADICTED_CAP)
        out[cid] = replace(
            p,
            relation=rel[cid],
            probability=q,
            classification=classify(p.z, 100 * q),
            notes=(*p.notes, *found.notes.get(cid, [])),
        )
    return out


def _end_to_end(run: list[Clip], anchor: Clip, rel: dict[str, Affine]) -> None:
    """Re-place a run of split files from ``anchor``: each starts where the last ends."""
    i = run.index(anchor)
    base = rel[anchor.id]
    start = 0.0  # on the anchor's clock: the run shares it
    for c in run[i + 1 :]:
        start += run[run.index(c) - 1].duration_s
        rel[c.id] = base.then(Affine(start, 0.0))
    start = 0.0
    for k in range(i - 1, -1, -1):
        start -= run[k].duration_s
        rel[run[k].id] = base.then(Affine(start, 0.0))


def _placed_or_guess(p: Placement) -> Placement:
    """Leave unplaced what only weak evidence places (z, probability kept in the reason)."""
    if p.relation is None or p.probability is None or p.probability >= PLACE_MIN_PROBABILITY:
        return p
    return Placement(
        p.label,
        None,
        None,
        None,
        Classification.NEEDS_MANUAL_NUDGE,
        (),
        error=f"only a weak match places it (z {p.z or 0.0:.1f}, "
        f"{100 * p.probability:.0f} % likely within a frame), so it is not placed: "
        "no sound in common with the others, unrelated audio, or sound too repetitive to tell",
        notes=p.notes,
    )
