"""Calibrate the confidence percentage on randomized synthetic sessions.

For every pair of cameras in N random cases (tests.corpus.random_case: content,
overlap, SNR from +30 to -20 dB, reverb, EQ, codecs, rates, polarity, clipping,
unrelated and silent cameras) this records the evidence the engine sees and
whether the pair's offset is within one video frame of the truth, then fits the
logistic model of worker/sync/confidence.py and prints a reliability table.

    python -m benchmarks.calibrate_confidence --cases 300           # collect + fit
    python -m benchmarks.calibrate_confidence --fit-only            # refit from the cache

The fitted coefficients are pasted into COEFFICIENTS; the reliability table of
the model in the code is what docs/sync.md reports.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from worker.errors import NoAudioStream
from worker.examples import cases as corpus
from worker.sync.confidence import (
    COEFFICIENTS,
    PCT_LOOKS_GOOD,
    Z_LOOKS_GOOD,
    Evidence,
    probability,
)
from worker.sync.engine import analyse
from worker.sync.pairwise import align_pair
from worker.sync.solve import FRAME_S, evidence_of

CACHE = Path(__file__).resolve().parent / ".cache"
FEATURES = list(COEFFICIENTS)


def collect(n_cases: int, start_seed: int, out: Path) -> None:
    done = set()
    if out.exists():
        done = {json.loads(line)["case"] for line in out.read_text().splitlines() if line}
    with out.open("a") as fh:
        for seed in range(start_seed, start_seed + n_cases):
            spec = corpus.random_case(seed, lossy=seed % 3 == 0)
            if spec.name in done:
                continue
            t0 = time.time()
            built = corpus.build_case(spec, CACHE / "corpus")
            tracks = {}
            for cam in spec.cameras:
                try:
                    tracks[cam.label] = analyse(built.paths[cam.label])
                except NoAudioStream:
                    continue
            labels = [c.label for c in spec.cameras]
            for i, la in enumerate(labels):
                for lb in labels[i + 1 :]:
                    if la not in tracks or lb not in tracks:
                        continue
                    pair = align_pair(tracks[la], tracks[lb])
                    if pair is None:
                        continue
                    ev = evidence_of(pair)
                    matchable = (
                        spec.camera(la).source == "scene"
                        and spec.camera(lb).source == "scene"
                        and corpus.overlap_s(spec, la, lb) > 0
                    )
                    if matchable:
                        truth = corpus.truth_relative_to(built, la).offsets_ms[lb]
                        err_ms = pair.offset_s * 1000 - truth
                        correct = abs(err_ms) <= FRAME_S * 1000
                    else:
                        err_ms, correct = None, False
                    fh.write(
                        json.dumps(
                            {
                                "case": spec.name,
                                "pair": f"{la}{lb}",
                                "evidence": ev.__dict__,
                                "err_ms": err_ms,
                                "correct": correct,
                            }
                        )
                        + "\n"
                    )
            fh.flush()
            print(f"{spec.name}: {time.time() - t0:.1f}s", file=sys.stderr, flush=True)


def augment(n_pairs: int, seed: int, out: Path) -> None:
    """Many hard pairs, fast: crops of the quick corpus's cameras with added noise.

    Each variant takes camera X of a quick case, keeps a random 12–120 s stretch,
    adds independent noise to both sides at a random SNR (+20 … −25 dB), and with
    probability 0.2 swaps X for a stretch of another case (a negative). Truth moves
    with the crop, so correctness stays exact.
    """
    rng = np.random.default_rng(seed)
    specs = [s for s in corpus.all_cases(long=False) if s.family not in ("silence", "no_audio")]
    cache: dict[tuple[str, str], object] = {}

    def track(spec: corpus.CaseSpec, label: str) -> object:
        key = (spec.name, label)
        if key not in cache:
            built = corpus.build_case(spec, Path.home() / ".cache" / "multicam" / "corpus")
            cache[key] = analyse(built.paths[label])
        return cache[key]

    with out.open("a") as fh:
        for i in range(n_pairs):
            spec = specs[int(rng.integers(len(specs)))]
            scene = [c for c in spec.cameras if c.source == "scene"]
            if len(scene) < 2:
                continue
            a_cam, x_cam = (scene[j] for j in rng.choice(len(scene), 2, replace=False))
            ta, tx = track(spec, a_cam.label), track(spec, x_cam.label)
            negative = rng.random() < 0.2
            if negative:
                other = specs[int(rng.integers(len(specs)))]
                if other.scene == spec.scene:
                    continue  # same scene (some cases share one): not a negative
                tx = track(other, other.cameras[0].label)
            rate = ta.rate  # type: ignore[attr-defined]
            xs = tx.samples.astype(np.float32) * tx.scale  # type: ignore[attr-defined]
            dur = float(rng.uniform(12, 120))
            start = float(rng.uniform(0, max(0.0, len(xs) / rate - dur)))
            crop = xs[int(start * rate) : int((start + dur) * rate)]
            snr = float(rng.uniform(-25, 20))
            a_sig = ta.samples.astype(np.float32) * ta.scale  # type: ignore[attr-defined]
            a_noisy = _noisy(a_sig, snr, rng)
            x_noisy = _noisy(crop, snr, rng)
            from worker.sync.features import onset_envelope
            from worker.sync.track import Track

            pa = Track.from_float(a_noisy, rate, onset_envelope(a_noisy, rate))
            px = Track.from_float(x_noisy, rate, onset_envelope(x_noisy, rate))
            pair = align_pair(pa, px)
            if pair is None:
                continue
            if negative:
                err_ms, correct = None, False
            else:
                truth = (
                    corpus.truth_relative_to(
                        corpus.build_case(spec, Path.home() / ".cache" / "multicam" / "corpus"),
                        a_cam.label,
                    ).offsets_ms[x_cam.label]
                    + start * 1000
                )
                err_ms = pair.offset_s * 1000 - truth
                correct = abs(err_ms) <= FRAME_S * 1000
            fh.write(
                json.dumps(
                    {
                        "case": f"aug-{seed}-{i}",
                        "pair": spec.name,
                        "evidence": evidence_of(pair).__dict__,
                        "err_ms": err_ms,
                        "correct": correct,
                        "snr": snr,
                    }
                )
                + "\n"
            )
            fh.flush()
            if i % 25 == 0:
                print(f"augmented {i}/{n_pairs}", file=sys.stderr, flush=True)


def _noisy(x: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    power = float(np.mean(x.astype(np.float64) ** 2)) or 1e-12
    noise = rng.standard_normal(len(x)) * np.sqrt(power / 10 ** (snr_db / 10))
    return (x + noise).astype(np.float32)


def _matrix(rows: list[dict]) -> tuple[np.ndarray, np.ndarray, list[Evidence]]:
    evs = [Evidence(**r["evidence"]) for r in rows]
    x = np.array([[ev.features()[f] for f in FEATURES] for ev in evs])
    y = np.array([1.0 if r["correct"] else 0.0 for r in rows])
    return x, y, evs


def fit(rows: list[dict], l2: float = 0.05) -> dict[str, float]:
    x, y, _ = _matrix(rows)

    def loss(w: np.ndarray) -> float:
        z = np.clip(x @ w, -40, 40)
        return float(np.sum(np.logaddexp(0, z) - y * z) / len(y) + l2 * np.sum(w[1:] ** 2))

    w0 = np.array([COEFFICIENTS[f] for f in FEATURES])
    # Every feature is evidence for the offset, never against it: weights >= 0,
    # so more evidence can never lower the confidence.
    bounds = [(None, None)] + [(0.0, None)] * (len(FEATURES) - 1)
    res = minimize(loss, w0, method="L-BFGS-B", bounds=bounds)
    return {f: round(float(v), 3) for f, v in zip(FEATURES, res.x, strict=True)}


def reliability(rows: list[dict]) -> None:
    _, y, evs = _matrix(rows)
    p = np.array([probability(ev) for ev in evs])
    edges = [0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99, 1.0001]
    print(f"{'predicted':>14} {'pairs':>6} {'observed':>9} {'mean pred':>10}")
    for lo, hi in itertools.pairwise(edges):
        sel = (p >= lo) & (p < hi)
        if sel.any():
            print(
                f"{lo:6.2f}-{min(hi, 1):5.2f} {int(sel.sum()):6d} {y[sel].mean():9.3f} "
                f"{p[sel].mean():10.3f}"
            )
    brier = float(np.mean((p - y) ** 2))
    wrong_confident = int(np.sum((p >= 0.9) & (y == 0)))
    print(
        f"pairs {len(y)}  correct {int(y.sum())}  Brier {brier:.4f}  "
        f"wrong with p>=0.9: {wrong_confident}"
    )
    # What operators see: looks-good needs z >= 10 as well as >= 90 %.
    good = (p >= PCT_LOOKS_GOOD / 100) & (np.array([ev.z for ev in evs]) >= Z_LOOKS_GOOD)
    right = y == 1
    print(
        f"correct pairs rated looks-good: {int(np.sum(good & right))} of {int(right.sum())} "
        f"({100 * np.mean(good[right]):.1f} %); wrong pairs rated looks-good: "
        f"{int(np.sum(good & ~right))}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--fit-only", action="store_true")
    ap.add_argument(
        "--augment",
        type=int,
        default=0,
        metavar="N",
        help="also make N noisy/cropped pairs from the quick corpus (fast)",
    )
    args = ap.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    out = CACHE / "calibration.jsonl"
    if not args.fit_only:
        if args.cases:
            collect(args.cases, args.seed, out)
        if args.augment:
            augment(args.augment, args.seed, out)
    rows = [json.loads(line) for line in out.read_text().splitlines() if line]
    print("fitted coefficients:", json.dumps(fit(rows)))
    print("reliability of the model in worker/sync/confidence.py:")
    reliability(rows)


if __name__ == "__main__":
    main()
