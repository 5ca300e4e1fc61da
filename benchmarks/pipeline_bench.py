"""Time to confidence through the whole stack: the old order against audio first.

    .venv/bin/python -m benchmarks.pipeline_bench                # 3 x 10-minute cameras
    .venv/bin/python -m benchmarks.pipeline_bench --minutes 2    # quicker
    .venv/bin/python -m benchmarks.pipeline_bench --workers 2    # two worker processes
    .venv/bin/python -m benchmarks.pipeline_bench --minutes 30 --orders audio-first \
        --until clips                                           # review clips of 3 x 30 min
    .venv/bin/python -m benchmarks.pipeline_bench --minutes 2 --orders audio-first \
        --against ef2cb7c                                       # today against an older tree

Real parts: a Strapi 5 on a fresh PostgreSQL database, a private Redis, moto's S3
server on loopback, ``multicam serve`` and N ``multicam worker`` processes. Three
1080p30 H.264 + AAC cameras of the chosen length, with known offsets, are uploaded
one after the other with ``multicam upload`` (as an operator would), once with
``MULTICAM_INGEST_ORDER=single-pass`` (every derived file from one decode, the sync
after all of them) and once with the default ``audio-first`` (the sync as soon as
every camera's audio is in; the video derivatives follow as separate jobs), in the
same run. It prints, for each order: the time from the last upload's completion to
the sync result, to every camera's review clips and to every proxy ready, the workers'
CPU seconds over the whole ingest, and each offset's error against the truth.
``--against REV`` first runs every order on the code of commit REV (a git worktree of
this repository, put first on the processes' PYTHONPATH: its ``multicam serve``,
``worker`` and ``upload``, against the same Strapi, Redis and bucket), then on the
code as it is, and prints today's figures over the older tree's.

The cameras share one generated picture (``benchmarks.ingest_bench``'s textured,
moving 1080p scene at ~20 Mb/s, cached in benchmarks/.cache/); their sound is one
scene heard from three clocks: the same sound shifted by each camera's offset, each
with its own noise and gain. Targets (docs/ingest.md): audio first gets the sync
result within 60 s of the last upload for 3 x 10 minutes and within 1/10 of the old
order's time; its CPU total stays within 1.1x the old order's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import functools
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

from benchmarks.ingest_bench import CACHE, RATE, audio_minute, make_source
from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, DerivedKind, SessionState, VideoState
from strapi_client.models import RecordingSession, RecordingSessionInput
from tests.support.ports import free_port
from tests.support.s3_server import S3Server, running_s3
from tests.support.services import MULTICAM, Proc, multicam_processes, private_redis
from tests.support.stack_env import service_env
from tests.support.strapi_server import running_strapi

# Where each camera's first sample lies on camera A's timeline (s): the truth.
OFFSETS_S = {"A": 0.0, "B": 3.217, "C": -1.843}
LEAD_S = 5.0  # scene time of camera A's first sample (C starts before A)
API_TOKEN = "bench-api-token-" + secrets.token_hex(12)
CLK_TCK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- cameras


@functools.lru_cache(maxsize=2)
def _minute(minute: int) -> npt.NDArray[np.float32]:
    return audio_minute(minute)


def _scene(start_s: float, n: int) -> npt.NDArray[np.float32]:
    """``n`` stereo samples of the scene's sound from scene time ``start_s``."""
    first = round(start_s * RATE)
    out = np.empty((2, n), np.float32)
    done = 0
    while done < n:
        at = first + done
        minute, within = divmod(at, 60 * RATE)
        chunk = _minute(int(minute))[:, within : within + n - done]
        out[:, done : done + chunk.shape[1]] = chunk
        done += chunk.shape[1]
    return out


