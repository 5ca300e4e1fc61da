"""Decoded audio to 48 kHz int16 blocks, and the WAV file written from them."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from worker.timestamp_gaps import GapFiller

OUTPUT_RATE = 48_000

_SAMPLE_DTYPES: dict[str, type[np.generic]] = {
    "u8": np.uint8,
    "s16": np.int16,
    "s32": np.int32,
    "s64": np.int64,
    "flt": np.float32,
    "dbl": np.float64,
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
    are filled with silence, within the caps of :mod:`worker.timestamp_gaps`
    (FFmpeg's resampler downmixes >2 channels to stereo).

    :param declared_s: the stream's declared duration (None: unknown).
    """

    def __init__(self, channels: int, declared_s: float | None = None) -> None:
        self.channels = channels
        self._resampler = av.AudioResampler(
            format="s16", layout="mono" if channels == 1 else "stereo", rate=OUTPUT_RATE
        )
        self._gaps = GapFiller(declared_s)
        self.first_time_s: float | None = None
        self.samples_out = 0

    @property
    def gaps_filled(self) -> int:
        return self._gaps.gaps

    def _convert(self, frames: list[av.AudioFrame]) -> list[Int16Block]:
        blocks = []
        for frame in frames:
            block: Int16Block = (
                frame.to_ndarray().reshape(-1, self.channels).astype(np.int16, copy=False)
            )
            self.samples_out += len(block)
            blocks.append(block)
        return blocks

    def push(self, frame: av.AudioFrame) -> list[Int16Block]:
        """Convert one decoded frame (and any silence before it).

        :raises ImplausibleTimestamps: too many or too long gaps, or far longer than declared.
        """
        out: list[Int16Block] = []
        t = frame.time
        if t is not None and self.first_time_s is None:
            self.first_time_s = t
        gap = self._gaps.silence_before(t, frame.samples / frame.sample_rate)
        if gap > 0:
            silent = _silence_like(frame, round(gap * frame.sample_rate))
            out += self._convert(self._resampler.resample(silent))
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
