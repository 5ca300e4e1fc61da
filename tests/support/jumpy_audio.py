"""A small file whose audio timestamps jump forward thousands of times.

Each 1,024-sample PCM frame starts ``jump_s`` after the previous one ended: a few MB
that a decoder filling every gap with silence turns into tens of minutes of audio.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

RATE = 48_000
FRAME = 1024


def write_jumpy_audio(
    path: Path, *, frames: int = 3000, jump_s: float = 0.4, video: bool = False
) -> float:
    """Write an MKV (PCM audio, with ``video`` also a few H.264 frames); returns the
    total of the jumps in seconds."""
    tb = Fraction(1, RATE)
    step = FRAME + round(jump_s * RATE)
    with av.open(str(path), "w", format="matroska") as out:
        if video:
            vs = out.add_stream("libx264", rate=25, options={"preset": "ultrafast"})
            vs.width, vs.height, vs.pix_fmt = 64, 64, "yuv420p"
        audio = out.add_stream("pcm_s16le", rate=RATE, layout="mono")
        if video:
            for i in range(5):
                picture = av.VideoFrame.from_ndarray(
                    np.full((96, 64), 100 + i, np.uint8), format="yuv420p"
                )
                picture.pts = i
                out.mux(vs.encode(picture))
            out.mux(vs.encode(None))
        tone = (3000 * np.sin(np.arange(FRAME) / 8)).astype(np.int16)[None, :]
        for k in range(frames):
            frame = av.AudioFrame.from_ndarray(tone, format="s16", layout="mono")
            frame.sample_rate, frame.time_base = RATE, tb
            frame.pts = k * step
            for packet in audio.encode(frame):
                # The encoder may renumber: the jump is what this file is about.
                packet.pts = packet.dts = k * step
                out.mux(packet)
        out.mux(audio.encode(None))
    return (frames - 1) * jump_s
