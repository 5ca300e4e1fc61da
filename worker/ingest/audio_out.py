"""Decoded audio to 48 kHz int16 blocks, and the WAV file written from them."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

OUTPUT_RATE = 48_000
# A jump in timestamps beyond this is dropped audio: filled with silence so every
# later sample stays at its true time (sync depends on it).
_GAP_TOLERANCE_S = 0.02
# Beyond this the timestamps are not trusted and nothing is inserted.
_MAX_GAP_S = 600.0

_SAMPLE_DTYPES: dict[str, type[np.generic]] = {
    "u8": np.uint8, "s16": np.int16, "s32": np.int32, "s64": np.int64,
    "flt": np.float32, "dbl": np.float64,
}

Int16Block = npt.NDArray[np.int16]


def output_channels(source_channels: int | None) -> int:
    """Mono stays mono; everything else (stereo, 5.1, ...) becomes stereo."""
    return 1 if source_channels == 1 else 2


def _silence_like(frame: av.AudioFrame, samples: int) -> av.AudioFrame:
    fmt = frame.format
    channels = frame.layout.nb_channels
    shape = (channels, samples) if fmt.is_planar else (1, samples * channels)
    zeros = np.zeros(shape, dtype=_SAMPLE_DTYPES[fmt.name.removesuffix("p")])
    silent = av.AudioFrame.from_ndarray(zeros, format=fmt.name, layout=frame.layout.name)
    silent.sample_rate = frame.sample_rate
    return silent


class AudioConverter:
    """Turns decoded frames into ``(n, channels)`` int16 blocks at 48 kHz.

    Sample 0 is the first decoded sample of the stream; gaps in the timestamps
    are filled with silence (FFmpeg's resampler downmixes >2 channels to stereo).
    """

    def __init__(self, channels: int) -> None:
        self.channels = channels
        self._resampler = av.AudioResampler(
            format="s16", layout="mono" if channels == 1 else "stereo", rate=OUTPUT_RATE)
        self._expected: float | None = None
        self.first_time_s: float | None = None
        self.gaps_filled = 0
        self.samples_out = 0

    def _convert(self, frames: list[av.AudioFrame]) -> list[Int16Block]:
        blocks = []
        for frame in frames:
            block: Int16Block = frame.to_ndarray().reshape(-1, self.channels).astype(
                np.int16, copy=False)
            self.samples_out += len(block)
            blocks.append(block)
        return blocks

    def push(self, frame: av.AudioFrame) -> list[Int16Block]:
        """Convert one decoded frame (and any silence before it)."""
        out: list[Int16Block] = []
        t = frame.time
        if t is not None:
            if self.first_time_s is None:
                self.first_time_s = t
            if self._expected is not None and _GAP_TOLERANCE_S < t - self._expected < _MAX_GAP_S:
                silent = _silence_like(frame, round((t - self._expected) * frame.sample_rate))
                out += self._convert(self._resampler.resample(silent))
                self.gaps_filled += 1
            self._expected = t + frame.samples / frame.sample_rate
        out += self._convert(self._resampler.resample(frame))
        return out

    def flush(self) -> list[Int16Block]:
        """What the resampler still holds."""
        return self._convert(self._resampler.resample(None))

    @property
    def duration_s(self) -> float:
        return self.samples_out / OUTPUT_RATE


class WavWriter:
    """PCM s16le WAV, written as blocks arrive (the header is completed on close)."""

    def __init__(self, path: Path, channels: int) -> None:
        self._wav = wave.open(str(path), "wb")  # noqa: SIM115 - closed in close()
        self._wav.setnchannels(channels)
        self._wav.setsampwidth(2)
        self._wav.setframerate(OUTPUT_RATE)

    def write(self, block: Int16Block) -> None:
        self._wav.writeframesraw(np.ascontiguousarray(block, dtype="<i2").tobytes())

    def close(self) -> None:
        self._wav.close()
