"""Ingest benchmark: one camera file, the whole single-pass ingest vs. ffmpeg's proxy alone.

    .venv/bin/python benchmarks/ingest_bench.py              # 10-minute 1080p30 camera
    .venv/bin/python benchmarks/ingest_bench.py --minutes 1  # quick run

The source (cached under benchmarks/.cache/) is a 1080p30 H.264 High/AAC file at a
camera-like ~20 Mb/s with a high-detail, moving picture: a procedurally textured
scene (multi-octave noise, hard-edged structures) seen by a panning, slightly shaky
camera, objects moving through it, and per-frame film grain; the sound is room tone,
speech-like bursts and a music bed. Each run is a child process so its wall time, CPU
time and peak RSS (``wait4`` rusage) are its own. Set-up installs Debian's ffmpeg
(``apt-get``) when it is missing, for the baseline: the proxy made by the CLI alone.
Targets: whole ingest <= 1.1x the ffmpeg proxy's wall time, peak RSS < 1 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "benchmarks" / ".cache"
sys.path.insert(0, str(ROOT))

from worker.ingest import IngestSettings, derive_all, probe  # noqa: E402
from worker.ingest.video_out import scaled_size  # noqa: E402

W, H, FPS, RATE = 1920, 1080, 30, 48_000
SOURCE_BITRATE = 20_000_000
RSS_TARGET_MB = 1024
RATIO_TARGET = 1.1
U8 = npt.NDArray[np.uint8]


# ---------------------------------------------------------------- source generation


class Scene:
    """A textured world larger than the frame, sprites, and a grain bank."""

    PAD_X, PAD_Y = 480, 240

    def __init__(self, seed: int = 7) -> None:
        from scipy.ndimage import zoom

        rng = np.random.default_rng(seed)
        wh, ww = H + 2 * self.PAD_Y, W + 2 * self.PAD_X
        luma = np.zeros((wh, ww), np.float32)
        # Octaves of smooth noise from large shapes down to fine texture (foliage,
        # fabric): x264 and the decoder see real detail at every scale.
        for cell, amp in ((240, 60.0), (60, 34.0), (15, 22.0), (4, 14.0)):
            grid = rng.standard_normal((wh // cell + 2, ww // cell + 2)).astype(np.float32)
            luma += amp * zoom(grid, cell, order=1, prefilter=False)[:wh, :ww]
        luma += 10.0 * rng.standard_normal((wh, ww)).astype(np.float32)  # pixel-level detail
        for _ in range(160):  # hard-edged structures: windows, signs, furniture
            y, x = rng.integers(0, wh - 120), rng.integers(0, ww - 160)
            h, w = rng.integers(12, 120), rng.integers(12, 160)
            luma[y : y + h, x : x + w] += rng.uniform(-70, 70)
        luma = 128 + (luma - luma.mean()) * (60 / luma.std())
        self.luma: U8 = np.clip(luma, 26, 228).astype(np.uint8)
        chroma = []
        for _ in range(2):
            grid = rng.standard_normal((wh // 2 // 60 + 2, ww // 2 // 60 + 2)).astype(np.float32)
            plane = 128 + 22 * zoom(grid, 60, order=1, prefilter=False)[: wh // 2, : ww // 2]
            chroma.append(np.clip(plane, 70, 186).astype(np.uint8))
        self.u, self.v = chroma
        # Moving objects: textured discs with their own colour.
        self.sprites: list[tuple[U8, npt.NDArray[np.bool_], int, int]] = []
        for size in (220, 160, 300):
            yy, xx = np.mgrid[:size, :size]
            mask = (yy - size / 2) ** 2 + (xx - size / 2) ** 2 < (size / 2) ** 2
            tex = rng.integers(40, 220, (size // 8 + 1, size // 8 + 1)).astype(np.float32)
            tex_full = zoom(tex, 8, order=1, prefilter=False)[:size, :size]
            tex_full += 12 * rng.standard_normal((size, size)).astype(np.float32)
            self.sprites.append(
                (
                    np.clip(tex_full, 20, 235).astype(np.uint8),
                    mask,
                    int(rng.integers(60, 196)),
                    int(rng.integers(60, 196)),
                )
            )
        # Film grain: zero-mean noise stored as uint8 two's complement, so a wrapping
        # uint8 add is a signed add (luma is kept within 26..228, grain within +-24).
        grain = np.clip(rng.normal(0, 6, (H + 64, W + 64)), -24, 24).astype(np.int8)
        self.grain: U8 = grain.view(np.uint8)
        self.rng = rng
        self.jitter = np.zeros(2)

    def frame(self, i: int) -> U8:
        """The i-th picture as one yuv420p array, shape (H * 3 / 2, W)."""
        t = i / FPS
        # A slow pan back and forth, a tilt, and handheld shake (a random walk).
        self.jitter = 0.92 * self.jitter + self.rng.normal(0, 1.2, 2)
        x = int(self.PAD_X + 0.95 * self.PAD_X * np.sin(2 * np.pi * t / 47) + self.jitter[0])
        y = int(self.PAD_Y + 0.8 * self.PAD_Y * np.sin(2 * np.pi * t / 29) + self.jitter[1])
        x = min(max(x, 0), 2 * self.PAD_X) & ~1
        y = min(max(y, 0), 2 * self.PAD_Y) & ~1
        out = np.empty((H * 3 // 2, W), np.uint8)
        luma = out[:H]
        gy, gx = self.rng.integers(0, 64, 2)
        np.add(self.luma[y : y + H, x : x + W], self.grain[gy : gy + H, gx : gx + W], out=luma)
        u = out[H : H + H // 4].reshape(H // 2, W // 2)
        v = out[H + H // 4 :].reshape(H // 2, W // 2)
        u[:] = self.u[y // 2 : y // 2 + H // 2, x // 2 : x // 2 + W // 2]
        v[:] = self.v[y // 2 : y // 2 + H // 2, x // 2 : x // 2 + W // 2]
        for k, (tex, mask, cu, cv) in enumerate(self.sprites):
            size = tex.shape[0]
            sx = int((W - size) * (0.5 + 0.45 * np.sin(2 * np.pi * t / (7 + 3 * k) + k)))
            sy = int((H - size) * (0.5 + 0.4 * np.sin(2 * np.pi * t / (5 + 2 * k) + 2 * k)))
            sx, sy = sx & ~1, sy & ~1
            region = luma[sy : sy + size, sx : sx + size]
            region[mask] = tex[mask]
            half = mask[::2, ::2]
            u[sy // 2 : sy // 2 + size // 2, sx // 2 : sx // 2 + size // 2][half] = cu
            v[sy // 2 : sy // 2 + size // 2, sx // 2 : sx // 2 + size // 2][half] = cv
        return out


def audio_minute(minute: int) -> npt.NDArray[np.float32]:
    """One minute of stereo sound: room tone, speech-like bursts and a music bed."""
    from scipy.signal import lfilter

    rng = np.random.default_rng(1000 + minute)
    n = 60 * RATE
    t = minute * 60 + np.arange(n) / RATE
    room = lfilter([0.05], [1, -0.95], rng.standard_normal(n)) * 0.02
    # Syllables: band-limited noise gated at 3-6 Hz, phrases of a few seconds.
    syll = np.clip(np.sin(2 * np.pi * 4.3 * t + 2 * np.sin(2 * np.pi * 0.7 * t)), 0, None) ** 2
    phrase = (np.sin(2 * np.pi * t / 9.0) > -0.2).astype(np.float64)
    voice = lfilter([0.3, 0.3], [1, -0.6], rng.standard_normal(n)) * syll * phrase * 0.25
    chord = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) * 0.03
    left = room + voice + chord
    right = 0.8 * room + 0.9 * voice + chord + 0.01 * rng.standard_normal(n)
    return np.stack([left, right]).astype(np.float32)


def make_source(path: Path, minutes: float) -> None:
    """Encode the benchmark camera file (once; it is cached)."""
    import av

    frames = round(minutes * 60 * FPS)
    tmp = path.with_suffix(".partial.mp4")
    scene = Scene()
    out = av.open(str(tmp), "w")
    vs = out.add_stream(
        "libx264",
        rate=FPS,
        options={
            # superfast keeps CABAC, B-frames and 8x8 transforms (what camera encoders
            # make, so decoding costs what it costs on a real file) and generates fast.
            "preset": "superfast",
            "maxrate": "25M",
            "bufsize": "20M",
            "profile": "high",
        },
    )
    vs.width, vs.height, vs.pix_fmt = W, H, "yuv420p"
    vs.bit_rate = SOURCE_BITRATE
    vs.codec_context.gop_size = FPS
    vs.codec_context.max_b_frames = 2
    aus = out.add_stream("aac", rate=RATE, layout="stereo")
    aus.bit_rate = 192_000
    per_frame = RATE // FPS
    audio = audio_minute(0)
    start = time.monotonic()
    for i in range(frames):
        frame = av.VideoFrame.from_ndarray(scene.frame(i), format="yuv420p")
        frame.pts = i
        out.mux(vs.encode(frame))
        a0 = i * per_frame
        if a0 // (60 * RATE) != (a0 - per_frame) // (60 * RATE) and i:
            audio = audio_minute(a0 // (60 * RATE))
        off = a0 % (60 * RATE)
        af = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(audio[:, off : off + per_frame]), format="fltp", layout="stereo"
        )
        af.sample_rate, af.pts, af.time_base = RATE, a0, Fraction(1, RATE)
        out.mux(aus.encode(af))
        if i % (FPS * 30) == 0:
            rate = (i + 1) / max(1e-6, time.monotonic() - start)
            print(
                f"  generating source: {i / FPS:.0f} s of {minutes * 60:.0f} s "
                f"({rate:.1f} frames/s)",
                file=sys.stderr,
                flush=True,
            )
    out.mux(vs.encode())
    out.mux(aus.encode())
    out.close()
    tmp.rename(path)


# ---------------------------------------------------------------- measured runs


@dataclass
class Run:
    name: str
    wall_s: float
    cpu_s: float
    rss_mb: float
    out_bytes: int
    load: float  # 1-minute load average when the run started (other work on the machine)


def ensure_ffmpeg() -> str:
    """Debian's ffmpeg for the baseline, installed when missing (needs root)."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    print("ffmpeg not found: apt-get update && apt-get install -y ffmpeg", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(
        ["apt-get", "install", "-y", "--no-install-recommends", "ffmpeg"],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    found = shutil.which("ffmpeg")
    if not found:
        raise SystemExit("ffmpeg is still missing after apt-get install")
    return found


