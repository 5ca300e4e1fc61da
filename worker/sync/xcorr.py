"""Cross-correlation primitives: whole-overlap coarse search and fine waveform GCC.

Lag convention everywhere: a lag ``L`` (frames or samples) means sample ``n`` of
``b`` lines up with sample ``n + L`` of ``a``; so ``L`` is b's start on a's clock.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.fft import irfft, next_fast_len, rfft

FloatArray = npt.NDArray[np.float64]
_WORKERS = max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class CoarsePeak:
    """Best lag of a whole-overlap envelope correlation and how distinct it is."""

    lag: float  # frames, parabolic-interpolated
    z: float  # robust z-score of the peak among all admissible lags
    second_z: float  # best competing peak outside the main lobe
    second_lag: float
    smoothing: int  # frames of drift smoothing that gave the best peak
    lags: npt.NDArray[np.int64]  # admissible lags (for artifacts)
    zcurve: npt.NDArray[np.float32]  # z over ``lags``


def robust_z(values: FloatArray) -> tuple[float, float]:
    """(median, MAD scaled to a standard deviation) of ``values``."""
    med = float(np.median(values))
    mad = float(np.median(np.abs(values - med))) * 1.4826
    if mad <= 1e-12:
        mad = float(np.std(values)) or 1.0
    return med, mad


def parabolic_peak(y: FloatArray, i: int) -> float:
    """Sub-sample position of the maximum at ``i`` from a parabola through its neighbours."""
    if 0 < i < len(y) - 1:
        y0, y1, y2 = y[i - 1], y[i], y[i + 1]
        den = y0 - 2 * y1 + y2
        if den < 0:
            return float(i + 0.5 * (y0 - y2) / den)
    return float(i)


def coarse_fft_len(frames: int) -> int:
    """FFT length for a whole-track correlation needing ``frames`` points.

    Rounded up to the next eighth of an octave first, so pairs of cameras of
    similar length share one length and each camera's spectrum serves all its
    pairs (``Envelope.spectrum``), for at most 1/8 more points per transform.
    """
    step = 1 << max(0, int(frames).bit_length() - 4)
    return int(next_fast_len(-(-frames // step) * step, real=True))


def correlate_spectra(
    fa: npt.NDArray[np.complex64], fb: npt.NDArray[np.complex64], n: int, na: int, nb: int
) -> FloatArray:
    """Band-summed linear cross-correlation, lags -(nb-1)..na-1, from the bands'
    spectra over ``n`` >= na + nb - 1 points."""
    acc = np.einsum("ij,ij->i", fa, np.conj(fb))
    full = irfft(acc, n, workers=_WORKERS).astype(np.float64)
    # Positive lags first (0..na-1), then negative lags from the wrap-around.
    return np.concatenate([full[n - (nb - 1) :], full[:na]]) if nb > 1 else full[:na]


def envelope_xcorr(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> FloatArray:
    """Sum over bands of the full linear cross-correlation, lags -(len(b)-1)..len(a)-1."""
    na, nb = a.shape[0], b.shape[0]
    n = next_fast_len(na + nb - 1, real=True)
    # Single precision halves time and memory; the sums stay far above its noise.
    fa = rfft(a.astype(np.float32, copy=False), n, axis=0, workers=_WORKERS)
    fb = rfft(b.astype(np.float32, copy=False), n, axis=0, workers=_WORKERS)
    return correlate_spectra(fa, fb, n, na, nb)


def overlap_counts(na: int, nb: int) -> npt.NDArray[np.int64]:
    """Number of overlapping frames for every lag -(nb-1)..na-1."""
    lags = np.arange(-(nb - 1), na, dtype=np.int64)
    return np.minimum(na, lags + nb) - np.maximum(0, lags)


def coarse_peak(
    a: npt.NDArray[np.float32],
    b: npt.NDArray[np.float32],
    *,
    min_overlap: int,
    smoothings: tuple[int, ...] = (1,),
    exclusion: int = 6,
    spectra: tuple[npt.NDArray[np.complex64], npt.NDArray[np.complex64], int] | None = None,
) -> CoarsePeak | None:
    """Find the best lag of ``b`` against ``a`` over every lag with enough overlap.

    :param min_overlap: lags overlapping fewer frames are not admissible.
    :param smoothings: box widths (frames) tried on the raw correlation; a width
        matching the expected drift smear recovers a peak that drift spread out.
    :param exclusion: half-width (frames) of the main lobe when looking for a rival.
    :param spectra: ``a``'s and ``b``'s band spectra over the same FFT length
        (>= len(a) + len(b) - 1), when already computed.
    """
    na, nb = a.shape[0], b.shape[0]
    if na < 2 or nb < 2:
        return None
    if spectra is not None:
        corr = correlate_spectra(spectra[0], spectra[1], spectra[2], na, nb)
    else:
        corr = envelope_xcorr(a, b)
    counts = overlap_counts(na, nb)
    lags = np.arange(-(nb - 1), na, dtype=np.int64)
    valid = counts >= max(min_overlap, 2)
    if int(valid.sum()) < 8:
        return None
    best: CoarsePeak | None = None
    for width in smoothings:
        if width > 1:
            kernel = np.ones(width) / np.sqrt(width)
            c = np.convolve(corr, kernel, mode="same")
        else:
            c = corr
        stat = c[valid] / np.sqrt(counts[valid].astype(np.float64))
        med, scale = robust_z(stat)
        z = (stat - med) / scale
        i = int(np.argmax(z))
        lobe = max(exclusion, width)
        rival = z.copy()
        rival[max(0, i - lobe) : i + lobe + 1] = -np.inf
        j = int(np.argmax(rival))
        vlags = lags[valid]
        peak = CoarsePeak(
            lag=float(vlags[0]) + parabolic_peak(z, i),
            z=float(z[i]),
            second_z=float(rival[j]) if np.isfinite(rival[j]) else 0.0,
            second_lag=float(vlags[j]),
            smoothing=width,
            lags=vlags,
            zcurve=z.astype(np.float32),
        )
        if best is None or peak.z > best.z:
            best = peak
    return best


def local_envelope_lag(
    a: npt.NDArray[np.float32], b: npt.NDArray[np.float32], lo: int, hi: int
) -> tuple[float, float] | None:
    """Best lag of a short ``b`` window inside ``a`` restricted to [lo, hi]; (lag, z)."""
    corr = envelope_xcorr(a, b)
    nb = b.shape[0]
    lags = np.arange(-(nb - 1), a.shape[0])
    sel = (lags >= lo) & (lags <= hi)
    if int(sel.sum()) < 5:
        return None
    c = corr[sel]
    med, scale = robust_z(c)
    z = (c - med) / scale
    i = int(np.argmax(z))
    return float(lags[sel][0]) + parabolic_peak(z, i), float(z[i])


@dataclass(frozen=True)
class FinePeak:
    """Sub-sample lag of one waveform window (samples, within the searched range)."""

    lag: float
    z: float  # peak against the robust spread of the whole correlation
    ratio: float  # best rival inside the search range / peak
    polarity: int
    curve: FloatArray  # |corr| normalised, over the search range (artifacts)


def _weighted_cross_spectrum(
    a: FloatArray, b: FloatArray, n: int, beta: float
) -> npt.NDArray[np.complex128]:
    fa = rfft(a, n)
    fb = rfft(b, n)
    cross = fa * np.conj(fb)
    mag = np.abs(cross)
    # Partial whitening (GCC-PHAT with exponent beta): sharp peaks under reverb
    # and EQ without letting noise-only bins dominate as full PHAT does.
    weight = 1.0 / (np.power(mag, beta) + 1e-12 * (float(mag.max()) + 1e-30))
    return cross * weight  # type: ignore[no-any-return]


def _dot(x: FloatArray, y: FloatArray) -> float:
    # einsum, not np.dot: BLAS would wake its thread pool, whose spinning
    # threads cost more CPU than the product itself and starve other workers.
    return float(np.einsum("i,i->", x, y))


def phasor(bins: int, n: int, x: float) -> npt.NDArray[np.complex128]:
    """exp(2j*pi*j*x/n) for j in 0..bins-1, as an outer product of two short
    tables: a few hundred complex exponentials instead of one per bin."""
    block = 256
    rows = -(-bins // block)
    step = 2j * np.pi * x / n
    low = np.exp(step * np.arange(block))
    high = np.exp(step * block * np.arange(rows))
    table: npt.NDArray[np.complex128] = np.multiply.outer(high, low).ravel()[:bins]
    return table


def refine_peak(
    cross: npt.NDArray[np.complex128], n: int, k: int, sign: int, start: float
) -> float:
    """Sub-sample peak of the band-limited correlation near integer lag ``k``.

    Newton's method on the derivative of the DFT interpolant, started from the
    parabolic estimate: exact interpolation (no parabolic bias) at the cost of a
    few passes over the spectrum. The interpolant at lag ``x`` is
    sum(w * Re(cross * exp(i*theta*x))); its first two derivatives need only
    cos and sin of ``theta*x`` per pass.
    """
    bins = len(cross)
    theta = 2.0 * np.pi * np.arange(bins) / n
    weight = np.full(bins, 2.0)
    weight[0] = 1.0
    if n % 2 == 0:
        weight[-1] = 1.0
    w_re = (sign * weight) * cross.real
    w_im = (sign * weight) * cross.imag
    t_re, t_im = theta * w_re, theta * w_im
    tt_re, tt_im = theta * t_re, theta * t_im
    delta = start
    for _ in range(8):
        turn = phasor(bins, n, k + delta)
        cos, sin = turn.real, turn.imag
        # d1 = -sum(theta * Im(z)), d2 = -sum(theta^2 * Re(z)), z = w*cross*exp(i*theta*x)
        d1 = -(_dot(t_re, sin) + _dot(t_im, cos))
        d2 = -(_dot(tt_re, cos) - _dot(tt_im, sin))
        if d2 >= 0.0:
            return k + start  # not locally concave: keep the parabolic estimate
        step = -d1 / d2
        delta = float(np.clip(delta + step, -1.0, 1.0))
        if abs(step) < 1e-6:
            break
    return k + delta


def fine_window_lag(
    a: FloatArray, b: FloatArray, max_lag: int, *, beta: float = 0.8
) -> FinePeak | None:
    """Where does ``b`` sit inside ``a``? Lags 0..max_lag (b fully inside a).

    ``a`` must hold ``len(b) + max_lag`` samples. Returns a sub-sample lag found
    by maximising the band-limited interpolation of the correlation.
    """
    if len(a) < len(b) + max_lag or len(b) < 64:
        return None
    if float(np.std(a)) < 1e-7 or float(np.std(b)) < 1e-7:
        return None
    n = next_fast_len(len(a) + len(b), real=True)
    cross = _weighted_cross_spectrum(a - a.mean(), b - b.mean(), n, beta)
    corr = irfft(cross, n)
    search = np.abs(corr[: max_lag + 1])
    k = int(np.argmax(search))
    peak = search[k]
    med, scale = robust_z(np.abs(corr))
    z = (peak - med) / scale
    guard = max(4, len(search) // 200)
    rival = search.copy()
    rival[max(0, k - guard) : k + guard + 1] = 0.0
    ratio = float(rival.max() / peak) if peak > 0 else 1.0
    sign = 1 if corr[k] >= 0 else -1

    signed = sign * corr
    start = parabolic_peak(signed[: max_lag + 1], k) - k if 0 < k < max_lag else 0.0
    lag = refine_peak(cross, n, k, sign, start)
    return FinePeak(
        lag=lag, z=float(z), ratio=ratio, polarity=sign, curve=(search / peak).astype(np.float64)
    )
