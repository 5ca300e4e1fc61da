"""Preview benchmark: how proxy GOP and rate settings feel in the browser, and what they cost.

    .venv/bin/python -m benchmarks.preview_bench                  # 60 s grainy 1080p30 source
    .venv/bin/python -m benchmarks.preview_bench --seconds 20     # quicker
    .venv/bin/python -m benchmarks.preview_bench --variants current,gop30 --seeks 60
    MULTICAM_INGEST_PROXY_GOP=45 .venv/bin/python -m benchmarks.preview_bench  # a candidate

The source is the ingest benchmark's camera (benchmarks/ingest_bench.py: textured
panning scene, moving objects, per-frame film grain, speech/music audio; 1080p30
H.264 High at ~20 Mb/s + AAC), generated once and cached under
~/.cache/multicam/preview-bench/ by a hash of its generation parameters and code.

Each variant's proxy is made by the product's own code, ``derive_all(kinds=["proxy"])``
with ``IngestSettings`` overrides (so ``current`` is exactly what ingest makes today,
``MULTICAM_INGEST_*`` variables included); its wall and CPU time are the proxy-only
ingest (decode, scale, encode). The proxies are then served on 127.0.0.1 by a small
HTTP server with Range support (206 responses, as S3/R2 give) to Debian's headless
Chromium, which measures in the page with ``performance.now()``:

* seek: ``video.currentTime = t`` to the frame presented at t
  (``requestVideoFrameCallback`` with that frame's mediaTime), at the same random
  positions (fixed seed) for every variant; p50 and p95;
* start-up: a page with three of the proxy side by side, from navigation to all three
  at readyState >= 2 (HAVE_CURRENT_DATA) with their first frame presented (median of
  several loads, each in a fresh browser context so nothing is cached).

Also printed: MB per minute of proxy, the mean keyframe interval actually written, the
mean frames decoded per seek, and luma PSNR (sampled frames, at the proxy's size)
against the grainy source and against the generated scene before grain was added, so
a rate change's cost in picture shows apart from how much film grain it keeps.

Ratios are against ``current`` measured in the same run; the browser measurements
interleave the variants (each seek target in every variant before the next target;
start-ups in alternating order) so a slow spell of the (shared) machine does not land
on one variant.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import hashlib
import inspect
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock

import av
import numpy as np
import numpy.typing as npt
from av.video.reformatter import VideoReformatter
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks import ingest_bench
from tests.support.browser import chromium, chromium_path
from worker.ingest import IngestSettings, derive_all, probe
from worker.ingest import derive as derive_mod
from worker.ingest.video_out import scaled_size

CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "multicam" / "preview-bench"
)
SEEK_TIMEOUT_MS = 10_000
STARTUP_TIMEOUT_MS = 30_000
SEEK_GOOD_P95_MS = 100.0  # the product promise: scrubbing feels immediate


# ---------------------------------------------------------------- source


def source_key(seconds: float) -> str:
    """Content hash of everything that decides the generated source's bytes."""
    params = {
        "width": ingest_bench.W,
        "height": ingest_bench.H,
        "fps": ingest_bench.FPS,
        "audio_rate": ingest_bench.RATE,
        "bitrate": ingest_bench.SOURCE_BITRATE,
        "seconds": seconds,
        "pyav": av.__version__,
        # The generator's code: changing the scene or the encode makes a new source.
        "code": [
            inspect.getsource(obj)
            for obj in (ingest_bench.Scene, ingest_bench.audio_minute, ingest_bench.make_source)
        ],
    }
    blob = json.dumps(params, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def cached_source(seconds: float) -> Path:
    """The grainy 1080p30 camera clip, generated once per parameter set."""
    path = CACHE / f"source-{seconds:g}s-{source_key(seconds)}.mp4"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"generating {path} (cached for later runs)", file=sys.stderr, flush=True)
        t0 = time.monotonic()
        ingest_bench.make_source(path, seconds / 60)
        print(f"  generated in {time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    return path


# ---------------------------------------------------------------- variants


@dataclass(frozen=True)
class Variant:
    """One proxy setting: IngestSettings overrides (+ x264 scene-cut, not a setting)."""

    name: str
    overrides: dict[str, Any]
    scenecut: bool = False  # derive.py always makes the proxy with strict keyframes

    def settings(self) -> IngestSettings:
        return IngestSettings(**self.overrides)

    def key(self) -> tuple[Any, ...]:
        s = self.settings()
        return (s.proxy_preset, s.proxy_crf, s.proxy_gop, s.proxy_bframes, self.scenecut)

    def label(self) -> str:
        s = self.settings()
        gop = f"keyint {s.proxy_gop} + scene-cut" if self.scenecut else f"GOP {s.proxy_gop}"
        return f"{gop}, crf {s.proxy_crf:g}, bf {s.proxy_bframes}, {s.proxy_preset}"


# Fixed comparison points; "current" is whatever IngestSettings() gives (the defaults
# and any MULTICAM_INGEST_* variables). A fixed variant equal to it is not run twice.
CATALOGUE: dict[str, Variant] = {
    v.name: v
    for v in (
        Variant("current", {}),
        Variant("gop2", {"proxy_gop": 2, "proxy_crf": 23, "proxy_bframes": 0}),
        # libx264's own defaults: keyint 250, scene-cut keyframes, 3 B-frames (veryfast).
        Variant(
            "x264-default", {"proxy_gop": 250, "proxy_crf": 23, "proxy_bframes": 3}, scenecut=True
        ),
        Variant("gop10", {"proxy_gop": 10, "proxy_crf": 23, "proxy_bframes": 0}),
        Variant("gop15", {"proxy_gop": 15, "proxy_crf": 23, "proxy_bframes": 0}),
        Variant("gop30", {"proxy_gop": 30, "proxy_crf": 23, "proxy_bframes": 0}),
        Variant("gop15-crf26", {"proxy_gop": 15, "proxy_crf": 26, "proxy_bframes": 0}),
        Variant("gop30-crf26", {"proxy_gop": 30, "proxy_crf": 26, "proxy_bframes": 0}),
        Variant("gop15-bf2", {"proxy_gop": 15, "proxy_crf": 23, "proxy_bframes": 2}),
        Variant("gop60", {"proxy_gop": 60, "proxy_crf": 23, "proxy_bframes": 0}),
        Variant("gop2-crf28", {"proxy_gop": 2, "proxy_crf": 28, "proxy_bframes": 0}),
    )
}
DEFAULT_VARIANTS = "current,gop2,x264-default,gop15,gop15-crf26,gop30-crf26"


def choose_variants(names: str) -> list[Variant]:
    """The named variants, ``current`` first, duplicates of its settings dropped."""
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in CATALOGUE]
    if unknown:
        raise SystemExit(f"unknown variants {unknown}; known: {', '.join(CATALOGUE)}")
    chosen = [CATALOGUE["current"]] + [CATALOGUE[n] for n in wanted if n != "current"]
    seen: set[tuple[Any, ...]] = set()
    out = []
    for v in chosen:
        if v.key() in seen:
            print(
                f"  {v.name}: same settings as an earlier variant, not run again", file=sys.stderr
            )
            continue
        seen.add(v.key())
        out.append(v)
    return out