def _vm_hwm_mb(pid: int) -> float:
    """Peak resident memory of a running process (0 once it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(name: str, cmd: list[str], out_dir: Path) -> Run:
    """Run ``cmd`` as a child: its own wall time, CPU time and peak RSS.

    Peak RSS is the child's VmHWM, polled while it runs (and reported by the Python
    child itself at exit): rusage's ru_maxrss would start at this parent's size,
    because Linux carries the pre-exec high-water mark across exec.
    """
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        peak = 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, _vm_hwm_mb(proc.pid))
            time.sleep(0.05)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed ({proc.returncode}):\n{stderr[-3000:]}{stdout[-1000:]}")
    lines = stdout.strip().splitlines()
    if lines and lines[-1].startswith("{"):
        peak = max(peak, float(json.loads(lines[-1]).get("vm_hwm_mb", 0.0)))
    size = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    return Run(name, wall, usage.ru_utime + usage.ru_stime, peak, size, load)


def ingest_cmd(source: Path, out_dir: Path, kinds: list[str]) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        str(source),
        str(out_dir),
        ",".join(kinds),
    ]


def ffmpeg_cmd(ffmpeg: str, source: Path, out: Path, config: IngestSettings) -> list[str]:
    """The plan's proxy (same settings as the ingest's) by the ffmpeg CLI alone."""
    info = probe(source)
    w, h = scaled_size(info.width, info.height, None, config.proxy_height, config.proxy_upscale)
    return [
        ffmpeg,
        "-nostdin",
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(source),
        "-map",
        "0:v:0",
        "-an",
        "-sn",
        "-dn",
        "-vf",
        f"scale={w}:{h}:flags={config.proxy_scaler}",
        "-c:v",
        "libx264",
        "-preset",
        config.proxy_preset,
        "-crf",
        f"{config.proxy_crf:g}",
        "-g",
        str(config.proxy_gop),
        "-bf",
        str(config.proxy_bframes),
        "-x264-params",
        "scenecut=0",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        str(out),
    ]


def child(source: str, out_dir: str, kinds: str) -> None:
    """One measured ingest: probe, then derive the given kinds."""
    info = probe(source)
    chosen = [k for k in kinds.split(",") if k] or None  # none given: the planned kinds
    files = derive_all(source, out_dir, info, IngestSettings(), kinds=chosen)  # type: ignore[arg-type]
    report: dict[str, float] = {f.kind: f.size_bytes for f in files}
    report["vm_hwm_mb"] = _vm_hwm_mb(os.getpid())
    print(json.dumps(report))


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--minutes",
        type=float,
        default=10.0,
        help="length of the generated camera file (default 10)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="alternate ffmpeg / whole ingest this many times; the best "
        "wall time of each counts (default 1)",
    )
    parser.add_argument(
        "--singles",
        default="proxy,audio-wav,waveform,thumbnail,mezzanine",
        help="derived kinds to also run alone, comma-separated ('' for none; "
        "the mezzanine is a slow full-resolution encode)",
    )
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="make (and cache) the source file, measure nothing",
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("SOURCE", "OUT", "KINDS"), help=argparse.SUPPRESS
    )
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    if args.child:
        child(*args.child)
        return

    ffmpeg = ensure_ffmpeg()
    ff_version = subprocess.run(
        [ffmpeg, "-version"], capture_output=True, text=True, check=True
    ).stdout.splitlines()[0]
    CACHE.mkdir(parents=True, exist_ok=True)
    source = CACHE / f"camera-{args.minutes:g}min-1080p30.mp4"
    if not source.exists():
        print(f"generating {source.name} (cached for later runs)", file=sys.stderr)
        t0 = time.monotonic()
        make_source(source, args.minutes)
        print(f"  generated in {time.monotonic() - t0:.0f} s", file=sys.stderr)
    if args.generate_only:
        return
    config = IngestSettings()
    t0 = time.perf_counter()
    info = probe(source)
    probe_s = time.perf_counter() - t0
    media_s = info.duration_s
    print(
        f"source: {source.name}  {info.resolution} {info.fps:g} fps  "
        f"{info.video_codec}/{info.audio_codec}  {media_s:.0f} s  "
        f"{info.size_bytes / 1e6:.0f} MB  video {(info.video_bit_rate or 0) / 1e6:.1f} Mb/s"
    )
    print(
        f"baseline: {ff_version}; cores: {os.cpu_count()}; "
        f"load average at start: {os.getloadavg()[0]:.2f}"
    )

    runs: list[Run] = []
    whole: list[Run] = []
    base: list[Run] = []
    proxy_bytes = 0
    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        work = Path(tmp)

        def fresh(name: str) -> Path:
            d = work / name
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir()
            return d

        for _ in range(args.repeat):
            d = fresh("ffmpeg")
            base.append(
                measure(
                    "ffmpeg CLI proxy (baseline)",
                    ffmpeg_cmd(ffmpeg, source, d / "proxy.mp4", config),
                    d,
                )
            )
            print(f"  {base[-1]}", file=sys.stderr, flush=True)
            d = fresh("whole")
            whole.append(
                measure(
                    "whole ingest (probe+wav+proxy+waveform+thumbnail)",
                    ingest_cmd(source, d, []),
                    d,
                )
            )
            proxy_bytes = (d / "proxy.mp4").stat().st_size
            print(f"  {whole[-1]}", file=sys.stderr, flush=True)
        runs += [min(base, key=lambda r: r.wall_s), min(whole, key=lambda r: r.wall_s)]
        for kind in [k for k in args.singles.split(",") if k]:
            d = fresh(kind)
            runs.append(measure(f"{kind} alone", ingest_cmd(source, d, [kind]), d))
            print(f"  {runs[-1]}", file=sys.stderr, flush=True)
        ff_bytes = (work / "ffmpeg" / "proxy.mp4").stat().st_size

    print()
    print(
        f"{'run':<52} {'wall s':>8} {'x realtime':>10} {'CPU s':>8} {'cores':>6} "
        f"{'peak RSS MB':>11} {'output MB':>10} {'load':>5}"
    )
    print(f"{'probe (in-process)':<52} {probe_s:>8.3f} {media_s / probe_s:>10.0f}")
    for r in runs:
        print(
            f"{r.name:<52} {r.wall_s:>8.1f} {media_s / r.wall_s:>10.2f} {r.cpu_s:>8.1f} "
            f"{r.cpu_s / r.wall_s:>6.2f} {r.rss_mb:>11.0f} {r.out_bytes / 1e6:>10.1f} "
            f"{r.load:>5.1f}"
        )
    ratio = runs[1].wall_s / runs[0].wall_s
    cpu_ratio = runs[1].cpu_s / runs[0].cpu_s
    minutes = media_s / 60
    peak = max(r.rss_mb for r in runs[1:])
    print()
    print(
        f"proxy bytes per minute: {proxy_bytes / minutes / 1e6:.1f} MB/min "
        f"(ffmpeg CLI proxy: {ff_bytes / minutes / 1e6:.1f} MB/min)"
    )
    print(
        f"whole ingest / ffmpeg proxy wall time: {ratio:.3f} (target <= {RATIO_TARGET}) "
        f"{'OK' if ratio <= RATIO_TARGET else 'MISSED'}"
    )
    print(
        f"whole ingest / ffmpeg proxy CPU time: {cpu_ratio:.3f} (what the machine's load "
        f"does not change)"
    )
    print(
        f"peak RSS of any ingest run: {peak:.0f} MB (target < {RSS_TARGET_MB}) "
        f"{'OK' if peak < RSS_TARGET_MB else 'MISSED'}"
    )
    print(
        f"load average at end: {os.getloadavg()[0]:.2f} (other work on the machine skews "
        f"both sides; use --repeat to alternate runs)"
    )


if __name__ == "__main__":
    main()
