"""Waveform peaks in the BBC audiowaveform JSON format (version 2, 8-bit) for peaks.js.

Pure computation: int16 samples in, min/max pairs and the JSON document out. It
mirrors ``audiowaveform -b 8``: channels are averaged to one, each run of
``samples_per_pixel`` samples gives one (min, max) pair, a last partial run
counts, and 16-bit values become 8-bit by integer division by 256.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Int16Array = npt.NDArray[np.int16]


def mix_to_mono(samples: npt.NDArray[np.integer[Any]]) -> Int16Array:
    """Average the channels of ``(n, channels)`` int16 samples (1-D input passes through)."""
    arr = np.asarray(samples)
    if arr.ndim == 1:
        mono: Int16Array = arr.astype(np.int16, copy=False)
        return mono
    if arr.shape[1] == 1:
        first: Int16Array = arr[:, 0].astype(np.int16)
        return first
    # Integer mean truncated toward zero, like audiowaveform's sum / channels.
    total = arr.astype(np.int32).sum(axis=1)
    mixed: Int16Array = np.fix(total / arr.shape[1]).astype(np.int16)
    return mixed


def block_peaks(mono: Int16Array, samples_per_pixel: int) -> tuple[Int16Array, Int16Array]:
    """Min and max of each run of ``samples_per_pixel`` samples (a last partial run counts)."""
    if samples_per_pixel < 1:
        raise ValueError("samples_per_pixel must be at least 1")
    n = len(mono)
    if n == 0:
        empty = np.empty(0, np.int16)
        return empty, empty.copy()
    full = n // samples_per_pixel * samples_per_pixel
    blocks = mono[:full].reshape(-1, samples_per_pixel)
    mins, maxs = blocks.min(axis=1), blocks.max(axis=1)
    if full < n:
        mins = np.append(mins, mono[full:].min())
        maxs = np.append(maxs, mono[full:].max())
    return mins.astype(np.int16), maxs.astype(np.int16)


class PeakAccumulator:
    """Streaming :func:`block_peaks`: feed blocks of samples as they are decoded."""

    def __init__(self, samples_per_pixel: int) -> None:
        if samples_per_pixel < 1:
            raise ValueError("samples_per_pixel must be at least 1")
        self.samples_per_pixel = samples_per_pixel
        self._carry: Int16Array = np.empty(0, np.int16)
        self._mins: list[Int16Array] = []
        self._maxs: list[Int16Array] = []
        self.samples = 0

    def add(self, samples: npt.NDArray[np.integer[Any]]) -> None:
        """Add int16 samples, ``(n,)`` mono or ``(n, channels)``."""
        mono = mix_to_mono(samples)
        self.samples += len(mono)
        if len(self._carry):
            mono = np.concatenate([self._carry, mono])
        full = len(mono) // self.samples_per_pixel * self.samples_per_pixel
        if full:
            mins, maxs = block_peaks(mono[:full], self.samples_per_pixel)
            self._mins.append(mins)
            self._maxs.append(maxs)
        self._carry = mono[full:].copy()

    def finish(self) -> tuple[Int16Array, Int16Array]:
        """All (min, max) pairs so far, the partial last run included."""
        mins, maxs = list(self._mins), list(self._maxs)
        if len(self._carry):
            mins.append(np.array([self._carry.min()], np.int16))
            maxs.append(np.array([self._carry.max()], np.int16))
        if not mins:
            empty = np.empty(0, np.int16)
            return empty, empty.copy()
        return np.concatenate(mins), np.concatenate(maxs)


def to_8bit(values: Int16Array) -> npt.NDArray[np.int8]:
    """16-bit peaks to 8-bit the way audiowaveform does (divide by 256, toward zero)."""
    return np.fix(values.astype(np.int32) / 256).astype(np.int8)


def waveform_document(
    mins: Int16Array, maxs: Int16Array, *, sample_rate: int, samples_per_pixel: int
) -> dict[str, Any]:
    """The audiowaveform JSON v2 document (8-bit, one channel) for 16-bit peaks."""
    if len(mins) != len(maxs):
        raise ValueError("mins and maxs differ in length")
    data = np.empty(2 * len(mins), np.int8)
    data[0::2] = to_8bit(mins)
    data[1::2] = to_8bit(maxs)
    return {
        "version": 2,
        "channels": 1,
        "sample_rate": int(sample_rate),
        "samples_per_pixel": int(samples_per_pixel),
        "bits": 8,
        "length": len(mins),
        "data": data.tolist(),
    }


def read_waveform_document(
    doc: Any,
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.int16], float]:
    """Mins, maxs and points per second of a document :func:`waveform_document` wrote.

    :raises ValueError: ``doc`` is not such a document (one channel, min/max pairs).
    """
    if not isinstance(doc, dict) or doc.get("channels", 1) != 1:
        raise ValueError("not a one-channel audiowaveform document")
    data = np.asarray(doc.get("data", []), dtype=np.int16)
    rate, spp = doc.get("sample_rate"), doc.get("samples_per_pixel")
    if data.ndim != 1 or data.size % 2 or not isinstance(rate, int) or not isinstance(spp, int):
        raise ValueError("the document's data, sample_rate or samples_per_pixel is malformed")
    if rate <= 0 or spp <= 0:
        raise ValueError("sample_rate and samples_per_pixel must be positive")
    return data[0::2], data[1::2], rate / spp
