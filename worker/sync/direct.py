"""Direct-path check: which lag near the fine line is the direct sound, not an echo.

In a room louder than its source (a diffuse tail above the direct sound, strong early
reflections), the strongest whitened cross-correlation peak between two cameras can
be a reflection of one camera against the direct sound of the other: a consistent
peak a few to tens of milliseconds off, which every fine window then agrees on. At
an onset, though, the direct sound arrives before the room has built up. So each
sample is weighted by how far its short-term energy rises above the energy just
before it (zero in a sustained or decaying stretch), and the weighted signals are
correlated over many short chunks along the line the fine windows found. The chunks'
cross-spectra are summed before whitening, so every onset in the overlap adds to one
correlation (a single 4 s window holds too few of them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.fft import irfft, next_fast_len, rfft

from worker.sync.track import Track
from worker.sync.xcorr import FloatArray, parabolic_peak, phasor, refine_peak, robust_z

# Onset weighting (ms): energy over the next SHORT against the stretch BACKGROUND
# before it; the gap keeps the onset's own rise out of its background.
SHORT_MS = 3.0
BACKGROUND_MS = (4.0, 24.0)
# Rises above this many times the background all count alike: one slammed door
# must not own the correlation.
RISE_CAP = 8.0
# Chunks per group of the per-stretch check (8 s of 2 s chunks).
GROUP = 4
# Background energy floor, as a fraction of the chunk's mean energy: near-silence
# before an onset must not blow its rise up to infinity.
_FLOOR = 1e-3


@dataclass(frozen=True)
class DirectPath:
    """The onset-weighted correlation's peak near a line (offset on a's clock, s)."""

    offset_s: float  # intercept of the line through the peak (the fine slope is kept)
    z: float  # peak against the robust spread of the whole correlation
    ratio: float  # best rival within the searched lags / peak
    chunks: int  # chunks whose cross-spectra were summed
    # The same search on consecutive groups of GROUP chunks: each group's peak, as an
    # intercept (whole samples), so a lag that only the sum of all chunks shows can
    # be told from one that every stretch of the overlap shows.
    group_offsets_s: tuple[float, ...] = ()
    # The line searched around (intercept_s, slope) and |correlation| / its maximum
    # at every lag within the reach (index ``(len - 1) // 2`` is the line): where
    # else the onsets line up, for the joint choice of ``worker.sync.arrival``.
    line: tuple[float, float] = (0.0, 0.0)
    curve: tuple[float, ...] = ()


def onset_weights(x: FloatArray, rate: int) -> FloatArray:
    """Per-sample weight: (rise of the next SHORT_MS's energy over the BACKGROUND_MS
    before it, minus one, capped at RISE_CAP) squared; zero while no full background
    lies before the sample, so a chunk's start is not mistaken for an onset."""
    short = max(1, round(SHORT_MS * rate / 1000))
    bg0, bg1 = (max(1, round(ms * rate / 1000)) for ms in BACKGROUND_MS)
    n = len(x)
    weights = np.zeros(n)
    if n <= bg1 + short:
        return weights
    energy = np.concatenate([[0.0], np.cumsum(x * x)])
    ahead = (energy[bg1 + short : n + 1] - energy[bg1 : n + 1 - short]) / short
    before = energy[bg1 - bg0 : n + 1 - short - bg0] - energy[: n + 1 - short - bg1]
    before /= bg1 - bg0
    floor = _FLOOR * float(energy[-1]) / n + 1e-30
    rise = np.clip(ahead / (before + floor) - 1.0, 0.0, RISE_CAP)
    weights[bg1 : n + 1 - short] = rise * rise
    return weights


def direct_path_lag(
    a: Track,
    b: Track,
    line: tuple[float, float],
    starts: list[float],
    chunk_s: float,
    reach_s: float,
    *,
    beta: float,
) -> DirectPath | None:
    """Best lag of the onset-weighted correlation within ``reach_s`` of ``line``.

    :param line: (intercept_s, slope) mapping b's time to a's, as the fine fit found it.
    :param starts: chunk starts on b's clock (each chunk plus the reach inside both files).
    :param chunk_s: chunk length.
    :param beta: partial whitening exponent of the summed cross-spectrum.
    """
    rate = b.rate
    wn = int(chunk_s * rate)
    reach = int(np.ceil(reach_s * rate))
    # Circular correlation is exact at the searched lags 0..2*reach once the
    # transform holds a's segment: b's chunk never wraps past it there.
    n = next_fast_len(wn + 2 * reach, real=True)
    bins = n // 2 + 1
    spectra: list[npt.NDArray[np.complex128]] = []
    intercept, slope = line
    for start in starts:
        x0 = round(start * rate)
        predicted = intercept * rate + x0 * (1 + slope)
        sa = int(np.floor(predicted)) - reach
        if sa < 0 or sa + wn + 2 * reach > len(a.samples) or x0 + wn > len(b.samples):
            continue
        xa, xb = a.window(sa, wn + 2 * reach), b.window(x0, wn)
        # Single precision halves the transforms' time; the sum over chunks and
        # everything after it is in double.
        wa = (xa * onset_weights(xa, rate)).astype(np.float32)
        wb = (xb * onset_weights(xb, rate)).astype(np.float32)
        cross = rfft(wa, n).astype(np.complex128)
        cross *= np.conj(rfft(wb, n))
        # Shift by the line's fractional sample so every chunk's lag 0 is the line.
        cross *= phasor(bins, n, predicted - np.floor(predicted))
        spectra.append(cross)
    if not spectra:
        return None
    whitened = _whiten(np.sum(spectra, axis=0), beta)
    if whitened is None:
        return None
    corr = irfft(whitened, n)
    search = np.abs(corr[: 2 * reach + 1])
    k = int(np.argmax(search))
    groups = []
    for g in range(0, max(1, len(spectra) - GROUP + 1), GROUP):
        part = _whiten(np.sum(spectra[g : g + GROUP], axis=0), beta)
        if part is not None:
            peak = int(np.argmax(np.abs(irfft(part, n)[: 2 * reach + 1])))
            groups.append(intercept + (peak - reach) / rate)
    med, scale = robust_z(np.abs(corr))
    rival = search.copy()
    guard = 4
    rival[max(0, k - guard) : k + guard + 1] = 0.0
    sign = 1 if corr[k] >= 0 else -1
    start = parabolic_peak(sign * corr[: 2 * reach + 1], k) - k if 0 < k < 2 * reach else 0.0
    lag = refine_peak(whitened, n, k, sign, start)
    return DirectPath(
        offset_s=intercept + (lag - reach) / rate,
        z=float((search[k] - med) / scale),
        ratio=float(rival.max() / search[k]) if search[k] > 0 else 1.0,
        chunks=len(spectra),
        group_offsets_s=tuple(groups),
        line=line,
        curve=tuple((search / search[k]).tolist()) if search[k] > 0 else (),
    )


def _whiten(cross: npt.NDArray[np.complex128], beta: float) -> npt.NDArray[np.complex128] | None:
    mag = np.abs(cross)
    top = float(mag.max())
    if top <= 0.0:
        return None
    whitened: npt.NDArray[np.complex128] = cross / (np.power(mag, beta) + 1e-12 * top)
    return whitened
