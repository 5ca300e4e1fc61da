"""The listen check, pure part: a stereo clip with the master on the left, a camera on the right.

Both sides cover the same window of the master's timeline; the camera's sound is
placed with an offset and its drift (``worker.camera_clock.camera_time_ms``). When the
placement is right the two ears hear one sound in the middle; one video frame off
(33 ms at 30 fps) is heard as an echo between them.

The sources are the cameras' ``audio-wav`` derivatives, which can be gigabytes: the
caller reads the WAV header and then only the frames ``frames_needed`` names, and
this module turns those frames into the clip. Each side is downmixed to mono and
resampled to 48 kHz by linear interpolation at the exact (fractional) source
position of every output sample, so sub-sample offsets and drift are honoured and
files of any rate or channel count mix. Where a camera has no sound at a time
(before its first sample, after its last) its side is silent.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from worker.camera_clock import camera_time_ms
from worker.errors import WavError

OUTPUT_RATE = 48_000
MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 0.5, 10.0, 4.0
# How much of a WAV is read to find its data chunk (our own WAVs need 44 bytes).
HEADER_BYTES = 64 * 1024
_PCM, _EXTENSIBLE = 1, 0xFFFE
_UNKNOWN_SIZES = (0, 0xFFFFFFFF)  # streamed or over-4-GiB WAVs: trust the file's length

Positions = npt.NDArray[np.float64]


@dataclass(frozen=True)
class WavLayout:
    """Where a WAV's samples are: 16-bit PCM, interleaved from ``data_offset``."""

    data_offset: int
    frames: int
    channels: int
    rate: int

    @property
    def block_align(self) -> int:
        return 2 * self.channels

    def byte_range(self, first: int, count: int) -> tuple[int, int]:
        """(start, length) in the file of ``count`` frames from frame ``first``."""
        return self.data_offset + first * self.block_align, count * self.block_align


def parse_wav_header(head: bytes, file_size: int | None = None) -> WavLayout:
    """The layout of a WAV from its first bytes (and its size, for data sizes it cannot say)."""
    if len(head) < 12 or head[:4] not in (b"RIFF", b"RF64") or head[8:12] != b"WAVE":
        raise WavError("not a RIFF/WAVE file")
    fmt: tuple[int, int, int, int] | None = None
    at = 12
    while at + 8 <= len(head):
        chunk, size = head[at : at + 4], struct.unpack_from("<I", head, at + 4)[0]
        body = at + 8
        if chunk == b"fmt ":
            if body + 16 > len(head):
                break
            tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", head, body)
            fmt = (tag, channels, rate, bits)
        elif chunk == b"data":
            if fmt is None:
                raise WavError("the data chunk comes before the fmt chunk")
            tag, channels, rate, bits = fmt
            if tag not in (_PCM, _EXTENSIBLE) or bits != 16 or channels < 1 or rate < 1:
                raise WavError(
                    f"not 16-bit PCM (format {tag:#x}, {bits} bits, {channels} channels, {rate} Hz)"
                )
            available = (file_size - body) if file_size is not None else None
            if size in _UNKNOWN_SIZES or (available is not None and available > 0xFFFFFFFF):
                if available is None:
                    raise WavError("the data chunk does not say its size")
                size = available
            elif available is not None:
                size = min(size, available)  # a file cut short has fewer frames
            return WavLayout(body, max(0, size) // (2 * channels), channels, rate)
        at = body + size + (size & 1)  # chunks are padded to an even length
    raise WavError(f"no data chunk in the first {len(head)} bytes")


@dataclass(frozen=True)
class Window:
    """The stretch of the master's timeline the clip covers."""

    start_ms: float
    frames: int  # at OUTPUT_RATE

    @classmethod
    def around(cls, at_ms: float, seconds: float) -> Window:
        if not (math.isfinite(at_ms) and MIN_SECONDS <= seconds <= MAX_SECONDS):
            raise ValueError(f"need a finite time and {MIN_SECONDS}-{MAX_SECONDS} seconds")
        return cls(at_ms - 500.0 * seconds, round(seconds * OUTPUT_RATE))

    def master_times_ms(self) -> npt.NDArray[np.float64]:
        steps = np.arange(self.frames, dtype=np.float64)
        return np.asarray(self.start_ms + steps * (1000.0 / OUTPUT_RATE), dtype=np.float64)


def source_positions(
    window: Window, rate: int, offset_ms: float = 0.0, drift_ppm: float = 0.0
) -> Positions:
    """The (fractional) frame of a source WAV heard at each output sample.

    The master is ``offset_ms`` 0 and no drift: its file time is the master time.
    """
    return camera_time_ms(window.master_times_ms(), offset_ms, drift_ppm) * (rate / 1000.0)


def frames_needed(positions: Positions, layout: WavLayout) -> tuple[int, int] | None:
    """(first frame, count) to read for these positions; None if the source is silent there."""
    if not len(positions):
        return None
    first = max(0, math.floor(float(positions.min())))
    last = min(layout.frames - 1, math.ceil(float(positions.max())))
    return (first, last - first + 1) if last >= first else None


def place(data: bytes, first: int, layout: WavLayout, positions: Positions) -> Positions:
    """A mono signal (float, int16 scale) at ``positions`` from frames read from ``first``.

    Silence where the source has no frame; a sound between two frames is interpolated.
    """
    frames = len(data) // layout.block_align
    if frames == 0:
        return np.zeros(len(positions))
    pcm = np.frombuffer(data[: frames * layout.block_align], dtype="<i2")
    mono = pcm.reshape(frames, layout.channels).astype(np.float64).mean(axis=1)
    if frames == 1:  # np.interp needs two points to draw a line
        return np.where(np.abs(positions - first) < 0.5, mono[0], 0.0)
    placed = np.interp(positions, first + np.arange(frames), mono, left=0.0, right=0.0)
    return np.asarray(placed, dtype=np.float64)


def stereo_wav(left: Positions, right: Positions, rate: int = OUTPUT_RATE) -> bytes:
    """A 16-bit PCM stereo WAV file of two equally long signals (int16 scale)."""
    both = np.stack([left, right], axis=1)
    pcm = np.clip(np.rint(both), -32768, 32767).astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", _PCM, 2, rate, rate * 4, 4, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(pcm))
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(pcm))
        + pcm
    )