@contextlib.contextmanager
def scenecut_allowed(enabled: bool) -> Iterator[None]:
    """Let x264 add scene-cut keyframes to the proxy for one encode.

    Scene-cut is not an ingest setting (derive.py makes every proxy with strict
    keyframes), so the x264-default variant alone swaps the proxy's VideoSpec;
    everything else is the product's own code path.
    """
    if not enabled:
        yield
        return
    original = derive_mod._h264_specs

    def specs(*args: Any, **kwargs: Any) -> dict[Any, Any]:
        out = original(*args, **kwargs)
        if "proxy" in out:
            out["proxy"] = dataclasses.replace(out["proxy"], strict_gop=False)
        return out

    with mock.patch.object(derive_mod, "_h264_specs", specs):
        yield


@dataclass
class Encoded:
    variant: Variant
    path: Path
    wall_s: float
    cpu_s: float
    size_bytes: int
    duration_s: float
    layout: Layout
    psnr_source: float = math.nan  # against the grainy source
    psnr_scene: float = math.nan  # against the picture before grain
    seek_ms: list[float] = dataclasses.field(default_factory=list)
    seek_failures: int = 0
    startup_ms: list[float] = dataclasses.field(default_factory=list)
    startup_failures: int = 0

    @property
    def frames(self) -> int:
        return len(self.layout.frame_times)

    @property
    def keyframes(self) -> int:
        return int(self.layout.is_key.sum())

    @property
    def mb_per_min(self) -> float:
        return self.size_bytes / 1e6 / (self.duration_s / 60)


