"""Sync benchmark: 3 cameras of 60 minutes, multicam vs audio-offset-finder.

Generates (once, cached in benchmarks/.cache/) a 3-camera session from
tests.corpus.benchmark_case (speech, music, crowd, sparse events; reverb, EQ,
noise; two cameras drifting), then in the same run:

* ``multicam sync --json`` on the three files, ``--runs`` times (median
  reported): wall time, realtime factor (audio hours / wall hours), peak RSS
  (largest single process and the whole process tree), and each camera's
  error against the known truth;
* audio-offset-finder 0.5.5 (BBC; PyPI), once per non-master camera, from its
  own venv (it pins numpy < 2), with its default settings: the same figures.
  Its runs are interleaved with multicam's, so a slow spell of a shared
  machine slows both tools;
* a shoot of the same length in takes (worker.examples.shoots.benchmark_shoot:
  3 cameras x 4 takes, one camera's recording split into 4 files, and a
  recorder WAV throughout), ``multicam sync --labels A,A,A,A,B,...,REC --json``
  right after each 3-camera run: the same figures, each clip's error against
  the truth on the recorder's timeline, and the targets (<= 15 s, <= 1.5 GB).

    python -m benchmarks.sync_bench                 # 60-minute cameras
    python -m benchmarks.sync_bench --minutes 10    # quicker
    python -m benchmarks.sync_bench --skip-baseline
    python -m benchmarks.sync_bench --runs 5        # more multicam runs (median)
    python -m benchmarks.sync_bench --skip-takes    # without the shoot in takes
    python -m benchmarks.sync_bench --against DIR   # also another engine, interleaved

``--against DIR`` takes a directory holding another version of the ``worker``
package, e.g. the last commit's (``git archive HEAD worker | tar -x -C DIR``): its
``multicam sync`` runs as often as this one's, each right after one of them, and the
medians are compared, so an engine change is measured against the old engine in the
same stretches of machine speed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from worker.examples import cases as corpus
from worker.examples import shoots

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"
AOF_VENV = CACHE / "aof-venv"
AOF_VERSION = "0.5.5"
JsonDict = dict[str, Any]


@dataclass
class Run:
    wall_s: float
    peak_rss_mb: float  # largest single process
    peak_tree_mb: float  # all processes of the run at once
    stdout: str


def measure(cmd: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``cmd``; sample the RSS of its whole process tree every 20 ms."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    ps = psutil.Process(proc.pid)
    peak_one = peak_tree = 0.0
    while proc.poll() is None:
        try:
            procs = [ps, *ps.children(recursive=True)]
            rss = [p.memory_info().rss for p in procs]
            peak_one = max(peak_one, max(rss) / 2**20)
            peak_tree = max(peak_tree, sum(rss) / 2**20)
        except psutil.Error:
            pass
        time.sleep(0.02)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}):\n{err[-2000:]}")
    return Run(wall, peak_one, peak_tree, out)


def ensure_ffmpeg() -> None:
    """audio-offset-finder shells out to ffmpeg; install Debian's if missing."""
    if shutil.which("ffmpeg"):
        return
    print("installing ffmpeg (apt-get) for audio-offset-finder", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "ffmpeg"],
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )


