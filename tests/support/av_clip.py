"""Write a test clip: given audio, a dark picture with white flash frames, the video
stream starting a given delay after the audio (as many cameras' files do).

Shared by the flash/clap generators (tests/support/flash_clap.py, tests/browser/media.py).
"""

from __future__ import annotations

import os
from collections.abc import Collection
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

WIDTH, HEIGHT = 320, 180
DARK, WHITE = 24, 235  # luma of the dark frames and of a flash


def _picture(luma: int) -> av.VideoFrame:
    y = np.full((HEIGHT, WIDTH), luma, np.uint8)
    uv = np.full((HEIGHT // 2, WIDTH), 128, np.uint8)
    return av.VideoFrame.from_ndarray(np.concatenate([y, uv]), format="yuv420p")


def _mux_audio(
    out: av.container.OutputContainer,
    stream: av.AudioStream,
    audio: np.ndarray,
    start: int,
    rate: int,
    layout: str,
) -> int:
    block = np.ascontiguousarray(audio[start : start + 1024].T, dtype=np.float32)
    af = av.AudioFrame.from_ndarray(block, format="fltp", layout=layout)
    af.sample_rate, af.pts, af.time_base = rate, start, Fraction(1, rate)
    out.mux(stream.encode(af))
    return start + block.shape[1]


def write_av_clip(
    path: Path,
    audio: np.ndarray,
    rate: int,
    *,
    fps: int,
    video_delay_ms: int,
    flash_frames: Collection[int],
) -> None:
    """Write an MP4 (H.264 + AAC) atomically.

    :param audio: float samples in −1..1, ``(n,)`` mono or ``(n, channels)`` (≤ 2)
    :param video_delay_ms: the first frame's time after the first audio sample (whole ms)
    :param flash_frames: indices of the white frames (frame k shows from
        ``video_delay_ms / 1000 + k / fps``)
    """
    samples = audio[:, None] if audio.ndim == 1 else audio
    layout = "mono" if samples.shape[1] == 1 else "stereo"
    duration_s = len(samples) / rate
    # Ticks of 1/(1000·fps) s: both the delay (whole ms) and every frame are exact.
    tb = Fraction(1, 1000 * fps)
    first = video_delay_ms * fps
    frames = int((duration_s - video_delay_ms / 1000) * fps)
    flashes = set(flash_frames)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with av.open(str(tmp), "w", format="mp4") as out:
            vs = out.add_stream(
                "libx264", rate=fps, options={"preset": "ultrafast", "tune": "zerolatency"}
            )
            vs.width, vs.height, vs.pix_fmt = WIDTH, HEIGHT, "yuv420p"
            vs.codec_context.time_base = vs.time_base = tb
            as_ = out.add_stream("aac", rate=rate, layout=layout)
            as_.bit_rate = 128_000
            a_next = 0
            for k in range(frames):
                t = video_delay_ms / 1000 + k / fps
                frame = _picture(WHITE if k in flashes else DARK)
                frame.pts, frame.time_base = first + 1000 * k, tb
                out.mux(vs.encode(frame))
                # Interleave: audio up to a little past this frame.
                while a_next < min(len(samples), round((t + 0.1) * rate)):
                    a_next = _mux_audio(out, as_, samples, a_next, rate, layout)
            while a_next < len(samples):
                a_next = _mux_audio(out, as_, samples, a_next, rate, layout)
            out.mux(vs.encode())
            out.mux(as_.encode())
        os.replace(tmp, path)  # atomic: a concurrent run sees the whole file or none
    finally:
        tmp.unlink(missing_ok=True)