@dataclass
class Layout:
    """Where a proxy's frames and keyframes are (presentation times from 0, in s)."""

    frame_times: npt.NDArray[np.float64]
    is_key: npt.NDArray[np.bool_]
    duration_s: float

    @classmethod
    def read(cls, path: Path) -> Layout:
        """From the packets alone (no decoding)."""
        with av.open(str(path)) as c:
            vs = c.streams.video[0]
            tb = float(vs.time_base or 0)
            packets = sorted(
                (p.pts, p.is_keyframe) for p in c.demux(vs) if p.size and p.pts is not None
            )
            duration = float(vs.duration * tb) if vs.duration else (c.duration or 0) / 1e6
        times = np.array([pts * tb for pts, _ in packets])
        return cls(times - times[0], np.array([k for _, k in packets]), duration)

    def decoded_per_seek(self, t: float) -> int:
        """Frames decoded to show time t: from the keyframe at or before it, inclusive."""
        j = max(0, int(np.searchsorted(self.frame_times, t + 1e-6, side="right")) - 1)
        keys = np.flatnonzero(self.is_key[: j + 1])
        return j - int(keys[-1]) + 1 if len(keys) else j + 1


def encode(variant: Variant, source: Path, out_dir: Path) -> Encoded:
    """Make the variant's proxy with the product's ingest code; time it."""
    work = out_dir / f"{variant.name}.d"
    work.mkdir()
    info = probe(source)
    settings = variant.settings()
    with scenecut_allowed(variant.scenecut):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        files = derive_all(source, work, info, settings, kinds=["proxy"])
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    path = out_dir / f"{variant.name}.mp4"
    shutil.move(files[0].path, path)
    shutil.rmtree(work)
    layout = Layout.read(path)
    return Encoded(
        variant, path, wall, cpu, path.stat().st_size, layout.duration_s or info.duration_s, layout
    )


# ---------------------------------------------------------------- picture quality


def _luma(frame: av.VideoFrame) -> npt.NDArray[np.uint8]:
    """The Y plane of a yuv420p frame (to_ndarray stacks Y, U, V rows)."""
    planes = np.asarray(frame.to_ndarray(), dtype=np.uint8)
    return planes[: frame.height].copy()


Refs = dict[int, npt.NDArray[np.uint8]]  # frame index -> luma at the proxy's size


def _scaled_luma(
    frame: av.VideoFrame, size: tuple[int, int], scaler: str, reformatter: VideoReformatter
) -> npt.NDArray[np.uint8]:
    return _luma(
        reformatter.reformat(frame, size[0], size[1], "yuv420p", interpolation=scaler.upper())
    )


def source_refs(source: Path, size: tuple[int, int], every: int, scaler: str) -> Refs:
    """Every ``every``-th decoded source frame, scaled as the proxy is."""
    refs: Refs = {}
    reformatter = VideoReformatter()
    with av.open(str(source)) as c:
        vs = c.streams.video[0]
        vs.codec_context.thread_type = "AUTO"
        for i, frame in enumerate(c.decode(vs)):
            if i % every == 0:
                refs[i] = _scaled_luma(frame, size, scaler, reformatter)
    return refs


def scene_refs(frames: int, size: tuple[int, int], every: int, scaler: str) -> Refs:
    """The same frames as the generator drew them before grain and compression.

    The generator's random draws (shake, grain offsets) are replayed with a zero
    grain bank, so frame i is the source's frame i without its grain: PSNR against
    it says how much of the scene a proxy keeps, apart from how much grain it keeps.
    """
    scene = ingest_bench.Scene()
    scene.grain = np.zeros_like(scene.grain)
    refs: Refs = {}
    reformatter = VideoReformatter()
    for i in range(frames):
        picture = scene.frame(i)
        if i % every == 0:
            frame = av.VideoFrame.from_ndarray(picture, format="yuv420p")
            refs[i] = _scaled_luma(frame, size, scaler, reformatter)
    return refs


