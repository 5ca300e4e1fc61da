"""From pairwise alignments to one timeline: master choice, paths, loop checks.

Every pair of cameras is aligned, so a camera that never overlaps the master is
placed through one that does. Each camera is reached by the path whose weakest
link is strongest; every other pair that overlaps is then a second, independent
route used to confirm (or contradict) the placement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from worker.sync.confidence import Classification, Evidence, classify, probability
from worker.sync.pairwise import PairAlignment

# A pair with a peak below this z offers no candidate offset at all.
MIN_EDGE_Z = 5.0
# Loop residual above which two routes to a camera disagree.
LOOP_TOLERANCE_S = 0.002
# Only routes at least this likely are allowed to contradict each other.
LOOP_MIN_PROBABILITY = 0.8
FRAME_S = 1.0 / 30.0
# A loop residual up to this cannot put either route beyond a frame of the truth
# when the other is within half a frame of it: a matter of precision, not of the
# percentage.
SUBFRAME_RESIDUAL_S = FRAME_S / 4


@dataclass(frozen=True)
class Affine:
    """Map from one camera's file time to another's: t = offset + x * (1 + slope)."""

    offset: float
    slope: float

    def then(self, inner: Affine) -> Affine:
        """Compose: ``self`` maps B→A, ``inner`` maps C→B; result maps C→A."""
        return Affine(
            self.offset + (1 + self.slope) * inner.offset, (1 + self.slope) * (1 + inner.slope) - 1
        )

    def inverse(self) -> Affine:
        return Affine(-self.offset / (1 + self.slope), 1 / (1 + self.slope) - 1)

    def __call__(self, x: float) -> float:
        return self.offset + x * (1 + self.slope)

    @property
    def drift_ppm(self) -> float:
        return (1 / (1 + self.slope) - 1) * 1e6


@dataclass(frozen=True)
class Edge:
    """A usable pairwise relation: ``dst`` time mapped onto ``src``'s clock."""

    src: str
    dst: str
    relation: Affine
    z: float
    probability: float
    polarity: int
    mid_dst_s: float  # centre of the overlap on dst's clock, for loop checks
    # False when the pair's direct-path check could not confirm the strongest peak:
    # the relation may sit on an echo, a few to tens of milliseconds off.
    precise: bool = True

    def reversed(self) -> Edge:
        inv = self.relation.inverse()
        return Edge(
            self.dst,
            self.src,
            inv,
            self.z,
            self.probability,
            self.polarity,
            self.relation(self.mid_dst_s),
            self.precise,
        )


@dataclass(frozen=True)
class Placement:
    """One camera on the master's timeline."""

    label: str
    relation: Affine | None
    z: float | None
    probability: float | None
    classification: Classification
    path: tuple[str, ...]
    polarity: int = 1
    error: str | None = None
    notes: tuple[str, ...] = field(default=())


def evidence_of(pair: PairAlignment) -> Evidence:
    # The direct-path check's groups are measurements of the lag like the fine
    # windows: those on the final line count as agreeing windows. Groups see only
    # onsets, so in sustained or noisy sound they scatter where the windows agree:
    # the fraction is the better of the windows' own and the pooled one.
    groups = len(pair.direct.group_offsets_s) if pair.direct is not None else 0
    inliers = sum(w.inlier for w in pair.windows)
    agreeing = inliers + pair.direct_agreeing
    measured = len(pair.windows) + groups
    fraction = max(pair.inlier_fraction, agreeing / measured if measured else 0.0)
    return Evidence(
        z=pair.coarse.z,
        rival_z=pair.rival_z,
        inlier_fraction=fraction,
        inliers=agreeing,
        coarse_fine_gap_frames=pair.coarse_fine_gap_s / 0.01,
        fine_z=pair.fine_z,
    )


def make_edge(src: str, dst: str, pair: PairAlignment) -> Edge | None:
    if pair.coarse.z < MIN_EDGE_Z:
        return None
    lo = max(0.0, -pair.offset_s)
    mid = lo + pair.overlap_s / 2
    return Edge(
        src,
        dst,
        Affine(pair.offset_s, pair.slope),
        pair.coarse.z,
        probability(evidence_of(pair)),
        pair.polarity,
        mid,
        not pair.direct_ambiguous,
    )


def choose_master(labels: list[str], durations: dict[str, float], edges: list[Edge]) -> str:
    """Auto master: the camera that covers most of the session and hears the others best.

    score = duration / longest duration + mean probability of its pairs.
    Ties go to the earlier label, so the choice is deterministic.
    """
    longest = max(durations[lbl] for lbl in labels)
    best, best_score = labels[0], -math.inf
    for lbl in labels:
        probs = [e.probability for e in edges if lbl in (e.src, e.dst)]
        others = max(1, len(labels) - 1)
        score = durations[lbl] / longest + sum(probs) / others
        if score > best_score + 1e-9:
            best, best_score = lbl, score
    return best


def _widest_paths(
    master: str, labels: list[str], adjacency: dict[str, list[Edge]]
) -> dict[str, list[Edge]]:
    """Per camera, the route from master maximising the weakest link (then a route of
    precise links only, then z)."""
    best: dict[str, tuple[float, bool, float]] = {master: (math.inf, True, math.inf)}
    route: dict[str, list[Edge]] = {master: []}
    done: set[str] = set()
    while True:
        todo = [lbl for lbl in labels if lbl in best and lbl not in done]
        if not todo:
            break
        cur = max(todo, key=lambda lbl: (best[lbl], -labels.index(lbl)))
        done.add(cur)
        for edge in adjacency.get(cur, []):
            cand = (
                min(best[cur][0], edge.probability),
                best[cur][1] and edge.precise,
                min(best[cur][2], edge.z),
            )
            if edge.dst not in done and (edge.dst not in best or cand > best[edge.dst]):
                best[edge.dst] = cand
                route[edge.dst] = [*route[cur], edge]
    return route


