"""Rendering a camera's samples from the 48 kHz scene.

Camera X's sample n is the scene at tau_n = start_s + n / (rate * (1 + drift)), drift
in ppm * 1e-6 (X's clock runs fast by ``drift``). The scene is defined only by its
samples (scene sample k is at tau = k / 48000 s, zero outside the array), so the
camera signal is the band-limited interpolant of the scene evaluated at tau_n.

Two exact stages, both zero-phase so no delay enters the truth:

1. ``scipy.signal.resample_poly`` to an intermediate rate of ``OVERSAMPLE * rate``
   with a long Kaiser-windowed-sinc FIR whose cut-off is below the camera's Nyquist
   (this is also the anti-alias filter for low camera rates and the scene's band
   limit: at most 14 kHz passband, 22 kHz stop band).
2. 6-point Lagrange interpolation on that 4x oversampled signal at the exact,
   fractional, drifting positions. Content sits below 1/8 of the intermediate rate,
   where this interpolator's error is below -70 dB and its phase error is
   negligible (< 1 ns, checked by the tests against analytic sinusoids).

Everything works on chunks of output samples with margins, so any range of camera
samples can be produced independently (used for two-pass level estimation and for
hour-long cameras without holding them in memory).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from math import gcd
from typing import cast

import numpy as np
from scipy.signal import firwin, kaiserord, resample_poly

SCENE_RATE = 48_000
SUPPORTED_RATES = (8000, 16000, 22050, 32000, 44100, 48000)
OVERSAMPLE = 4
CHUNK = 1 << 18  # camera samples per rendered chunk
_ATTEN_DB = 70.0  # stop-band attenuation of the band-limiting filters
_LAG_POINTS = np.arange(-2, 4)  # Lagrange nodes relative to floor(position)


def band_edges(rate: int) -> tuple[float, float]:
    """(passband edge, stopband edge) in Hz of the camera's band-limiting filter."""
    stop = min(0.5 * rate, 22_000.0)
    return min(14_000.0, 0.8 * stop), stop


@lru_cache(maxsize=16)
def _design(rate: int) -> tuple[int, int, np.ndarray]:
    """up, down and unity-gain FIR (at 48 kHz * up) for scene -> OVERSAMPLE * rate."""
    target = OVERSAMPLE * rate
    g = gcd(target, SCENE_RATE)
    up, down = target // g, SCENE_RATE // g
    fs = SCENE_RATE * up
    f_pass, f_stop = band_edges(rate)
    numtaps, beta = kaiserord(_ATTEN_DB, (f_stop - f_pass) / (0.5 * fs))
    numtaps |= 1  # odd length: symmetric about a sample, so resample_poly is delay-free
    h = firwin(numtaps, 0.5 * (f_pass + f_stop), window=("kaiser", beta), fs=fs)
    return up, down, h


@lru_cache(maxsize=1)
def _lagrange_denominators() -> np.ndarray:
    x = _LAG_POINTS
    return np.array([np.prod([float(a - m) for m in x if m != a]) for a in x])


def lagrange_weights(t: np.ndarray) -> list[np.ndarray]:
    """Interpolation weights (6 arrays) for nodes -2..3 at fractions t in [0, 1)."""
    # w_j = prod_{m != j}(t - x_m) / prod_{m != j}(x_j - x_m), from pairwise products.
    d = [t - float(x) for x in _LAG_POINTS]
    p01, p23, p45 = d[0] * d[1], d[2] * d[3], d[4] * d[5]
    p2345, p0145, p0123 = p23 * p45, p01 * p45, p01 * p23
    num = [d[1] * p2345, d[0] * p2345, d[3] * p0145, d[2] * p0145, d[5] * p0123, d[4] * p0123]
    den = _lagrange_denominators()
    for j in range(6):
        num[j] /= den[j]
    return num


def scene_times(start_s: float, rate: int, drift_ppm: float, n0: int, n1: int) -> np.ndarray:
    """Scene time tau (s) of camera samples n0..n1-1."""
    n = np.arange(n0, n1, dtype=np.float64)
    return start_s + n / (rate * (1.0 + drift_ppm * 1e-6))


def _scene_slice(scene: np.ndarray, a: int, b: int) -> np.ndarray:
    """scene[a:b] as float64 with zeros outside the array."""
    out = np.zeros(b - a)
    lo, hi = max(a, 0), min(b, len(scene))
    if hi > lo:
        out[lo - a : hi - a] = scene[lo:hi]
    return out


def render(
    scene: np.ndarray, rate: int, start_s: float, drift_ppm: float, n0: int, n1: int
) -> np.ndarray:
    """Camera samples n0..n1-1 (float64, 1-D) of a camera looking at ``scene``.

    n0 may be negative and n1 beyond the camera's end (used for filter margins);
    everything is exact to the interpolator's precision, independent of chunking.
    """
    if rate not in SUPPORTED_RATES:
        raise ValueError(f"unsupported camera rate {rate}")
    out = np.empty(max(n1 - n0, 0))
    for a in range(n0, n1, CHUNK):
        b = min(a + CHUNK, n1)
        out[a - n0 : b - n0] = _render_chunk(scene, rate, start_s, drift_ppm, a, b)
    return out