def make_camera(video_source: Path, label: str, dest: Path, repeats: int = 1) -> None:
    """The shared picture (``repeats`` times over) with this camera's own recording of
    the scene's sound, which never repeats."""
    import av

    rng = np.random.default_rng(ord(label))
    gain = {"A": 1.0, "B": 0.7, "C": 1.3}[label]
    tmp = dest.with_suffix(".partial.mp4")
    with av.open(str(video_source)) as src, av.open(str(tmp), "w") as out:
        vin = src.streams.video[0]
        if vin.duration is not None and vin.time_base is not None:
            duration_s = float(vin.duration * vin.time_base)
        else:
            duration_s = (src.duration or 0) / 1_000_000
        vout = out.add_stream_from_template(vin)
        aout = out.add_stream("aac", rate=RATE, layout="stereo")
        aout.bit_rate = 192_000
        assert vin.time_base is not None
        shift = round(duration_s / vin.time_base)
        for copy in range(repeats):
            src.seek(0, stream=vin)
            for packet in src.demux(vin):
                if packet.dts is None or packet.pts is None:
                    continue
                packet.pts += copy * shift
                packet.dts += copy * shift
                packet.stream = vout
                out.mux(packet)
        duration_s *= repeats
        total = int(duration_s * RATE)
        step = 1024 * 64
        start = LEAD_S + OFFSETS_S[label]
        for at in range(0, total, step):
            n = min(step, total - at)
            block = _scene(start + at / RATE, n) * gain
            block += 0.003 * rng.standard_normal(block.shape).astype(np.float32)
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(np.clip(block, -1, 1)), format="fltp", layout="stereo"
            )
            frame.sample_rate, frame.pts, frame.time_base = RATE, at, Fraction(1, RATE)
            out.mux(aout.encode(frame))
        out.mux(aout.encode())
    tmp.rename(dest)


LOOPED_MINUTES = 10.0
"""Cameras longer than this, in whole multiples of it, repeat its picture (encoding a
fresh 30 minutes of 1080p would take longer than the benchmark); the sound is new."""