def _compose(path: list[Edge]) -> Affine:
    rel = Affine(0.0, 0.0)
    for edge in path:
        rel = rel.then(edge.relation)
    return rel


def place_cameras(
    master: str, labels: list[str], edges: list[Edge], unusable: dict[str, str]
) -> dict[str, Placement]:
    """Put every camera on the master's clock with its confidence."""
    adjacency: dict[str, list[Edge]] = {}
    for e in edges:
        adjacency.setdefault(e.src, []).append(e)
        adjacency.setdefault(e.dst, []).append(e.reversed())
    routes = _widest_paths(master, labels, adjacency)
    placements: dict[str, Placement] = {}
    for lbl in labels:
        if lbl == master:
            continue
        if lbl in unusable:
            placements[lbl] = Placement(
                lbl, None, None, None, Classification.NEEDS_MANUAL_NUDGE, (), error=unusable[lbl]
            )
            continue
        path = routes.get(lbl)
        if path is None:
            placements[lbl] = Placement(
                lbl,
                None,
                None,
                None,
                Classification.NEEDS_MANUAL_NUDGE,
                (),
                error="no reliable audio match with any other camera "
                "(unrelated audio, or no sound in common)",
            )
            continue
        z = min(e.z for e in path)
        prob = math.prod(e.probability for e in path)
        pol = math.prod(e.polarity for e in path)
        klass = classify(z, 100 * prob)
        # Said of an offset believed within a frame; unrelated audio is not "reverberant".
        notes = (
            ()
            if klass is Classification.NEEDS_MANUAL_NUDGE
            else tuple(
                f"reverberant: frame-accurate, not sample-accurate (the {e.src}-{e.dst} "
                "pair's strongest peak may be an echo)"
                for e in path
                if not e.precise
            )
        )
        placements[lbl] = Placement(
            lbl,
            _compose(path),
            z,
            prob,
            klass,
            tuple([master] + [e.dst for e in path]),
            pol,
            notes=notes,
        )
    return _check_loops(master, placements, routes, edges)


def _check_loops(
    master: str, placements: dict[str, Placement], routes: dict[str, list[Edge]], edges: list[Edge]
) -> dict[str, Placement]:
    tree = {(e.src, e.dst) for path in routes.values() for e in path}
    tree |= {(d, s) for s, d in tree}
    rel = {lbl: p.relation for lbl, p in placements.items()}
    rel[master] = Affine(0.0, 0.0)
    prob = {lbl: p.probability or 0.0 for lbl, p in placements.items()}
    notes: dict[str, list[str]] = {lbl: list(p.notes) for lbl, p in placements.items()}
    capped: set[str] = set()
    boosted: dict[str, float] = {}
    for e in edges:
        if (e.src, e.dst) in tree:
            continue
        rs, rd = rel.get(e.src), rel.get(e.dst)
        if rs is None or rd is None:
            continue
        # Where the edge puts dst's overlap centre, versus where the tree puts it.
        via_edge = rs(e.relation(e.mid_dst_s))
        via_tree = rd(e.mid_dst_s)
        residual = via_edge - via_tree
        involved = [lbl for lbl in (e.src, e.dst) if lbl != master]
        # A loop through a link that may sit on an echo only closes to within a frame.
        rough = not all(x.precise for x in [e, *routes.get(e.src, []), *routes.get(e.dst, [])])
        if abs(residual) <= LOOP_TOLERANCE_S:
            for lbl in involved:
                # An independent route agrees: both being wrong the same way is unlikely.
                boosted[lbl] = max(boosted.get(lbl, 0.0), e.probability)
                notes[lbl].append(
                    f"confirmed by the {e.src}-{e.dst} pair "
                    f"(loop residual {residual * 1000:.2f} ms)"
                )
        elif abs(residual) <= SUBFRAME_RESIDUAL_S:
            # Both routes are within a frame of each other: the percentage (within one
            # frame) stands for either, only the precision is in question. Capping it
            # here sent clean, exact cameras to review when a reverberant third camera
            # had a pair on an echo.
            for lbl in involved:
                notes[lbl].append(
                    f"the {e.src}-{e.dst} pair disagrees by {residual * 1000:.1f} ms: "
                    "frame-accurate, not sample-accurate"
                )
        elif e.probability >= LOOP_MIN_PROBABILITY and not (rough and abs(residual) <= FRAME_S):
            for lbl in involved:
                capped.add(lbl)
                notes[lbl].append(
                    f"the {e.src}-{e.dst} pair disagrees by "
                    f"{residual * 1000:.1f} ms: check this camera"
                )
    out: dict[str, Placement] = {}
    for lbl, p in placements.items():
        if p.relation is None or p.probability is None or p.z is None:
            out[lbl] = p
            continue
        q = prob[lbl]
        if lbl in boosted and lbl not in capped:
            q = 1 - (1 - q) * (1 - 0.5 * boosted[lbl])
        if lbl in capped:
            q = min(q, 0.5)
        out[lbl] = Placement(
            lbl,
            p.relation,
            p.z,
            q,
            classify(p.z, 100 * q),
            p.path,
            p.polarity,
            None,
            tuple(notes[lbl]),
        )
    return out