def ensure_aof() -> Path:
    exe = AOF_VENV / "bin" / "audio-offset-finder"
    if not exe.exists():
        print(f"installing audio-offset-finder {AOF_VERSION} into {AOF_VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(AOF_VENV)], check=True)
        subprocess.run(
            [str(AOF_VENV / "bin" / "pip"), "install", "-q", f"audio-offset-finder=={AOF_VERSION}"],
            check=True,
        )
    ensure_ffmpeg()
    return exe


def cached_session(spec: corpus.CaseSpec) -> corpus.BuiltCase:
    """The generated session, reusing any earlier build of the same spec.

    The generator's version is part of the cache key, but the truth depends on
    the spec only, so an older build of the same session is as good a benchmark.
    """
    for d in sorted((CACHE / "corpus").glob(f"{spec.name}-*")):
        paths = {c.label: d / c.filename for c in spec.cameras}
        if (d / "truth.json").exists() and all(p.exists() for p in paths.values()):
            return corpus.BuiltCase(spec, paths, corpus.truth_relative_to(spec, "A"), d)
    return corpus.build_case(spec, CACHE / "corpus")


def audio_hours(paths: list[Path]) -> float:
    import av

    total = 0.0
    for p in paths:
        with av.open(str(p)) as c:
            total += (c.duration or 0) / 1e6
    return total / 3600


def cached_shoot(spec: shoots.ShootSpec) -> shoots.BuiltShoot:
    return shoots.build_shoot(spec, CACHE / "corpus")


def run_multicam(
    paths: list[Path], engine: Path | None = None, labels: list[str] | None = None
) -> tuple[Run, JsonDict]:
    """``multicam sync`` of this checkout, or of the ``worker`` package under ``engine``."""
    # What the multicam console script runs, with the engine's folder first on the
    # path. Not PYTHONPATH: ``python -c`` puts the working directory before it, so
    # from a checkout's root the checkout's own ``worker`` would shadow the other.
    root = str((engine or ROOT).resolve())
    code = (
        f"import sys; sys.path.insert(0, {root!r}); from worker.cli import main; sys.exit(main())"
    )
    named = ["--labels", ",".join(labels)] if labels else []
    run = measure(
        [sys.executable, "-c", code, "sync", *named, "--json", "--no-progress", *map(str, paths)]
    )
    return run, json.loads(run.stdout)


def run_aof(exe: Path, master: Path, other: Path) -> tuple[Run, float, float]:
    run = measure([str(exe), "--find-offset-of", str(other), "--within", str(master), "--json"])
    data = json.loads(run.stdout)
    return run, float(data["time_offset"]), float(data["standard_score"])


@dataclass
class Runs:
    mc: list[Run]
    old: list[Run]
    aof: dict[str, tuple[Run, float, float]]
    result: JsonDict
    old_result: JsonDict
    takes: list[Run]
    takes_result: JsonDict
    old_takes: list[Run]


def interleaved_runs(
    paths: list[Path],
    built: corpus.BuiltCase,
    others: list[str],
    exe: Path | None,
    runs: int,
    against: Path | None,
    shoot: shoots.BuiltShoot | None = None,
) -> Runs:
    """multicam, [the shoot in takes,] [the other engine, [its shoot in takes,]] aof B,
    multicam, ...: every tool sees the same stretches of machine speed. Returns the
    runs and the last JSON of each engine."""
    mc_runs: list[Run] = []
    old_runs: list[Run] = []
    takes_runs: list[Run] = []
    old_takes_runs: list[Run] = []
    aof_runs: dict[str, tuple[Run, float, float]] = {}
    result: JsonDict = {}
    old_result: JsonDict = {}
    takes_result: JsonDict = {}
    for i in range(runs):
        run, result = run_multicam(paths)
        mc_runs.append(run)
        print(f"multicam run {i + 1}: {run.wall_s:.1f} s", file=sys.stderr)
        if shoot is not None:
            run, takes_result = run_multicam(shoot.paths, labels=shoot.labels)
            takes_runs.append(run)
            print(f"multicam takes run {i + 1}: {run.wall_s:.1f} s", file=sys.stderr)
        if against is not None:
            run, old_result = run_multicam(paths, against)
            old_runs.append(run)
            print(f"multicam ({against}) run {i + 1}: {run.wall_s:.1f} s", file=sys.stderr)
            if shoot is not None:
                run, _ = run_multicam(shoot.paths, against, labels=shoot.labels)
                old_takes_runs.append(run)
                print(
                    f"multicam ({against}) takes run {i + 1}: {run.wall_s:.1f} s", file=sys.stderr
                )
        if exe is not None and i < len(others):
            lbl = others[i]
            aof_runs[lbl] = run_aof(exe, built.paths["A"], built.paths[lbl])
            print(
                f"audio-offset-finder {lbl} in A: {aof_runs[lbl][0].wall_s:.1f} s", file=sys.stderr
            )
    if exe is not None:
        for lbl in others:
            if lbl not in aof_runs:
                aof_runs[lbl] = run_aof(exe, built.paths["A"], built.paths[lbl])
    return Runs(
        mc_runs, old_runs, aof_runs, result, old_result, takes_runs, takes_result, old_takes_runs
    )


def takes_row(shoot: shoots.BuiltShoot, runs: list[Run]) -> None:
    """The shoot in takes' row of the table: wall time and memory against the targets."""
    hours = audio_hours(shoot.paths)
    walls = sorted(r.wall_s for r in runs)
    wall = statistics.median(walls)
    tree = max(r.peak_tree_mb for r in runs)
    name = f"multicam ({len(shoot.clips)} clips)"
    print(
        f"{name:<22}{wall:8.1f}{hours * 3600 / wall:12.0f}"
        f"{max(r.peak_rss_mb for r in runs):13.0f}{tree:13.0f}"
    )
    if len(walls) > 1:
        print(f"  (median of {len(walls)} runs: " + ", ".join(f"{w:.1f}" for w in walls) + " s)")
    print(
        f"  {hours:.2f} h of audio in {len(shoot.clips)} clips; targets <= 15 s: "
        f"{'met' if wall <= 15 else 'MISSED'} (slowest {walls[-1]:.1f} s), <= 1.5 GB "
        f"(all processes): {'met' if tree <= 1536 else 'MISSED'}"
    )


def old_takes_row(runs: Runs, name: str) -> None:
    """The shoot in takes under the other engine, against this one's (medians)."""
    if not (runs.old_takes and runs.takes):
        return
    old_t = statistics.median(r.wall_s for r in runs.old_takes)
    new_t = statistics.median(r.wall_s for r in runs.takes)
    walls = ", ".join(f"{w:.1f}" for w in sorted(r.wall_s for r in runs.old_takes))
    print(
        f"  shoot in takes, {name}: {old_t:.1f} s (median of {walls} s); "
        f"this engine / {name}: {new_t / old_t:.3f} (medians)"
    )


def takes_errors(shoot: shoots.BuiltShoot, result: JsonDict) -> None:
    """Each clip of the shoot in takes against its truth."""
    truth = shoot.truth(result["master"])
    print(f"\nclip errors against the truth (ms), master {result['master']}:")
    for clip, doc in zip(shoot.clips, result["clips"], strict=True):
        if clip.id == truth.master_clip:
            continue
        off, true = doc["offset_ms"], truth.offsets_ms.get(clip.id)
        err = "unplaced" if off is None or true is None else f"{off - true:+9.3f} ms"
        drift = truth.drift_ppm.get(clip.id, float("nan"))
        print(
            f"  {clip.id:<5} {err:>12}  (drift {doc['drift_ppm']} ppm, truth {drift:.1f}; "
            f"{doc['classification']} {doc['confidence_pct']}%)"
        )


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument(
        "--runs",
        type=int,
        default=3,
        help="multicam runs, interleaved with the baseline's; the median "
        "is compared, so a slow spell of the machine hits both tools",
    )
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--skip-takes", action="store_true", help="without the shoot in takes")
    ap.add_argument(
        "--against",
        type=Path,
        default=None,
        metavar="DIR",
        help="also run the worker package under DIR (another engine version)",
    )
    args = ap.parse_args()
    if args.against is not None and not (args.against / "worker" / "sync").is_dir():
        ap.error(f"{args.against} holds no worker/sync package")
    return args


def prepare_shoot(minutes: float) -> shoots.BuiltShoot:
    t0 = time.perf_counter()
    shoot = cached_shoot(shoots.benchmark_shoot(minutes))
    print(
        f"shoot {shoot.spec.name}: ready in {time.perf_counter() - t0:.0f} s ({shoot.directory})",
        file=sys.stderr,
    )
    return shoot


def main() -> None:
    args = parse_args()
    spec = corpus.benchmark_case(args.minutes)
    t0 = time.perf_counter()
    built = cached_session(spec)
    print(
        f"session {spec.name}: ready in {time.perf_counter() - t0:.0f} s ({built.directory})",
        file=sys.stderr,
    )
    labels = [c.label for c in spec.cameras]
    paths = [built.paths[lbl] for lbl in labels]
    hours = audio_hours(paths)
    truth = corpus.truth_relative_to(built, "A")
    others = [lbl for lbl in labels if lbl != "A"]
    exe = None if args.skip_baseline else ensure_aof()
    shoot = None if args.skip_takes else prepare_shoot(args.minutes)

    runs = interleaved_runs(paths, built, others, exe, max(args.runs, 1), args.against, shoot)
    mc_runs, old_runs, aof_runs = runs.mc, runs.old, runs.aof
    result, old_result = runs.result, runs.old_result

    walls = sorted(r.wall_s for r in mc_runs)
    mc_wall = statistics.median(walls)
    mc_rss = max(r.peak_rss_mb for r in mc_runs)
    mc_tree = max(r.peak_tree_mb for r in mc_runs)
    master = result["master"]
    truth_m = corpus.truth_relative_to(built, master)
    print(f"\naudio: {len(paths)} cameras, {hours:.2f} h in total\n")
    print(f"{'tool':<22}{'wall s':>8}{'x realtime':>12}{'peak RSS MB':>13}{'tree RSS MB':>13}")
    print(
        f"{'multicam sync':<22}{mc_wall:8.1f}{hours * 3600 / mc_wall:12.0f}"
        f"{mc_rss:13.0f}{mc_tree:13.0f}"
    )
    if len(walls) > 1:
        print(f"  (median of {len(walls)} runs: " + ", ".join(f"{w:.1f}" for w in walls) + " s)")
    if shoot is not None:
        takes_row(shoot, runs.takes)
    if old_runs:
        old_walls = sorted(r.wall_s for r in old_runs)
        old_wall = statistics.median(old_walls)
        name = f"multicam ({args.against.name})"
        print(
            f"{name:<22}{old_wall:8.1f}{hours * 3600 / old_wall:12.0f}"
            f"{max(r.peak_rss_mb for r in old_runs):13.0f}"
            f"{max(r.peak_tree_mb for r in old_runs):13.0f}"
        )
        print(
            f"  (median of {len(old_walls)} runs: "
            + ", ".join(f"{w:.1f}" for w in old_walls)
            + " s)"
        )
        print(f"  this engine / {args.against.name}: {mc_wall / old_wall:.3f} (medians)")
        old_takes_row(runs, args.against.name)
    errors = {
        lbl: result["offsets_ms"][lbl] - truth_m.offsets_ms[lbl]
        for lbl in labels
        if lbl != master and lbl in result["offsets_ms"]
    }

    aof_errors: dict[str, float] = {}
    aof_scores: dict[str, float] = {}
    if aof_runs:
        wall = sum(r.wall_s for r, _, _ in aof_runs.values())
        rss = max(r.peak_rss_mb for r, _, _ in aof_runs.values())
        for lbl, (_, offset_s, score) in aof_runs.items():
            aof_scores[lbl] = score
            # audio-offset-finder: where the other file starts within the master (s).
            aof_errors[lbl] = offset_s * 1000 - truth.offsets_ms[lbl]
        print(
            f"{'audio-offset-finder':<22}{wall:8.1f}{hours * 3600 / wall:12.0f}{rss:13.0f}"
            f"{rss:13.0f}"
        )
        print(
            f"\nspeed ratio (audio-offset-finder wall / multicam median wall): "
            f"{wall / mc_wall:.1f}x (target >= 10x; slowest multicam run: "
            f"{wall / walls[-1]:.1f}x)"
        )

    print(f"\noffset errors against the truth (ms), master {master}:")
    for lbl in labels:
        if lbl == master:
            continue
        line = f"  {lbl}: multicam {errors.get(lbl, float('nan')):+9.3f} ms "
        line += f"(drift {result['drift_ppm'].get(lbl)} ppm, truth {truth_m.drift_ppm[lbl]:.1f}; "
        line += f"{result['classification'][lbl]} {result['confidence_pct'].get(lbl)}%)"
        if old_result and lbl in old_result["offsets_ms"]:
            old_err = old_result["offsets_ms"][lbl] - truth_m.offsets_ms[lbl]
            line += f"   {args.against.name}: {old_err:+9.3f} ms"
        if lbl in aof_errors:
            line += (
                f"   audio-offset-finder vs A {aof_errors[lbl]:+10.3f} ms "
                f"(score {aof_scores[lbl]:.1f})"
            )
        print(line)
    if shoot is not None:
        takes_errors(shoot, runs.takes_result)


if __name__ == "__main__":
    main()