def cameras(minutes: float) -> dict[str, Path]:
    """The three camera files (generated once, then cached)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    repeats = 1
    if minutes > LOOPED_MINUTES and (minutes / LOOPED_MINUTES).is_integer():
        repeats = int(minutes / LOOPED_MINUTES)
    picture = minutes / repeats
    source = CACHE / f"camera-{picture:g}min-1080p30.mp4"
    if not source.exists():
        print(f"generating {source.name} (cached for later runs)", file=sys.stderr)
        make_source(source, picture)
    out = {}
    for label in OFFSETS_S:
        dest = CACHE / f"pipeline-{minutes:g}min-cam{label}.mp4"
        if not dest.exists():
            print(f"making camera {label} ({dest.name})", file=sys.stderr)
            make_camera(source, label, dest, repeats)
        out[label] = dest
    return out


# ---------------------------------------------------------------- one order, measured


@dataclass
class OrderRun:
    code: str  # "today", or the commit of --against
    order: str
    to_sync_s: float
    to_proxies_s: float | None  # None: not waited for (--until clips)
    to_review_clips_s: float | None  # every camera's review clips (None: never cut)
    cpu_s: float
    errors_ms: dict[str, float]
    classification: dict[str, str]
    originals_reused: int


def _cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of a process and its reaped children."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + cutime + cstime) / CLK_TCK


def _upload(env: dict[str, str], api_url: str, session_id: str, label: str, path: Path) -> None:
    subprocess.run(
        [
            str(MULTICAM),
            "upload",
            "--session",
            session_id,
            "--camera",
            label,
            "--api-url",
            api_url,
            "--token",
            API_TOKEN,
            "--no-progress",
            str(path),
        ],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _has_review_clips(session: RecordingSession) -> bool:
    return all(
        any(d.kind is DerivedKind.REVIEW_CLIPS for d in a.derivatives or [])
        for a in session.assets or []
    )


async def _wait(
    strapi: StrapiClient, session_id: str, t_last: float, timeout: float, until: str
) -> tuple[RecordingSession, float, float | None, float | None]:
    synced_at: float | None = None
    clips_at: float | None = None
    synced: RecordingSession | None = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = await strapi.get_session(session_id)
        now = time.monotonic()
        if (
            synced_at is None
            and s.sync_result is not None
            and s.state in (SessionState.NEEDS_REVIEW, SessionState.READY)
        ):
            synced_at, synced = now, s
        if clips_at is None and s.assets and _has_review_clips(s):
            clips_at = now
        if until == "clips" and synced is not None and clips_at is not None:
            return synced, synced_at - t_last, None, clips_at - t_last  # type: ignore[operator]
        assets = s.assets or []
        if (
            synced is not None
            and len(assets) == 3
            and all(
                a.state is AssetState.READY and a.video_state is VideoState.READY for a in assets
            )
        ):
            to_clips = clips_at - t_last if clips_at is not None else None
            return synced, synced_at - t_last, now - t_last, to_clips  # type: ignore[operator]
        failed = [
            a for a in assets if a.state is AssetState.FAILED or a.video_state is VideoState.FAILED
        ]
        if failed:
            raise RuntimeError(
                f"camera {failed[0].camera_label.value} failed: {failed[0].error_message}"
            )
        await asyncio.sleep(0.25)
    raise TimeoutError(f"no result within {timeout:.0f} s")


def run_order(
    order: str,
    base_env: dict[str, str],
    port: int,
    workdir: Path,
    workers: int,
    files: dict[str, Path],
    strapi_url: str,
    strapi_token: str,
    timeout: float,
    until: str = "proxies",
    code: str = "today",
    tree: Path | None = None,
) -> OrderRun:
    """One order's run; ``tree``: run the processes on that source tree's code."""
    env = {**base_env, "MULTICAM_INGEST_ORDER": order}
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(tree), *filter(None, [env.get("PYTHONPATH")])])
    logs_dir = workdir / f"{code}-{order}"
    logs_dir.mkdir(parents=True, exist_ok=True)
    with multicam_processes(env, port, logs_dir) as procs:
        extra = [
            Proc(f"worker-{i}", [str(MULTICAM), "worker"], env, logs_dir / f"worker-{i}.log")
            for i in range(1, workers)
        ]
        for p in extra:
            p.start()
        try:
            pids = [p.process.pid for p in [procs.worker, *extra] if p.process]
            cpu_before = sum(_cpu_s(pid) for pid in pids)

            async def measure() -> OrderRun:
                async with StrapiClient(strapi_url, strapi_token) as strapi:
                    session = await strapi.sessions.create(
                        RecordingSessionInput(
                            title=f"pipeline bench {code} {order}",
                            date=dt.date.today(),
                            project_id=f"bench-{order}-{secrets.token_hex(3)}",
                            state=SessionState.DRAFT,
                        )
                    )
                    for label, path in files.items():
                        await asyncio.to_thread(
                            _upload, env, procs.service_url, session.document_id, label, path
                        )
                    t_last = time.monotonic()
                    done, to_sync, to_proxies, to_clips = await _wait(
                        strapi, session.document_id, t_last, timeout, until
                    )
                cpu = sum(_cpu_s(pid) for pid in pids) - cpu_before
                result = done.sync_result
                assert result is not None and result.offsets_ms is not None
                master = str(result.master_camera)
                errors = {
                    lbl: abs(result.offsets_ms[lbl] - 1000 * (OFFSETS_S[lbl] - OFFSETS_S[master]))
                    for lbl in OFFSETS_S
                    if lbl != master
                }
                logs = "".join(p.read_text() for p in logs_dir.glob("worker*.log"))
                reused = logs.count('"original_reused": true')
                return OrderRun(
                    code,
                    order,
                    to_sync,
                    to_proxies,
                    to_clips,
                    cpu,
                    errors,
                    dict(result.classification or {}),
                    reused,
                )

            return asyncio.run(measure())
        finally:
            for p in extra:
                p.stop()


@contextlib.contextmanager
def stack(workdir: Path) -> Iterator[tuple[dict[str, str], int, str, str, S3Server]]:
    secret = secrets.token_hex(16)
    port = free_port()
    with (
        running_s3() as s3,
        private_redis(workdir) as redis,
        running_strapi(
            webhook_url=f"http://127.0.0.1:{port}/webhooks/strapi", webhook_secret=secret
        ) as strapi,
    ):
        env = service_env(
            strapi=strapi,
            s3=s3,
            redis=redis,
            secret=secret,
            workdir=workdir,
            api_token=API_TOKEN,
            # moto assembles a completed multipart upload inside the one request: for a
            # 4.5 GB original that outlasts the default 120 s read (S3 and R2 answer at
            # once and keep the connection alive while they work).
            extra={"MULTICAM_S3_READ_TIMEOUT_S": "900"},
        )
        yield env, port, strapi.base_url, strapi.api_token, s3


def _download_s(s3: S3Server, path: Path, workdir: Path) -> float:
    """Seconds to put ``path`` into the S3 server and get it back (the re-download cost)."""
    client = s3.client()
    key = f"bench/{path.name}"
    client.upload_file(str(path), s3.bucket, key)
    t0 = time.perf_counter()
    # One streamed GET, as the worker reads an original (boto3's download_file makes
    # parallel ranged GETs, which moto serves far more slowly than one stream).
    body = client.get_object(Bucket=s3.bucket, Key=key)["Body"]
    with (workdir / "download.bin").open("wb") as fh:
        for chunk in body.iter_chunks(1 << 20):
            fh.write(chunk)
    elapsed = time.perf_counter() - t0
    (workdir / "download.bin").unlink()
    client.delete_object(Bucket=s3.bucket, Key=key)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--minutes", type=float, default=10.0, help="length of each camera (default 10)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="multicam worker processes (default 1: one per machine)",
    )
    parser.add_argument(
        "--orders",
        default="single-pass,audio-first",
        help="orders to run, in this order (default both)",
    )
    parser.add_argument(
        "--until",
        choices=["proxies", "clips"],
        default="proxies",
        help="stop each order when every proxy is ready (default) or as soon as every "
        "camera's review clips are (the 60 s target; long cameras' proxies take hours)",
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        help="first run every order on the code of this commit (e.g. the tree before a "
        "change), then on today's, and print today's over it",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=4 * 3600,
        help="give up on an order after this many seconds",
    )
    args = parser.parse_args()
    files = cameras(args.minutes)
    size_mb = sum(p.stat().st_size for p in files.values()) / 1e6
    print(
        f"cameras: 3 x {args.minutes:g} min 1080p30 H.264 + AAC ({size_mb:.0f} MB), "
        f"offsets B {OFFSETS_S['B']:+.3f} s, C {OFFSETS_S['C']:+.3f} s; "
        f"{args.workers} worker process(es); cores: {os.cpu_count()}",
        flush=True,
    )
    runs: list[OrderRun] = []
    orders = [o.strip() for o in args.orders.split(",") if o.strip()]
    with (
        tempfile.TemporaryDirectory(prefix="multicam-pipeline-bench-") as tmp,
        contextlib.ExitStack() as trees,
    ):
        workdir = Path(tmp)
        codes: list[tuple[str, Path | None]] = [("today", None)]
        if args.against:
            rev, old_tree = trees.enter_context(worktree(args.against, workdir / "against"))
            codes.insert(0, (rev, old_tree))
        with stack(workdir) as (env, port, strapi_url, strapi_token, s3):
            download_s = _download_s(s3, files["A"], workdir)
            print(
                f"downloading one original from the S3 server: {download_s:.1f} s "
                f"({files['A'].stat().st_size / 1e6:.0f} MB)",
                flush=True,
            )
            for code, tree in codes:
                for order in orders:
                    print(f"running {order} on {code} ...", file=sys.stderr, flush=True)
                    run = run_order(
                        order,
                        env,
                        port,
                        workdir,
                        args.workers,
                        files,
                        strapi_url,
                        strapi_token,
                        args.timeout,
                        args.until,
                        code,
                        tree,
                    )
                    runs.append(run)
                    print(json.dumps(run.__dict__), file=sys.stderr, flush=True)
    _print_table(runs)
    if args.against:
        _print_against(runs, args.minutes)
    by = {r.order: r for r in runs if r.code == "today"}
    if {"single-pass", "audio-first"} <= set(by) and args.until == "proxies":
        old, new = by["single-pass"], by["audio-first"]
        assert old.to_proxies_s is not None and new.to_proxies_s is not None
        print(
            f"audio-first / single-pass: time to sync {new.to_sync_s / old.to_sync_s:.3f}x "
            f"(target <= 0.1), to every proxy {new.to_proxies_s / old.to_proxies_s:.2f}x, "
            f"CPU {new.cpu_s / old.cpu_s:.2f}x (target <= 1.1)"
        )


def _pictures_s(run: OrderRun) -> float | None:
    """When every camera first had picture to review: its review clips, else its proxy."""
    return run.to_review_clips_s if run.to_review_clips_s is not None else run.to_proxies_s


def _print_table(runs: list[OrderRun]) -> None:
    print(
        f"{'code':<9} {'order':<12} {'to sync s':>10} {'to clips s':>11} {'to proxies s':>13} "
        f"{'CPU s':>8} {'reused':>7}  offset errors (ms) and classes"
    )
    for r in runs:
        errs = ", ".join(
            f"{k} {v:.3f} ({r.classification.get(k, '?')})" for k, v in sorted(r.errors_ms.items())
        )
        clips = f"{r.to_review_clips_s:.1f}" if r.to_review_clips_s is not None else "-"
        proxies = f"{r.to_proxies_s:.1f}" if r.to_proxies_s is not None else "-"
        print(
            f"{r.code:<9} {r.order:<12} {r.to_sync_s:>10.1f} {clips:>11} {proxies:>13} "
            f"{r.cpu_s:>8.1f} {r.originals_reused:>7}  {errs}"
        )


def _print_against(runs: list[OrderRun], minutes: float) -> None:
    """Today's figures over the older tree's, order by order."""
    old = {r.order: r for r in runs if r.code != "today"}
    for new in (r for r in runs if r.code == "today"):
        base = old.get(new.order)
        if base is None:
            continue
        parts = [f"sync {new.to_sync_s / base.to_sync_s:.2f}x"]
        new_pics, old_pics = _pictures_s(new), _pictures_s(base)
        if new_pics is not None and old_pics is not None:
            parts.append(f"first pictures {new_pics:.1f} s vs {old_pics:.1f} s")
        if new.to_proxies_s is not None and base.to_proxies_s is not None:
            per_new = new.to_proxies_s / (3 * minutes)
            per_old = base.to_proxies_s / (3 * minutes)
            parts.append(
                f"every proxy {per_new:.1f} vs {per_old:.1f} s per camera-minute "
                f"({per_old / per_new:.2f}x as fast; target >= 3)"
            )
        parts.append(f"CPU {new.cpu_s / base.cpu_s:.2f}x")
        print(f"{new.order}, today / {base.code}: " + ", ".join(parts))


@contextlib.contextmanager
def worktree(rev: str, path: Path) -> Iterator[tuple[str, Path]]:
    """A checkout of commit ``rev`` of this repository at ``path`` (removed after)."""
    root = Path(__file__).resolve().parents[1]
    short = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", f"{rev}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(
        ["git", "-C", str(root), "worktree", "add", "--detach", "--quiet", str(path), short],
        check=True,
    )
    try:
        yield short, path
    finally:
        subprocess.run(
            ["git", "-C", str(root), "worktree", "remove", "--force", str(path)], check=False
        )


if __name__ == "__main__":
    main()
