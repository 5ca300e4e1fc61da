"""Multi-band onset envelopes: the coarse, drift- and EQ-tolerant view of a track.

Each band's energy is compressed against that band's own noise floor, so a
camera's microphone EQ, gain and steady background noise mostly cancel out, and
only the *changes* (onsets) are kept, which reverb and clipping do not destroy.
Polarity does not matter at this level.
"""

from __future__ import annotations

import itertools
import os
import threading
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view
from scipy.fft import rfft

FRAME = 256
HOP = 80  # 10 ms at 8 kHz
BAND_EDGES_HZ = (90, 160, 250, 360, 500, 680, 900, 1200, 1550, 2000, 2550, 3200, 3900)
# Small blocks keep each block's spectrum in cache (2-3x faster than big ones)
# and keep the band-sum product under OpenBLAS's threading threshold, whose
# spinning threads would take CPU from the other decoders.
_CHUNK_FRAMES = 128
# Band floors are this multiple of the band's 10th-percentile energy: the
# steady noise floor then sits in the near-linear part of log1p.
_FLOOR_FACTOR = 3.0
_FFT_WORKERS = max(1, os.cpu_count() or 1)
# Below this RMS level a track is treated as silent (room tone of a muted mic).
SILENCE_DBFS = -60.0


@dataclass(frozen=True)
class Envelope:
    """Standardised onset features, shape (frames, bands), one frame every ``hop_s``."""

    values: npt.NDArray[np.float32]
    hop_s: float
    # Per-frame activity in dB above the track's floor; used to choose windows.
    activity_db: npt.NDArray[np.float32]
    usable: bool
    # Spectra of ``values`` by FFT length: a camera's envelope is correlated with
    # every other camera's at the same length, so each is computed once.
    _spectra: dict[int, npt.NDArray[np.complex64]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    @property
    def frames(self) -> int:
        return int(self.values.shape[0])

    def __getstate__(self) -> dict[str, object]:
        # The cache and its lock stay behind: a lock cannot be pickled.
        return {k: v for k, v in self.__dict__.items() if k not in ("_spectra", "_lock")}

    def __setstate__(self, state: dict[str, object]) -> None:
        for key, value in {**state, "_spectra": {}, "_lock": threading.Lock()}.items():
            object.__setattr__(self, key, value)

    def spectrum(self, n: int) -> npt.NDArray[np.complex64]:
        """Real FFT of every band over ``n`` points (zero-padded), cached; thread-safe."""
        with self._lock:
            found = self._spectra.get(n)
            if found is None:
                found = rfft(self.values, n, axis=0, workers=_FFT_WORKERS)
                self._spectra[n] = found
            return found


def _band_bins(rate: int) -> npt.NDArray[np.intp]:
    """FFT bin where each band starts, plus the end of the last band."""
    freqs = np.fft.rfftfreq(FRAME, 1.0 / rate)
    edges = [e for e in BAND_EDGES_HZ if e < rate / 2]
    bounds = np.searchsorted(freqs, edges)  # first bin at or above each edge
    if np.any(np.diff(bounds) < 1):
        raise ValueError(f"{rate} Hz is too low a rate for the onset bands")
    return bounds.astype(np.intp)


def band_energies(
    samples: npt.NDArray[np.generic], rate: int, scale: float = 1.0
) -> npt.NDArray[np.float32]:
    """Short-time band energies, shape (frames, bands), computed in bounded chunks.

    :param scale: multiplies ``samples`` (1/32768 for int16 input).
    """
    n_frames = max(0, 1 + (len(samples) - FRAME) // HOP)
    bounds = _band_bins(rate)
    first, last = int(bounds[0]), int(bounds[-1])
    # 0/1 matrix summing each band's adjacent run of bins.
    bands = np.zeros((last - first, len(bounds) - 1), dtype=np.float32)
    for k, (lo, hi) in enumerate(itertools.pairwise(bounds - first)):
        bands[lo:hi, k] = 1.0
    out = np.zeros((n_frames, bands.shape[1]), dtype=np.float32)
    if n_frames == 0:
        return out
    window = (np.hanning(FRAME) * scale).astype(np.float32)
    frames = sliding_window_view(samples, FRAME)[::HOP]
    for start in range(0, n_frames, _CHUNK_FRAMES):
        block = frames[start : start + _CHUNK_FRAMES] * window
        spec = rfft(block, axis=1)[:, first:last]
        power = spec.real**2 + spec.imag**2
        out[start : start + len(block)] = power @ bands
    return out


def onset_envelope(samples: npt.NDArray[np.generic], rate: int, scale: float = 1.0) -> Envelope:
    """Onset features of a mono track (pure function).

    :param samples: mono audio (float, or int16 with ``scale`` 1/32768).
    :param rate: its sample rate (the engine uses 8 kHz).
    """
    energy = band_energies(samples, rate, scale)
    hop_s = HOP / rate
    if energy.shape[0] < 3:
        empty = np.zeros((energy.shape[0], energy.shape[1]), dtype=np.float32)
        return Envelope(empty, hop_s, np.zeros(energy.shape[0], np.float32), usable=False)
    total = energy.sum(axis=1)
    tiny = np.float32(1e-12)
    floor_total = np.percentile(total, 10) + tiny
    activity = (10.0 * np.log10((total + tiny) / floor_total)).astype(np.float32)
    floors = np.percentile(energy, 10, axis=0).astype(np.float32) * _FLOOR_FACTOR + tiny
    level = np.log1p(energy / floors)
    onset = np.maximum(np.diff(level, axis=0, prepend=level[:1]), 0.0)
    # A light 3-tap smoothing keeps onsets correlating under reverb and drift.
    onset[1:-1] = 0.25 * onset[:-2] + 0.5 * onset[1:-1] + 0.25 * onset[2:]
    mean = onset.mean(axis=0)
    std = onset.std(axis=0)
    live = std > 1e-6
    values = np.zeros_like(onset, dtype=np.float32)
    values[:, live] = (onset[:, live] - mean[live]) / std[live]
    # Very loud one-off events (a slammed door) should not own the correlation.
    np.clip(values, -4.0, 12.0, out=values)
    # Silence is an absolute matter: a loud track of pure noise is "usable" and
    # simply matches nothing, which the confidence then says.
    usable = bool(live.any()) and level_dbfs(samples, scale) > SILENCE_DBFS
    return Envelope(values.astype(np.float32), hop_s, activity, usable=usable)


def level_dbfs(samples: npt.NDArray[np.generic], scale: float = 1.0) -> float:
    """RMS level in dBFS (computed in chunks to stay within memory)."""
    total = 0.0
    step = 1 << 20
    for i in range(0, len(samples), step):
        chunk = samples[i : i + step].astype(np.float64)
        total += float(np.einsum("i,i->", chunk, chunk))
    rms = np.sqrt(total / max(1, len(samples))) * scale
    return float(20.0 * np.log10(rms + 1e-12))
