"""A room family against the engine: one row per non-master camera.

    python -m benchmarks.hard_rooms                  # hard_room (#14), as in docs/sync.md
    python -m benchmarks.hard_rooms --family simulated_room   # pyroomacoustics (#23)
    python -m benchmarks.hard_rooms --artifacts DIR  # also the engine's debug JSON per case

Builds (or reuses, cached by spec hash) the family's cases of worker/examples and
syncs each with master A. Errors are against the direct-path truth (for simulated
rooms the clock offset minus the microphones' distance difference over the speed of
sound; elsewhere the two are the same), and the clock error is shown beside it.

Besides the product's answer, each row says where the fine windows of the A-camera
pair landed against the truth: how many are within 0.25 ms of the direct-to-direct
lag, and the median error of the windows the line fit kept. A wrong offset whose
inliers agree with each other is a consistent wrong peak (a reflection's lag);
scattered inliers are a smeared cluster. The last column is how far the direct-path
check (worker/sync/direct.py) moved that pair's line off the fine windows' fit (0 when
it agreed with them).
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from worker.examples import cases as corpus
from worker.examples.simulated_room import SimulatedRoomChannel
from worker.sync.artifacts import write_artifacts
from worker.sync.engine import CameraInput, sync_files
from worker.sync.report import SyncReport
from worker.sync.solve import FRAME_S

FAMILY = "hard_room"
DEFAULT_CACHE = Path(
    os.environ.get("MULTICAM_CORPUS_CACHE", Path.home() / ".cache" / "multicam" / "corpus")
)


@dataclass(frozen=True)
class Row:
    case: str
    camera: str
    error_ms: float | None
    clock_error_ms: float | None  # against the recording clocks alone
    distance_m: float | None  # the microphone's from the source (simulated rooms)
    z: float | None
    pct: float | None
    klass: str
    path: str  # the cameras the placement went through, e.g. "A→D→C"
    windows: int  # fine windows of the pair with the master
    near: int  # of them within 0.25 ms of the truth
    inlier_median_ms: float | None  # median error of the line fit's inliers
    direct_move_ms: float | None  # how far the direct-path check moved the pair's line


def _pair_windows(
    report: SyncReport, label: str, truth_ms: float
) -> tuple[int, int, float | None, float | None]:
    rec = next((r for r in report.pairs if {r.a, r.b} == {report.master, label}), None)
    if rec is None or rec.alignment is None:
        return 0, 0, None, None
    # The pair's windows measure b on a's clock; flip when the master is b.
    sign = 1.0 if rec.a == report.master else -1.0
    errs = np.array([sign * w.offset_s * 1000 - truth_ms for w in rec.alignment.windows])
    inl = np.array([w.inlier for w in rec.alignment.windows], bool)
    med = float(np.median(errs[inl])) if inl.any() else None
    move = sign * rec.alignment.direct_shift_s * 1000
    return len(errs), int(np.sum(np.abs(errs) <= 0.25)), med, move


def _path(report: SyncReport, label: str) -> str:
    placement = report.placements.get(label)
    return "—" if placement is None else "→".join(placement.path)


def measure(cache: Path, artifacts: Path | None = None, family: str = FAMILY) -> list[Row]:
    rows = []
    for spec in corpus.FAMILIES[family]:
        built = corpus.build_case(spec, cache)
        labels = [c.label for c in spec.cameras]
        report = sync_files([CameraInput(lbl, built.paths[lbl]) for lbl in labels], master="A")
        if artifacts is not None:
            write_artifacts(report, artifacts / spec.name)
        result = report.to_dict()
        for lbl in labels[1:]:
            truth = built.truth.offsets_ms[lbl]
            clock = built.truth.clock_offsets_ms[lbl]
            off = result["offsets_ms"].get(lbl)
            n, near, med, move = _pair_windows(report, lbl, truth)
            channel = spec.camera(lbl).channel
            rows.append(
                Row(
                    spec.name,
                    lbl,
                    None if off is None else off - truth,
                    None if off is None else off - clock,
                    channel.distance_m if isinstance(channel, SimulatedRoomChannel) else None,
                    result["confidence"].get(lbl),
                    result["confidence_pct"].get(lbl),
                    result["classification"][lbl],
                    _path(report, lbl),
                    n,
                    near,
                    med,
                    move,
                )
            )
    return rows


def _f(v: float | None, fmt: str) -> str:
    return "—" if v is None else format(v, fmt)


def table(rows: list[Row]) -> str:
    out = [
        "| case | camera | mic distance (m) | error (ms) | clock error (ms) | z | confidence % "
        "| class | path | A-pair windows near truth | A-pair inliers' median error (ms) "
        "| A-pair direct-path move (ms) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        out.append(
            f"| {r.case} | {r.camera} | {_f(r.distance_m, '.2f')} | {_f(r.error_ms, '+.3f')} "
            f"| {_f(r.clock_error_ms, '+.3f')} | {_f(r.z, '.1f')} | "
            f"{_f(r.pct, '.1f')} | {r.klass} | {r.path} | {r.near}/{r.windows} | "
            f"{_f(r.inlier_median_ms, '+.3f')} | {_f(r.direct_move_ms, '+.3f')} |"
        )
    errs = np.array([abs(r.error_ms) if r.error_ms is not None else np.inf for r in rows])
    bad_good = sum(
        1 for r, e in zip(rows, errs, strict=True) if r.klass == "looks-good" and e > FRAME_S * 1000
    )
    out.append("")
    out.append(
        f"{len(rows)} cameras: {np.sum(errs <= 1.0)} within 1 ms "
        f"({100 * np.mean(errs <= 1.0):.0f} %), {np.sum(errs <= 5.0)} within 5 ms, "
        f"max |error| {np.max(errs):.3f} ms; looks-good "
        f"{sum(r.klass == 'looks-good' for r in rows)}, of them beyond one frame "
        f"{bad_good}"
    )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    ap.add_argument("--artifacts", type=Path, default=None)
    ap.add_argument("--family", default=FAMILY, choices=sorted(corpus.FAMILIES))
    args = ap.parse_args()
    print(table(measure(args.cache, args.artifacts, args.family)))


if __name__ == "__main__":
    main()