def _psnr(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> float:
    diff = a.astype(np.float32) - b
    mse = float(np.mean(diff * diff))
    return 99.0 if mse == 0 else 10 * math.log10(255**2 / mse)


def psnr_y(path: Path, *refs: Refs) -> list[float]:
    """Mean luma PSNR (dB) of the proxy against each set of reference frames."""
    values: list[list[float]] = [[] for _ in refs]
    with av.open(str(path)) as c:
        vs = c.streams.video[0]
        vs.codec_context.thread_type = "AUTO"
        for i, frame in enumerate(c.decode(vs)):
            if any(i in ref for ref in refs):
                luma = _luma(frame)
                for ref, out in zip(refs, values, strict=True):
                    if i in ref:
                        out.append(_psnr(luma, ref[i]))
    return [statistics.fmean(v) if v else math.nan for v in values]


# ---------------------------------------------------------------- HTTP with Range


class _Handler(BaseHTTPRequestHandler):
    """GET/HEAD of files in one directory, with single-range requests (206)."""

    root: Path
    pages: dict[str, bytes]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per range request would drown the report

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        name = urllib.parse.urlsplit(self.path).path.lstrip("/")
        if name in self.pages:
            data = self.pages[name]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if body:
                self.wfile.write(data)
            return
        path = self.root / name
        if "/" in name or not name.endswith(".mp4") or not path.is_file():
            self.send_error(404)
            return
        size = path.stat().st_size
        start, end = 0, size - 1
        status = 200
        header = self.headers.get("Range")
        if header and header.startswith("bytes=") and "," not in header:
            first, _, last = header[6:].strip().partition("-")
            if first:
                start = int(first)
                end = min(int(last), size - 1) if last else size - 1
            elif last:
                start = max(0, size - int(last))
            if start > end or start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if not body:
            return
        # Chromium cancels range requests it no longer needs (after a seek): a
        # closed connection is normal here, not an error.
        with contextlib.suppress(ConnectionError), path.open("rb") as fh:
            fh.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = fh.read(min(left, 1 << 20))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Chromium drops connections it no longer needs after a seek: not worth a trace.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(root: Path, pages: dict[str, bytes]) -> Iterator[str]:
    """Serve ``root``'s .mp4 files and the given pages on 127.0.0.1; yields the base URL."""
    handler = type("Handler", (_Handler,), {"root": root, "pages": pages})
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="preview-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- in the browser

# Resolves when the video presents a frame whose mediaTime is within [lo, hi] s:
# a callback for any other frame (an earlier one still on its way) re-registers.
_PRESENTED_JS = """
function presented(v, lo, hi, timeoutMs) {
  return new Promise((resolve) => {
    let handle = 0;
    const timer = setTimeout(() => { v.cancelVideoFrameCallback(handle); resolve(null); },
                             timeoutMs);
    const cb = (now, meta) => {
      if (meta.mediaTime >= lo && meta.mediaTime <= hi) {
        clearTimeout(timer);
        resolve({at: performance.now(), mediaTime: meta.mediaTime});
      } else {
        handle = v.requestVideoFrameCallback(cb);
      }
    };
    handle = v.requestVideoFrameCallback(cb);
  });
}
"""

SEEK_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>seek</title>
<style>body{margin:0;background:#000}video{width:1280px;height:720px}</style></head><body>
<video id="v" preload="auto" muted playsinline></video>
<script>
%(presented)s
const v = document.getElementById('v');
// The first frame is shown before any seek is measured (start-up is measured apart).
// The frame callback may run before readyState reaches 2: wait for loadeddata too.
const data = new Promise((resolve) => {
  const check = () => { if (v.readyState >= 2) resolve(); };
  v.addEventListener('loadeddata', check);
  v.addEventListener('canplay', check);
});
window.loaded = Promise.race([
  Promise.all([presented(v, -1, 1e9, %(timeout)d), data]).then(() => v.readyState),
  new Promise((resolve) => setTimeout(() => resolve(null), %(timeout)d))]);
v.src = new URLSearchParams(location.search).get('src');
window.seekAll = async (targets, frame) => {
  const out = [];
  for (const t of targets) {
    const seeked = new Promise((r) => v.addEventListener('seeked', r, {once: true}));
    // The frame shown for t is the one whose timestamp is at or just before t.
    const done = presented(v, t - 1.5 * frame, t + 0.5 * frame, %(timeout)d);
    const t0 = performance.now();
    v.currentTime = t;
    const hit = await done;
    await seeked;
    out.push(hit === null ? null : hit.at - t0);
    await new Promise((r) => setTimeout(r, 50));  // let the pipeline settle
  }
  return out;
};
</script></body></html>"""

STARTUP_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>start-up</title>
<style>body{margin:0;background:#000;display:flex;gap:8px}video{width:632px;height:356px}
</style></head><body>
<video preload="auto" muted playsinline></video>
<video preload="auto" muted playsinline></video>
<video preload="auto" muted playsinline></video>
<script>
%(presented)s
const src = new URLSearchParams(location.search).get('src');
const videos = [...document.querySelectorAll('video')];
// Each needs its first frame presented and HAVE_CURRENT_DATA; performance.now() counts
// from navigation start, so the page's own load is included, as an operator sees it.
Promise.all(videos.map((v, i) => {
  const frame = presented(v, -1, 1e9, %(timeout)d);
  const data = new Promise((resolve) => {
    const check = () => { if (v.readyState >= 2) resolve(); };
    v.addEventListener('loadeddata', check);
    v.addEventListener('canplay', check);
  });
  // Three cameras are three URLs: no element reuses another's download.
  v.src = src + '?cam=' + (i + 1);
  return Promise.all([frame, data]).then(([f]) => f);
})).then((frames) => {
  window.startupMs = frames.includes(null) ? -1 : performance.now();
});
</script></body></html>"""


def seek_targets(n: int, duration_s: float, fps: float, seed: int) -> list[float]:
    """``n`` random frame-centre times, at least 1 s apart from the previous one."""
    rng = np.random.default_rng(seed)
    last_frame = int((duration_s - 0.5) * fps)
    targets: list[float] = []
    while len(targets) < n:
        t = (int(rng.integers(int(fps // 2), last_frame)) + 0.5) / fps
        if not targets or abs(t - targets[-1]) >= 1.0:
            targets.append(round(t, 6))
    return targets


def measure_browser(
    encoded: Sequence[Encoded], base: str, targets: list[float], fps: float, startups: int
) -> None:
    """Seek and start-up figures for every variant, variants interleaved.

    Every variant has its page open at once and each target is sought in all of them
    before the next (the order rotating), so a slow spell of the shared machine hits
    every variant alike instead of whichever was being measured.
    """
    with chromium() as browser:
        print(f"  browser: Chromium {browser.version} ({chromium_path()})", file=sys.stderr)
        pages = {}
        for enc in encoded:
            context = browser.new_context(viewport={"width": 1300, "height": 740})
            page = context.new_page()
            page.goto(f"{base}/seek.html?src={enc.path.name}")
            ready = page.evaluate("window.loaded")
            if ready is None or ready < 2:
                state = page.evaluate("[v.readyState, v.networkState, v.error && v.error.message]")
                raise SystemExit(
                    f"{enc.variant.name}: the proxy did not show its first frame "
                    f"in Chromium within {SEEK_TIMEOUT_MS} ms (readyState, "
                    f"networkState, error: {state})"
                )
            pages[enc.variant.name] = page
        for i, t in enumerate(targets):
            k = i % len(encoded)
            for enc in [*encoded[k:], *encoded[:k]]:
                ms = pages[enc.variant.name].evaluate(
                    "([t, f]) => window.seekAll(t, f)", [[t], 1 / fps]
                )[0]
                if ms is None:
                    enc.seek_failures += 1
                else:
                    enc.seek_ms.append(ms)
            if (i + 1) % 20 == 0:
                print(
                    f"  {i + 1} of {len(targets)} seeks: medians "
                    + ", ".join(
                        f"{e.variant.name} {statistics.median(e.seek_ms or [0]):.0f}"
                        for e in encoded
                    )
                    + " ms",
                    file=sys.stderr,
                    flush=True,
                )
        for page in pages.values():
            page.context.close()
        for i in range(startups):
            order = list(encoded) if i % 2 == 0 else list(reversed(encoded))
            for enc in order:
                # A fresh context each time: an empty cache, as a new review page has.
                context = browser.new_context(viewport={"width": 1920, "height": 1080})
                try:
                    page = context.new_page()
                    page.goto(f"{base}/startup.html?src={enc.path.name}")
                    try:
                        page.wait_for_function(
                            "window.startupMs !== undefined", timeout=STARTUP_TIMEOUT_MS
                        )
                        ms = float(page.evaluate("window.startupMs"))
                    except PlaywrightTimeout:
                        ms = -1.0
                finally:
                    context.close()
                if ms >= 0:
                    enc.startup_ms.append(ms)
                else:
                    enc.startup_failures += 1
        for enc in encoded:
            print(
                f"  start-up {enc.variant.name}: "
                + ", ".join(f"{m:.0f}" for m in enc.startup_ms)
                + " ms",
                file=sys.stderr,
                flush=True,
            )


# ---------------------------------------------------------------- report


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else math.nan


@dataclass(frozen=True)
class Row:
    """One variant's figures as printed."""

    variant: str
    settings: str
    mb_per_min: float
    mean_gop: float
    decoded: float
    psnr_source: float
    psnr_scene: float
    seek_p50: float
    seek_p95: float
    startup: float
    encode_s: float
    cpu_s: float
    failures: int
    startup_failures: int

    @classmethod
    def of(cls, e: Encoded, targets: Sequence[float]) -> Row:
        decoded = statistics.fmean(e.layout.decoded_per_seek(t) for t in targets)
        return cls(
            e.variant.name,
            e.variant.label(),
            e.mb_per_min,
            e.frames / max(1, e.keyframes),
            decoded,
            e.psnr_source,
            e.psnr_scene,
            percentile(e.seek_ms, 50),
            percentile(e.seek_ms, 95),
            statistics.median(e.startup_ms) if e.startup_ms else math.nan,
            e.wall_s,
            e.cpu_s,
            e.seek_failures,
            e.startup_failures,
        )


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base and not math.isnan(base) else "-"


def report(encoded: Sequence[Encoded], targets: Sequence[float]) -> None:
    """The table, then every variant's ratios against ``current``."""
    seeks = len(targets)
    rows = [Row.of(e, targets) for e in encoded]
    width = max(len(r.settings) for r in rows)
    print()
    print(
        f"{'variant':<13} {'settings':<{width}} {'MB/min':>7} {'mean GOP':>8} "
        f"{'frames/seek':>11} {'PSNR src':>8} {'PSNR scene':>10} {'seek p50 ms':>11} "
        f"{'seek p95 ms':>11} {'3-up start ms':>13} {'encode s':>8} {'CPU s':>6}"
    )
    for r in rows:
        fail = f"  ({r.failures} of {seeks} seeks timed out)" if r.failures else ""
        if r.startup_failures:
            fail += f"  ({r.startup_failures} start-ups timed out)"
        print(
            f"{r.variant:<13} {r.settings:<{width}} {r.mb_per_min:>7.1f} {r.mean_gop:>8.1f} "
            f"{r.decoded:>11.1f} {r.psnr_source:>8.2f} {r.psnr_scene:>10.2f} "
            f"{r.seek_p50:>11.0f} {r.seek_p95:>11.0f} {r.startup:>13.0f} "
            f"{r.encode_s:>8.1f} {r.cpu_s:>6.1f}{fail}"
        )
    base = rows[0]
    print()
    print(f"ratios against current ({base.settings}), same run (PSNR: difference in dB):")
    print(
        f"{'variant':<13} {'MB/min':>7} {'seek p50':>9} {'seek p95':>9} {'start-up':>9} "
        f"{'encode':>7} {'PSNR src':>9} {'PSNR scene':>11}"
    )
    for r in rows:
        print(
            f"{r.variant:<13} {_ratio(r.mb_per_min, base.mb_per_min):>7} "
            f"{_ratio(r.seek_p50, base.seek_p50):>9} {_ratio(r.seek_p95, base.seek_p95):>9} "
            f"{_ratio(r.startup, base.startup):>9} {_ratio(r.encode_s, base.encode_s):>7} "
            f"{r.psnr_source - base.psnr_source:>+9.2f} "
            f"{r.psnr_scene - base.psnr_scene:>+11.2f}"
        )
    good = [r for r in rows if r.seek_p95 < SEEK_GOOD_P95_MS and not r.failures]
    if good:
        best = min(good, key=lambda r: r.mb_per_min)
        print(
            f"\nsmallest proxy with seek p95 < {SEEK_GOOD_P95_MS:.0f} ms: {best.variant} "
            f"({best.settings}): {best.mb_per_min:.1f} MB/min, p95 {best.seek_p95:.0f} ms"
        )
    else:
        print(f"\nno variant reached seek p95 < {SEEK_GOOD_P95_MS:.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks.preview_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--seconds",
        type=float,
        default=60.0,
        help="length of the generated 1080p30 source (default 60; cached)",
    )
    ap.add_argument(
        "--variants",
        default=DEFAULT_VARIANTS,
        help="comma-separated variants, 'current' always first "
        f"(default {DEFAULT_VARIANTS}; known: {', '.join(CATALOGUE)})",
    )
    ap.add_argument(
        "--seeks",
        type=int,
        default=80,
        help="random seek positions, the same for every variant (default 80)",
    )
    ap.add_argument(
        "--seed", type=int, default=20261130, help="seed of the seek positions (default 20261130)"
    )
    ap.add_argument(
        "--startups",
        type=int,
        default=5,
        help="3-proxy page loads per variant; the median is reported (default 5)",
    )
    ap.add_argument(
        "--psnr-every",
        type=int,
        default=13,
        help="PSNR-Y on every n-th frame (default 13: prime, so the samples "
        "fall on I- and P-frames alike for any GOP; 0 skips it)",
    )
    ap.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="keep the proxies in this directory (default: a temporary one)",
    )
    ap.add_argument(
        "--generate-only",
        action="store_true",
        help="make (and cache) the source clip, measure nothing",
    )
    args = ap.parse_args()

    source = cached_source(args.seconds)
    if args.generate_only:
        return
    variants = choose_variants(args.variants)
    info = probe(source)
    print(
        f"source: {source}  {info.resolution} {info.fps:g} fps  {info.video_codec}/"
        f"{info.audio_codec}  {info.duration_s:.1f} s  {info.size_bytes / 1e6:.0f} MB"
    )
    print(
        f"cores: {os.cpu_count()}; load average at start: {os.getloadavg()[0]:.2f}; "
        f"PyAV {av.__version__}"
    )

    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            out_dir = args.keep
            shutil.rmtree(out_dir, ignore_errors=True)
            out_dir.mkdir(parents=True)
        else:
            out_dir = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="preview-bench-"))
            )
        encoded: list[Encoded] = []
        for v in variants:
            print(f"encoding {v.name}: {v.label()}", file=sys.stderr, flush=True)
            encoded.append(encode(v, source, out_dir))
            e = encoded[-1]
            print(
                f"  {e.wall_s:.1f} s wall, {e.cpu_s:.1f} s CPU, {e.mb_per_min:.1f} MB/min, "
                f"{e.keyframes} keyframes in {e.frames} frames",
                file=sys.stderr,
                flush=True,
            )
        if args.psnr_every > 0:
            print(
                "PSNR-Y references (source, and scene before grain, scaled as the proxy is)",
                file=sys.stderr,
                flush=True,
            )
            config = IngestSettings()
            size = scaled_size(
                info.width, info.height, None, config.proxy_height, config.proxy_upscale
            )
            refs = (
                source_refs(source, size, args.psnr_every, config.proxy_scaler),
                scene_refs(encoded[0].frames, size, args.psnr_every, config.proxy_scaler),
            )
            src_vs_scene = statistics.fmean(_psnr(refs[0][i], refs[1][i]) for i in refs[0])
            print(
                f"  source itself against the scene: {src_vs_scene:.2f} dB (its grain)",
                file=sys.stderr,
                flush=True,
            )
            for e in encoded:
                e.psnr_source, e.psnr_scene = psnr_y(e.path, *refs)
            del refs
        targets = seek_targets(args.seeks, min(e.duration_s for e in encoded), info.fps, args.seed)
        fmt = {"presented": _PRESENTED_JS, "timeout": SEEK_TIMEOUT_MS}
        pages = {
            "seek.html": (SEEK_PAGE % fmt).encode(),
            "startup.html": (STARTUP_PAGE % {**fmt, "timeout": STARTUP_TIMEOUT_MS}).encode(),
        }
        print(
            f"browser: {len(targets)} seeks and {args.startups} start-ups per variant",
            file=sys.stderr,
            flush=True,
        )
        base = stack.enter_context(serve(out_dir, pages))
        measure_browser(encoded, base, targets, info.fps, args.startups)
    report(encoded, targets)
    print(
        "frames/seek: mean frames decoded per seek (keyframe to target). PSNR: luma, mean "
        f"over every {args.psnr_every}th frame, dB, against the grainy source (src) and "
        "against the scene before grain was added (scene)"
    )
    print(
        f"load average at end: {os.getloadavg()[0]:.2f} (other work on the machine slows "
        f"every variant alike: seeks and start-ups interleave the variants)"
    )


if __name__ == "__main__":
    main()
