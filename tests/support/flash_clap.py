"""A test clip whose picture and sound start at different times, with a flash on a clap.

``make_flash_clap_clip`` writes an MP4 (H.264 + AAC, made with PyAV) whose video
stream starts ``video_delay_ms`` after its audio stream, as many cameras' files do.
At one instant a full white frame (the flash) and a sharp click (the clap) happen
together; the rest is dark frames and low noise. A player that lines picture and
sound up correctly shows the flash as the click is heard; one that ignores the
streams' start times is off by the delay.

Times: the audio starts at source time 0, so the clap lies at ``clap_at_s`` both in
the source's timeline and in the audio-wav derivative (whose sample 0 is the first
audio sample); the flash frame is shown from that same source time.

Generated once per set of parameters, deterministically, and cached under
``~/.cache/multicam/flash-clap`` (named by a hash of the parameters).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

RATE = 48_000
WIDTH, HEIGHT = 320, 180
DARK, WHITE = 24, 235  # luma of the dark frames and of the flash
CLICK_S = 0.002  # the click's length: a sharp onset, over within two milliseconds
NOISE_RMS = 0.003
CLICK_PEAK = 0.9
# Bump when the output changes for the same parameters, so caches are rebuilt.
GENERATOR_VERSION = 1
CACHE_DIR = Path.home() / ".cache" / "multicam" / "flash-clap"


@dataclass(frozen=True)
class FlashClap:
    """A generated clip and where its events are (source times, audio starting at 0)."""

    path: Path
    video_delay_ms: int
    clap_at_s: float  # on the frame grid: the flash frame's start time
    flash_frame: int  # index of the white frame in the video stream
    fps: int
    duration_s: float

    @property
    def clap_sample(self) -> int:
        """The clap's first sample in the 48 kHz audio (and in the audio-wav derivative)."""
        return round(self.clap_at_s * RATE)


def _frame_grid_clap(video_delay_ms: int, clap_at_s: float, fps: int) -> tuple[int, float]:
    """The frame nearest the requested clap time, and that frame's exact start time."""
    index = round((clap_at_s - video_delay_ms / 1000) * fps)
    return index, video_delay_ms / 1000 + index / fps


def _params_hash(params: dict[str, object]) -> str:
    text = json.dumps({**params, "version": GENERATOR_VERSION}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _audio(duration_s: float, clap_sample: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = round(duration_s * RATE)
    audio = rng.normal(0.0, NOISE_RMS, n)
    length = round(CLICK_S * RATE)
    decay = np.exp(-np.arange(length) / (length / 5))
    click = CLICK_PEAK * decay * np.sign(rng.normal(size=length))
    click[0] = CLICK_PEAK  # the onset is the first sample, at full level
    audio[clap_sample : clap_sample + length] = click[: max(0, n - clap_sample)]
    return np.clip(audio, -1.0, 1.0).astype(np.float32)


def _picture(luma: int) -> av.VideoFrame:
    y = np.full((HEIGHT, WIDTH), luma, np.uint8)
    uv = np.full((HEIGHT // 2, WIDTH), 128, np.uint8)
    return av.VideoFrame.from_ndarray(np.concatenate([y, uv]), format="yuv420p")


def _write(path: Path, clip: FlashClap, seed: int) -> None:
    audio = _audio(clip.duration_s, clip.clap_sample, seed)
    # Ticks of 1/(1000·fps) s: both the delay (whole ms) and every frame are exact.
    tb = Fraction(1, 1000 * clip.fps)
    first = clip.video_delay_ms * clip.fps
    frames = int((clip.duration_s - clip.video_delay_ms / 1000) * clip.fps)
    with av.open(str(path), "w", format="mp4") as out:
        vs = out.add_stream(
            "libx264", rate=clip.fps, options={"preset": "ultrafast", "tune": "zerolatency"}
        )
        vs.width, vs.height, vs.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        vs.codec_context.time_base = vs.time_base = tb
        as_ = out.add_stream("aac", rate=RATE, layout="mono")
        as_.bit_rate = 128_000
        a_next = 0
        for k in range(frames):
            t = clip.video_delay_ms / 1000 + k / clip.fps
            frame = _picture(WHITE if k == clip.flash_frame else DARK)
            frame.pts, frame.time_base = first + 1000 * k, tb
            out.mux(vs.encode(frame))
            # Interleave: audio up to a little past this frame.
            while a_next < min(len(audio), round((t + 0.1) * RATE)):
                a_next = _mux_audio(out, as_, audio, a_next)
        while a_next < len(audio):
            a_next = _mux_audio(out, as_, audio, a_next)
        out.mux(vs.encode())
        out.mux(as_.encode())


def _mux_audio(
    out: av.container.OutputContainer, stream: av.AudioStream, audio: np.ndarray, start: int
) -> int:
    block = audio[start : start + 1024]
    af = av.AudioFrame.from_ndarray(block[None, :], format="fltp", layout="mono")
    af.sample_rate, af.pts, af.time_base = RATE, start, Fraction(1, RATE)
    out.mux(stream.encode(af))
    return start + len(block)


def make_flash_clap_clip(
    path: str | Path | None = None,
    *,
    video_delay_ms: int = 200,
    clap_at_s: float = 2.0,
    duration_s: float = 4.0,
    fps: int = 30,
    cache_dir: str | Path | None = None,
) -> FlashClap:
    """The clip at ``path`` (default: its file in the cache), built once per parameter set.

    ``clap_at_s`` is moved to the nearest frame start (``delay + k / fps``) so the flash
    frame begins exactly at the clap; the returned ``clap_at_s`` is that time.
    """
    if video_delay_ms < 0 or fps <= 0 or not 0 < clap_at_s < duration_s:
        raise ValueError("need video_delay_ms >= 0, fps > 0 and 0 < clap_at_s < duration_s")
    flash_frame, clap = _frame_grid_clap(video_delay_ms, clap_at_s, fps)
    if flash_frame < 0 or clap + CLICK_S >= duration_s:
        raise ValueError("the clap must fall after the video starts and before the end")
    params: dict[str, object] = {
        "video_delay_ms": video_delay_ms,
        "clap_at_s": clap,
        "duration_s": duration_s,
        "fps": fps,
    }
    digest = _params_hash(params)
    folder = Path(cache_dir) if cache_dir is not None else CACHE_DIR
    cached = folder / f"flash-clap-{digest}.mp4"
    clip = FlashClap(cached, video_delay_ms, clap, flash_frame, fps, duration_s)
    if not cached.exists():
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{cached.name}.{os.getpid()}.tmp"
        try:
            _write(tmp, clip, seed=int(digest[:8], 16))
            os.replace(tmp, cached)  # atomic: a concurrent run sees the whole file or none
        finally:
            tmp.unlink(missing_ok=True)
    if path is None:
        return clip
    dest = Path(path)
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, dest)
    return FlashClap(dest, **{k: v for k, v in asdict(clip).items() if k != "path"})