def _render_chunk(
    scene: np.ndarray, rate: int, start_s: float, drift_ppm: float, n0: int, n1: int
) -> np.ndarray:
    if drift_ppm == 0.0:
        return _render_fixed(scene, rate, start_s, n0, n1)
    up, down, h = _design(rate)
    inter = OVERSAMPLE * rate
    # Positions in intermediate-rate samples (intermediate sample k is at tau = k/inter).
    # Split start into integer + fraction first so float64 keeps ~1e-9 sample precision.
    base = start_s * inter
    ibase = np.floor(base)
    v = (base - ibase) + np.arange(n0, n1, dtype=np.float64) * (
        inter / (rate * (1.0 + drift_ppm * 1e-6))
    )
    fl = np.floor(v)
    t = v - fl
    k_lo = int(ibase + fl[0]) - 2
    k_hi = int(ibase + fl[-1]) + 4
    # Scene samples j map to intermediate index j*up/down; start on a multiple of down
    # so output sample 0 of resample_poly is exactly intermediate sample k0.
    half = len(h) // (2 * up) + 2
    j0 = (k_lo * down // up - half) // down * down
    j1 = (k_hi * down) // up + half + 2
    k0 = j0 * up // down
    y = resample_poly(_scene_slice(scene, j0, j1), up, down, window=h)
    idx = (fl + (ibase - k0 - 2)).astype(np.int64)
    w = lagrange_weights(t)
    out = w[0] * y[idx]
    for j in range(1, 6):
        out += w[j] * y[idx + j]
    return cast(np.ndarray, out)


@lru_cache(maxsize=8)
def _fixed_design(rate: int) -> tuple[int, int, int, float, float]:
    """up, down, numtaps, cutoff (relative to the up-rate) and Kaiser beta for scene->rate."""
    g = gcd(rate, SCENE_RATE)
    up, down = rate // g, SCENE_RATE // g
    fs = SCENE_RATE * up
    f_pass, f_stop = band_edges(rate)
    numtaps, beta = kaiserord(_ATTEN_DB, (f_stop - f_pass) / (0.5 * fs))
    return up, down, numtaps | 1, 0.5 * (f_pass + f_stop) / fs, beta


@lru_cache(maxsize=32)
def _shifted_kernel(rate: int, frac_key: int) -> np.ndarray:
    """Kaiser-windowed sinc at the up-rate, advanced by frac (scene samples) = key/2^40."""
    up, _, numtaps, fc, beta = _fixed_design(rate)
    frac = frac_key / 2.0**40
    half = (numtaps - 1) // 2
    length = numtaps + 2 * up  # room for the shift, still odd
    c = (length - 1) // 2
    t = np.arange(length) - c + frac * up
    w = np.zeros(length)
    inside = np.abs(t) <= half
    w[inside] = np.i0(beta * np.sqrt(1 - (t[inside] / half) ** 2)) / np.i0(beta)
    h = 2 * fc * np.sinc(2 * fc * t) * w
    return cast(np.ndarray, h / np.sum(h))  # unity DC gain (resample_poly then scales by up)


def _render_fixed(scene: np.ndarray, rate: int, start_s: float, n0: int, n1: int) -> np.ndarray:
    """No drift: one polyphase resampling with a fractionally shifted kernel (exact)."""
    up, down, _, _, _ = _fixed_design(rate)
    base = start_s * SCENE_RATE  # camera sample n is at scene position base + n*down/up
    k = int(np.floor(base))
    frac_key = round((base - k) * 2.0**40)  # ~1e-12 sample quantisation, cache-friendly
    h = _shifted_kernel(rate, frac_key)
    margin = (len(h) // 2 + up) // down + 4  # output samples of filter support
    q = (n0 - margin) // up
    m0 = n0 - up * q  # output index of camera sample n0
    j0 = k + down * q  # input index of output sample 0
    j1 = k + -(-(n1 + margin) * down // up) + 2
    x = _scene_slice(scene, j0, j1)
    if up == down == 1:  # resample_poly would return x untouched: filter ourselves
        y = np.convolve(x, h)[(len(h) - 1) // 2 :]
    else:
        y = resample_poly(x, up, down, window=h)
    return y[m0 : m0 + (n1 - n0)]


def render_chunks(
    scene: np.ndarray,
    rate: int,
    start_s: float,
    drift_ppm: float,
    n_samples: int,
    chunk: int = CHUNK,
) -> Iterator[np.ndarray]:
    """Camera samples 0..n_samples-1 in consecutive chunks."""
    for a in range(0, n_samples, chunk):
        yield render(scene, rate, start_s, drift_ppm, a, min(a + chunk, n_samples))
