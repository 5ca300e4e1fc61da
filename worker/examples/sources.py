"""Scene content synthesis, deterministic from a seed (scene rate 48 kHz).

Content kinds (``KINDS``):

- ``speech``: a conversation of 2-4 formant-synthesised speakers (glottal pulse train
  with jitter/shimmer and declining, accented pitch through 4 time-varying formants,
  fricatives, plosive bursts, syllables at ~4-6 Hz, word and phrase pauses, turns);
- ``crowd``: many overlapping distant voices, a few nearer ones, laughter, clinks;
- ``music``: melody, chords, bass and drums with tempo drift, sections, fills;
- ``music_loop``: an exactly periodic 2-bar drum+bass(+stab) loop at constant BPM
  (loop length an integer number of samples); variant ``"plus"`` overlays
  non-periodic vocal hooks and percussion;
- ``sparse``: claps, knocks, door slams, footsteps, drops, short phrases separated
  by 10-40 s of nothing (the scene's room tone is the only floor);
- ``ambient``: HVAC rumble/hum/fan, wind, distant traffic;
- ``silence``: nothing (only the room tone, if any).

A scene is a sequence of segments of these kinds with equal-power crossfades plus an
optional continuous room-tone bed. Long segments are synthesised in independent
pieces of at most ``PIECE_S`` seconds (crossfaded), so hour-long scenes cost linear
time and bounded memory per piece and are never periodic (except ``music_loop``, on
purpose). Content is synthesised at 32 kHz (so it is band-limited below 16 kHz by
construction) and upsampled to the 48 kHz scene; the renderer's zero-phase filter
(``render.band_edges``) then sets the band every camera actually sees.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

import numpy as np
from scipy import fft as sfft
from scipy.signal import butter, fftconvolve, lfilter, resample, resample_poly, sosfilt

SCENE_RATE = 48_000  # the scene's sample rate
# Content is synthesised at 32 kHz (so it is band-limited to < 16 kHz by construction)
# and upsampled 3/2 to the scene rate: a third less work than synthesising at 48 kHz.
FS = 32_000
KINDS = ("speech", "crowd", "music", "music_loop", "sparse", "ambient", "silence")
PIECE_S = 60.0  # longest independently synthesised piece
XFADE_S = 1.0  # crossfade between pieces / segments


@dataclass(frozen=True)
class Segment:
    """A stretch of one content kind; ``level_dbfs`` is its gated (active) RMS level."""

    kind: str
    duration_s: float
    level_dbfs: float = -20.0
    variant: str = ""


@dataclass(frozen=True)
class SceneSpec:
    """The true sound of a session: segments in order, plus a room-tone bed."""

    segments: tuple[Segment, ...]
    seed: int
    room_tone_dbfs: float | None = -62.0

    @property
    def duration_s(self) -> float:
        return float(sum(s.duration_s for s in self.segments))

    @property
    def n_samples(self) -> int:
        return round(self.duration_s * SCENE_RATE)


# --------------------------------------------------------------------------- utilities


def active_power(x: np.ndarray, rate: int, frame_s: float = 0.05) -> float:
    """Mean power over active frames (BS.1770-style gating: -70 dBFS abs, -20 dB rel)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim > 1:
        x = x.mean(axis=1) if x.shape[1] > 1 else x[:, 0]
    hop = max(1, round(frame_s * rate))
    m = len(x) // hop
    if m == 0:
        return float(np.mean(x**2)) if len(x) else 0.0
    p = np.mean(x[: m * hop].reshape(m, hop) ** 2, axis=1)
    p = p[p > 1e-7]
    if len(p) == 0:
        return 0.0
    p = p[p > 0.01 * p.mean()]
    return float(p.mean())


def db(x: float) -> float:
    """Amplitude ratio for ``x`` dB."""
    return float(10.0 ** (x / 20.0))


def _normalise(x: np.ndarray, rate: int = FS) -> np.ndarray:
    p = active_power(x, rate)
    return x / np.sqrt(p) if p > 0 else x


class SmoothCurve:
    """A smooth, non-periodic random curve (sum of k sinusoids), zero-mean, unit-ish RMS.

    ``at(n0, n1)`` evaluates samples n0..n1-1 at ``rate``; the value of a sample does
    not depend on how the range is chunked (control grid anchored at sample 0).
    """

    def __init__(
        self, rng: np.random.Generator, rate: float, fmin: float, fmax: float, k: int = 6
    ) -> None:
        self.rate = rate
        self.f = rng.uniform(fmin, fmax, k)
        self.ph = rng.uniform(0, 2 * np.pi, k)
        self.a = rng.uniform(0.5, 1.0, k)
        self.a /= np.sqrt(0.5 * np.sum(self.a**2))
        # sin() on a grid of >= 40 points per period of the fastest term, then linear
        # interpolation: evaluating every sample would dominate the cost.
        self.step = max(1, int(rate / (40 * fmax)))

    def at(self, n0: int, n1: int) -> np.ndarray:
        grid, curve = self.grid(n0, n1)
        if self.step == 1:
            return curve[: n1 - n0]
        return cast(np.ndarray, np.interp(np.arange(n0, n1), grid, curve))

    def grid(self, n0: int, n1: int) -> tuple[np.ndarray, np.ndarray]:
        """Control-grid sample indices covering n0..n1-1 and the curve's values there."""
        g0, g1 = n0 // self.step, n1 // self.step + 2
        grid = np.arange(g0, g1) * self.step
        curve = (np.sin(2 * np.pi * np.outer(grid / self.rate, self.f) + self.ph) * self.a).sum(
            axis=1
        )
        return grid, curve


def smooth_random(
    rng: np.random.Generator, n: int, rate: float, fmin: float, fmax: float, k: int = 6
) -> np.ndarray:
    """n samples of a ``SmoothCurve``."""
    return SmoothCurve(rng, rate, fmin, fmax, k).at(0, n)


_PINK_B = np.array([0.049922035, -0.095993537, 0.050612699, -0.004408786])
_PINK_A = np.array([1.0, -2.494956002, 2.017265875, -0.522189400])


class NoiseStream:
    """Stateful coloured noise (white, pink, brown, hvac, hiss, rumble) with unit RMS.

    Sequential ``next(n)`` calls give one continuous signal (filter states carried).
    """

    def __init__(
        self, kind: str, rate: int, rng: np.random.Generator, scale: float | None = None
    ) -> None:
        self.kind, self.rate, self.rng = kind, rate, rng
        nyq = 0.5 * rate
        self.sos: list[np.ndarray] = []
        if kind == "hiss":
            self.sos.append(butter(2, min(7000.0, 0.9 * nyq), fs=rate, output="sos"))
        elif kind == "rumble":
            self.sos.append(butter(4, 250.0, fs=rate, output="sos"))
        elif kind == "hvac":
            self.sos.append(
                butter(2, [40.0, min(2500.0, 0.9 * nyq)], btype="band", fs=rate, output="sos")
            )
        elif kind == "brown":
            self.sos.append(butter(1, 20.0, fs=rate, output="sos"))
        self.pink = kind in ("pink", "hiss", "hvac", "rumble")
        self.zp = np.zeros(3)
        self.zs = [np.zeros((s.shape[0], 2)) for s in self.sos]
        self.scale = _noise_scale(kind, rate) if scale is None else scale

    def next(self, n: int) -> np.ndarray:
        x = self.rng.standard_normal(n, dtype=np.float32)
        if self.pink:
            x, self.zp = lfilter(_PINK_B, _PINK_A, x, zi=self.zp)
        for i, s in enumerate(self.sos):
            x, self.zs[i] = sosfilt(s, x, zi=self.zs[i])
        return x * self.scale


class BabbleNoise:
    """Cheap babble: speech-shaped noise in two bands (F1 and F2/F3 regions), each
    amplitude-modulated by the sum of several independent syllabic (2-7 Hz) envelopes,
    i.e. the level fluctuations of a handful of simultaneous talkers."""

    def __init__(self, rate: int, rng: np.random.Generator) -> None:
        self.bands = []
        for lo, hi in ((150.0, 1000.0), (1000.0, min(4000.0, 0.45 * rate))):
            sos = butter(2, [lo, hi], btype="band", fs=rate, output="sos")
            envs = [SmoothCurve(rng, rate, 1.5, 7.0) for _ in range(4)]
            self.bands.append(
                (NoiseStream("pink", rate, rng), sos, [np.zeros((sos.shape[0], 2))], envs)
            )
        self.pos = 0

    def next(self, n: int) -> np.ndarray:
        out = np.zeros(n)
        for src, sos, zi, envs in self.bands:
            x, zi[0] = sosfilt(sos, src.next(n), zi=zi[0])
            # Sum the talkers' envelopes on the control grid, interpolate once.
            grid, _ = envs[0].grid(self.pos, self.pos + n)
            e = sum(np.maximum(env.grid(self.pos, self.pos + n)[1] + 0.3, 0.0) ** 2 for env in envs)
            out += x * np.interp(np.arange(self.pos, self.pos + n), grid, e)
        self.pos += n
        return out / 2.7  # ~unit RMS


@lru_cache(maxsize=64)
def _noise_scale(kind: str, rate: int) -> float:
    """1 / RMS of a settled NoiseStream (measured once, deterministically)."""
    probe = NoiseStream(kind, rate, np.random.default_rng(12345), scale=1.0)
    probe.next(rate)  # let the filters settle
    return 1.0 / float(np.std(probe.next(4 * rate)))


def noise(rng: np.random.Generator, n: int, kind: str = "pink", rate: int = FS) -> np.ndarray:
    """``n`` samples of unit-RMS coloured noise."""
    return NoiseStream(kind, rate, rng).next(n)


def _place(buf: np.ndarray, x: np.ndarray, at: int, gain: float = 1.0) -> None:
    """buf[at:at+len(x)] += gain*x, clipped to the buffer."""
    a, b = max(at, 0), min(at + len(x), len(buf))
    if b > a:
        buf[a:b] += gain * x[a - at : b - at]


def _bandpass(x: np.ndarray, lo: float, hi: float, order: int = 2) -> np.ndarray:
    sos = butter(order, [lo, min(hi, 0.45 * FS)], btype="band", fs=FS, output="sos")
    return cast(np.ndarray, sosfilt(sos, x))


# --------------------------------------------------------------------------- speech

_VOWELS = np.array(
    [  # F1..F4, adult male reference (Peterson & Barney-like)
        (730, 1090, 2440, 3400),
        (530, 1840, 2480, 3500),
        (270, 2290, 3010, 3700),
        (570, 840, 2410, 3400),
        (300, 870, 2240, 3400),
        (660, 1720, 2410, 3500),
        (490, 1350, 1690, 3300),
        (520, 1190, 2390, 3400),
        (400, 2000, 2550, 3600),
    ],
    float,
)
_BW = np.array([80.0, 100.0, 140.0, 220.0])
_FRIC = {
    "s": (6500.0, 1800.0, 1.0),
    "sh": (3300.0, 1000.0, 0.9),
    "f": (4500.0, 3500.0, 0.3),
    "h": (1800.0, 1500.0, 0.25),
    "th": (5000.0, 3000.0, 0.2),
}
_BURST = {"p": (900.0, 700.0), "t": (4200.0, 1800.0), "k": (2100.0, 800.0)}


@dataclass(frozen=True)
class Voice:
    """A synthetic speaker."""

    f0: float  # mean pitch, Hz
    tract: float  # formant scale (1 adult male, ~1.17 female, ~1.3 child)
    rate: float  # syllables per second
    breath: float  # aspiration noise fraction
    gain: float  # linear level (distance)


def random_voice(rng: np.random.Generator, kind: str | None = None) -> Voice:
    """A random male/female/child voice."""
    kind = kind or str(rng.choice(["m", "f", "m", "f", "c"]))
    f0, tract = {
        "m": (rng.uniform(85, 145), rng.uniform(0.95, 1.05)),
        "f": (rng.uniform(165, 240), rng.uniform(1.12, 1.22)),
        "c": (rng.uniform(240, 320), rng.uniform(1.25, 1.35)),
    }[kind]
    return Voice(
        f0=f0,
        tract=tract,
        rate=rng.uniform(3.8, 6.2),
        breath=rng.uniform(0.02, 0.15),
        gain=db(rng.uniform(-6, 0)),
    )


@lru_cache(maxsize=64)
def _glottal_pulse(period: int) -> np.ndarray:
    """Derivative of a Rosenberg glottal flow pulse for a period of ``period`` samples."""
    tp, tn = max(2, int(0.4 * period)), max(2, int(0.16 * period))
    rise = 0.5 * (1 - np.cos(np.pi * np.arange(tp) / tp))
    fall = np.cos(0.5 * np.pi * np.arange(tn) / tn)
    g = np.concatenate([[0.0], rise, fall, [0.0]])
    return np.diff(g)


def _stft_sizes(fs: int) -> tuple[int, int, int]:
    """(frame, hop, fft size) for time-varying filtering at ``fs`` (~21 ms frames)."""
    n = 1024 if fs >= 44_100 else 512 if fs >= 22_050 else 256
    return n, n // 2, 2 * n


def _resonators(freqs: np.ndarray, bws: np.ndarray, fs: int) -> np.ndarray:
    """Cascade of DC-normalised two-pole resonators, (frames, bins) complex response.

    The cascade's denominator is a polynomial in z^-1 per frame, so its response on the
    FFT grid is just an rfft of the coefficients (much cheaper than evaluating poles).
    """
    nfft = _stft_sizes(fs)[2]
    m, k = freqs.shape
    r = np.exp(-np.pi * bws / fs)
    c = 2 * r * np.cos(2 * np.pi * freqs / fs)
    den = np.zeros((m, 2 * k + 1))
    den[:, 0] = 1.0
    order = 0
    for j in range(k):  # multiply by (1 - c z^-1 + r^2 z^-2)
        new = den[:, : order + 3].copy()
        new[:, 1 : order + 2] -= c[:, j, None] * den[:, : order + 1]
        new[:, 2 : order + 3] += (r[:, j] ** 2)[:, None] * den[:, : order + 1]
        den[:, : order + 3] = new
        order += 2
    gain = np.prod(1 - c + r * r, axis=1)
    # (No matmul here: multi-threaded BLAS thrashes on a busy 2-core machine.)
    return cast(np.ndarray, (gain[:, None] / sfft.rfft(den, nfft, axis=1)).astype(np.complex64))


def _tv_filter(x: np.ndarray, resp: np.ndarray, fs: int) -> np.ndarray:
    """Apply per-frame responses (periodic Hann frames at 50% overlap, zero-padded 2x).

    Each windowed frame is filtered with its own response and overlap-added in full
    length, i.e. linear time-varying filtering without circular wrap-around.
    """
    n_fr, hop, nfft = _stft_sizes(fs)
    m = resp.shape[0]
    pad = np.zeros((m - 1) * hop + n_fr)
    pad[: min(len(x), len(pad))] = x[: len(pad)]
    frames = np.lib.stride_tricks.sliding_window_view(pad, n_fr)[::hop][:m]
    win = np.hanning(n_fr + 1)[:-1].astype(np.float32)  # periodic: hop-N/2 copies sum to 1
    # float32 is plenty for content and halves the FFT cost.
    out_frames = sfft.irfft(sfft.rfft(frames * win, nfft) * resp, nfft)
    out = np.zeros((m - 1) * hop + nfft)
    for j in range(nfft // hop):  # frames j, j+4, ... tile without overlapping
        sel = out_frames[j :: nfft // hop]
        if len(sel):
            out[j * hop : j * hop + len(sel) * nfft] += sel.reshape(-1)
    return out[: len(x)]


def speech_phrase(
    rng: np.random.Generator,
    voice: Voice,
    n_syll: int,
    question: bool = False,
    sing: bool = False,
    fs: int = FS,
) -> np.ndarray:
    """One phrase of formant-synthesised speech (or sung vowels if ``sing``) at ``fs``."""
    ctl = fs // 200  # control frame: 5 ms
    av, af, formants, fric = [], [], [], []
    prev = _VOWELS[rng.integers(len(_VOWELS))] * voice.tract
    stress = rng.random(n_syll) < 0.35
    accents = []
    for i in range(n_syll):
        syl_len = (1.0 / voice.rate) * rng.uniform(0.65, 1.45) * (2.5 if sing else 1.0)
        units: list[tuple[Any, ...]] = []
        onset = rng.choice(
            ["", "p", "t", "k", "s", "sh", "f", "h", "th", "n", "l"],
            p=[0.14, 0.09, 0.11, 0.09, 0.12, 0.05, 0.06, 0.07, 0.04, 0.13, 0.10],
        )
        coda = rng.choice(["", "s", "t", "n", "k", "f"], p=[0.5, 0.12, 0.12, 0.14, 0.06, 0.06])
        tgt = _VOWELS[rng.integers(len(_VOWELS))] * voice.tract * rng.uniform(0.95, 1.05, 4)
        if onset in _BURST:
            units += [("sil", rng.uniform(0.02, 0.05)), ("burst", 0.012, onset)]
        elif onset in _FRIC:
            units += [("fric", rng.uniform(0.05, 0.11), onset)]
        elif onset:
            units += [("nasal" if onset == "n" else "approx", rng.uniform(0.04, 0.08))]
        used = sum(u[1] for u in units)
        vowel_len = max(0.06, syl_len * rng.uniform(0.5, 0.7) - used)
        units.append(("vowel", vowel_len))
        if coda in _FRIC:
            units.append(("fric", rng.uniform(0.05, 0.1), coda))
        elif coda in _BURST:
            units += [("sil", rng.uniform(0.02, 0.05)), ("burst", 0.01, coda)]
        elif coda:
            units.append(("nasal", rng.uniform(0.04, 0.07)))
        if i < n_syll - 1 and rng.random() < 0.4:  # word boundary
            units.append(("sil", rng.uniform(0.03, 0.15)))
        loud = db(rng.uniform(2, 5)) if stress[i] else db(rng.uniform(-3, 0))
        for u in units:
            k = max(1, round(u[1] * fs / ctl))
            kind = u[0]
            ramp = np.minimum(1.0, np.minimum(np.arange(1, k + 1), np.arange(k, 0, -1)) / 3.0)
            if kind == "vowel":
                f = prev + (tgt - prev) * np.minimum(1, np.arange(k)[:, None] / (0.3 * k + 1))
                av.append(loud * ramp)
                af.append(np.zeros(k))
                formants.append(f)
                fric.append([("", 0.0)] * k)
                accents.append((len(av), k, stress[i]))
                prev = tgt
            elif kind in ("nasal", "approx"):
                base = np.array([280.0, 1100.0, 2300.0, 3300.0]) * voice.tract
                if kind == "approx":
                    base = prev * 0.85
                av.append(loud * ramp * (0.35 if kind == "nasal" else 0.6))
                af.append(np.zeros(k))
                formants.append(np.repeat(base[None, :], k, 0))
                fric.append([("", 0.0)] * k)
            elif kind == "sil":
                av.append(np.zeros(k))
                af.append(np.zeros(k))
                formants.append(np.repeat(prev[None, :], k, 0))
                fric.append([("", 0.0)] * k)
            else:  # fric or burst
                spec = _FRIC[u[2]] if kind == "fric" else (*_BURST[u[2]], 1.6)
                av.append(np.zeros(k))
                af.append(loud * spec[2] * ramp * (0.45 if kind == "fric" else 1.0))
                formants.append(np.repeat(prev[None, :], k, 0))
                fric.append([(u[2], 1.0)] * k)
    av_c = np.concatenate(av)
    af_c = np.concatenate(af)
    fr_c = np.concatenate(formants)
    fric_c = [f for block in fric for f in block]
    n_ctl = len(av_c)
    n = n_ctl * ctl + int(0.05 * fs)
    tc = (np.arange(n_ctl) + 0.5) * ctl
    ts = np.arange(n)

    # Pitch: declination, accents, final rise/fall, slow drift and per-period jitter.
    pos = np.linspace(0, 1, n_ctl)
    f0c = voice.f0 * (1.1 - 0.22 * pos)
    if question:
        f0c *= 1 + 0.35 * np.clip((pos - 0.8) / 0.2, 0, 1)
    else:
        f0c *= 1 - 0.1 * np.clip((pos - 0.85) / 0.15, 0, 1)
    for start, k, st in accents:
        if st:
            bump = np.zeros(n_ctl)
            idx = np.arange(start - k, start)
            bump[idx] = np.sin(np.linspace(0, np.pi, k))
            f0c *= 1 + rng.uniform(0.08, 0.18) * bump
    if sing:
        f0c = (
            voice.f0
            * 2 ** (np.round(rng.normal(0, 3, n_ctl // 40 + 1)) / 12)[np.arange(n_ctl) // 40]
        )
        f0c *= 1 + 0.012 * np.sin(2 * np.pi * 5.5 * tc / fs)
    f0s = np.interp(ts, tc, f0c) * (1 + 0.03 * smooth_random(rng, n, fs, 0.3, 3))
    phase = np.cumsum(f0s / fs)
    pulses = np.flatnonzero(np.diff(np.floor(phase)) > 0)
    exc = np.zeros(n)
    jit = 1 + 0.08 * rng.standard_normal(len(pulses))
    exc[pulses] = np.clip(jit, 0.5, 1.5)
    src = fftconvolve(exc, _glottal_pulse(int(fs / voice.f0)))[:n]
    avs = np.interp(ts, tc, av_c)
    afs = np.interp(ts, tc, af_c)
    src = src * avs + voice.breath * 0.05 * rng.standard_normal(n) * avs
    # Spectral shaping frame by frame (frame centres sampled from the control tracks).
    n_fr, hop, nfft = _stft_sizes(fs)
    m = (n - n_fr) // hop + 2
    centres = np.minimum(np.arange(m) * hop + n_fr // 2, n - 1)
    ci = np.minimum(centres // ctl, n_ctl - 1)
    fq = np.minimum(fr_c[ci], 0.45 * fs)
    bw = np.broadcast_to(_BW * (0.8 + 0.4 * voice.tract - 0.2), fq.shape)
    voiced = _tv_filter(src, _resonators(fq, bw, fs), fs)
    f_bins = np.arange(nfft // 2 + 1) * fs / nfft
    fresp = np.zeros((m, len(f_bins)), np.float32)
    for j in np.flatnonzero([bool(fric_c[c][0]) for c in ci]):
        name = fric_c[ci[j]][0]
        cf, bwf, _ = _FRIC[name] if name in _FRIC else (*_BURST[name], 0)
        fresp[j] = np.exp(-0.5 * ((f_bins - cf * min(voice.tract, 1.15)) / bwf) ** 2)
    frics = _tv_filter(rng.standard_normal(n) * afs, fresp, fs)
    # Balance the two paths on their own active parts: vowels carry most of the energy,
    # fricatives/bursts sit ~10-16 dB below them (as in real speech).
    v_on = avs > 0.3 * avs.max() if avs.max() > 0 else np.zeros(n, bool)
    f_on = afs > 0.3 * afs.max() if afs.max() > 0 else np.zeros(n, bool)
    v_rms = np.sqrt(np.mean(voiced[v_on] ** 2)) if v_on.any() else 1.0
    f_rms = np.sqrt(np.mean(frics[f_on] ** 2)) if f_on.any() else 1.0
    return 0.1 * (voiced / v_rms + frics / f_rms * db(rng.uniform(-16, -10)))


def speech_track(
    rng: np.random.Generator,
    n: int,
    voices: list[Voice],
    monologue: bool = False,
    gap_scale: float = 1.0,
    fs: int = FS,
) -> np.ndarray:
    """A conversation (turns between ``voices``) or one voice's monologue, n samples."""
    buf = np.zeros(n)
    t = int(rng.uniform(0.0, 1.2) * fs)
    who = int(rng.integers(len(voices)))
    while t < n:
        v = voices[who]
        for _ in range(int(rng.integers(1, 5))):
            ph = speech_phrase(
                rng, v, int(rng.integers(3, 13)), question=rng.random() < 0.15, fs=fs
            )
            _place(buf, ph, t, v.gain)
            t += len(ph) + int(rng.uniform(0.15, 0.7) * gap_scale * fs)
            if t >= n:
                break
        if not monologue and len(voices) > 1:
            who = (who + int(rng.integers(1, len(voices)))) % len(voices)
        # Sometimes the next speaker barges in early (overlap), sometimes a long pause.
        t += int(
            rng.choice([-0.3, 0.1, 0.4, 1.0, 2.5], p=[0.1, 0.35, 0.3, 0.18, 0.07]) * gap_scale * fs
        )
    return buf


def _speech(rng: np.random.Generator, n: int, variant: str) -> np.ndarray:
    k = int(rng.integers(2, 5))
    voices = [random_voice(rng) for _ in range(k)]
    return speech_track(rng, n, voices)


# --------------------------------------------------------------------------- crowd


def _clink(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.6 * FS)) / FS
    f = rng.uniform(2500, 6000) * np.array([1.0, 2.32, 3.9])
    return cast(
        np.ndarray,
        sum(
            np.sin(2 * np.pi * fi * t) * np.exp(-t / rng.uniform(0.05, 0.2)) / (i + 1)
            for i, fi in enumerate(f)
        ),
    )


def _laugh(rng: np.random.Generator, voice: Voice) -> np.ndarray:
    v = Voice(voice.f0 * 1.4, voice.tract, 9.0, 0.4, voice.gain)
    parts = [speech_phrase(rng, v, 1) for _ in range(int(rng.integers(3, 7)))]
    return np.concatenate([np.concatenate([p, np.zeros(int(0.05 * FS))]) for p in parts])


def _crowd(rng: np.random.Generator, n: int, variant: str) -> np.ndarray:
    # Distant voices are dull (< 2.5 kHz) anyway: synthesise them at 16 kHz (3x cheaper)
    # and upsample the sum once.
    lo_fs = 16_000
    n_lo = n * lo_fs // FS + 1
    far = np.zeros(n_lo)
    lp = butter(2, 2500.0, fs=lo_fs, output="sos")
    for _ in range(int(rng.integers(4, 8))):
        v = random_voice(rng)
        far += speech_track(rng, n_lo, [v], monologue=True, gap_scale=0.6, fs=lo_fs) * db(
            rng.uniform(-16, -8)
        )
    buf = resample_poly(sosfilt(lp, far), FS // lo_fs, 1)[:n]
    near = [random_voice(rng) for _ in range(int(rng.integers(1, 3)))]
    buf += speech_track(rng, n, near, gap_scale=2.0) * db(-4)
    for _ in range(int(rng.poisson(n / FS / 8)) + 1):  # laughter and glasses
        at = int(rng.integers(0, n))
        ev = _laugh(rng, random_voice(rng)) if rng.random() < 0.5 else _clink(rng)
        _place(buf, ev, at, db(rng.uniform(-14, -4)) * 0.05)
    # Many more, unintelligible talkers: a cheap babble bed, plus diffuse room noise.
    buf += BabbleNoise(FS, rng).next(n) * np.sqrt(active_power(buf, FS)) * db(-9)
    swell = 1 + 0.25 * smooth_random(rng, n, FS, 0.01, 0.08)
    bed = noise(rng, n, "pink") * 0.004
    return cast(np.ndarray, buf * swell + bed)


# --------------------------------------------------------------------------- music

_SCALES = {
    "major": (0, 2, 4, 5, 7, 9, 11),
    "minor": (0, 2, 3, 5, 7, 8, 10),
    "dorian": (0, 2, 3, 5, 7, 9, 10),
}
_PROGS = ((0, 4, 5, 3), (0, 5, 3, 4), (5, 3, 0, 4), (0, 3, 4, 4), (0, 6, 5, 4), (1, 4, 0, 0))
_PROFILES = ("saw", "square", "tri", "organ", "soft", "piano")
_TABLE = 16384


def midi_hz(m: float) -> float:
    return float(440.0 * 2 ** ((m - 69) / 12))


@lru_cache(maxsize=256)
def _table(profile: str, k: int) -> np.ndarray:
    """Single-cycle band-limited wavetable with k harmonics."""
    h = np.arange(1, k + 1)
    amps = {
        "saw": 1 / h,
        "square": (h % 2) / h,
        "tri": (h % 2) / h**2,
        "soft": 1 / h**2,
        "organ": np.where(np.isin(h, (1, 2, 3, 4, 6, 8)), 1 / np.sqrt(h), 0.0),
        "piano": np.exp(-0.35 * h) * (1 + 0.5 * (h == 2)),
    }[profile]
    ph = np.arange(_TABLE) / _TABLE
    tab = (np.sin(2 * np.pi * np.outer(ph, h)) * amps).sum(axis=1)
    return cast(np.ndarray, (tab / np.max(np.abs(tab))).astype(np.float32))


def note(f: float, dur_s: float, profile: str, **kw: float) -> np.ndarray:
    """A wavetable note (harmonics kept below 14 kHz) with an ADSR envelope.

    Durations are rounded to 10 ms and waveforms memoised (like a sampler): music
    repeats notes a lot and synthesising each one dominated the cost.
    """
    return _note(round(f, 3), round(dur_s, 2), profile, tuple(sorted(kw.items())))


@lru_cache(maxsize=160)
def _note(f: float, dur_s: float, profile: str, kw: tuple[tuple[str, float], ...]) -> np.ndarray:
    p: dict[str, Any] = {
        "attack": 0.01,
        "decay": 0.3,
        "sustain": 0.6,
        "release": 0.15,
        "vibrato": 0.0,
        "pluck": False,
        "phase0": 0.0,
        **dict(kw),
    }
    out = _synth_note(f, dur_s, profile, **p)
    out.flags.writeable = False
    return out


def _synth_note(
    f: float,
    dur_s: float,
    profile: str,
    *,
    attack: float,
    decay: float,
    sustain: float,
    release: float,
    vibrato: float,
    pluck: bool,
    phase0: float,
) -> np.ndarray:
    n = int((dur_s + release) * FS)
    t = np.arange(n, dtype=np.float32) / np.float32(FS)
    if vibrato:
        inst = f * (1 + vibrato * np.sin(2 * np.pi * 5.3 * t) * np.minimum(1, t / 0.3))
        ph = (phase0 + np.cumsum(inst, dtype=np.float64) / FS) % 1.0
    else:
        ph = (phase0 + f * np.arange(n) / FS) % 1.0
    k = max(1, int(14_000 // f))
    # Nearest-entry lookup in a large table: < -70 dB distortion, half the work of lerp.
    idx = (ph * _TABLE).astype(np.int32)
    wave = _table(profile, min(k, 40))[idx]
    if pluck:  # bright attack decaying to a duller body
        mix = np.exp(-t / np.float32(0.15))
        wave = mix * wave + (1 - mix) * _table(profile, min(k, 4))[idx]
        env = np.exp(-t / np.float32(max(decay, 1e-3)))
    else:
        env = np.where(
            t < attack,
            t / np.float32(attack),
            sustain + (1 - sustain) * np.exp(-(t - attack) / np.float32(max(decay, 1e-3))),
        )
    env *= np.clip((dur_s + release - t) / np.float32(release), 0, 1)
    return cast(np.ndarray, (wave * env).astype(np.float32))


def _kick(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.45 * FS)) / FS
    f = rng.uniform(42, 55) + rng.uniform(90, 140) * np.exp(-t / rng.uniform(0.025, 0.05))
    body = np.sin(2 * np.pi * np.cumsum(f) / FS) * np.exp(-t / rng.uniform(0.1, 0.2))
    click = _bandpass(rng.standard_normal(len(t)), 1000, 6000) * np.exp(-t / 0.003) * 0.3
    return body + click


def _snare(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.35 * FS)) / FS
    tone = np.sin(2 * np.pi * rng.uniform(170, 230) * t) * np.exp(-t / 0.05)
    rattle = _bandpass(rng.standard_normal(len(t)), 1500, 9000) * np.exp(
        -t / rng.uniform(0.08, 0.15)
    )
    return 0.6 * tone + 1.2 * rattle


def _hat(rng: np.random.Generator, open_: bool = False) -> np.ndarray:
    t = np.arange(int((0.4 if open_ else 0.08) * FS)) / FS
    x = _bandpass(rng.standard_normal(len(t)), 6500, 13_000, 4)
    return x * np.exp(-t / (0.12 if open_ else rng.uniform(0.012, 0.03)))


def _crash(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(1.8 * FS)) / FS
    return _bandpass(rng.standard_normal(len(t)), 3000, 13_000) * np.exp(-t / 0.6) * 0.6


def _tom(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.4 * FS)) / FS
    f = rng.uniform(90, 200) * (1 + 0.3 * np.exp(-t / 0.03))
    return np.sin(2 * np.pi * np.cumsum(f) / FS) * np.exp(-t / 0.15)


class _Kit:
    """A drum kit: a few variants per drum so repeated hits are not identical."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.sounds = {
            "kick": [_kick(rng) for _ in range(3)],
            "snare": [_snare(rng) for _ in range(3)],
            "hat": [_hat(rng) for _ in range(4)],
            "ohat": [_hat(rng, True)],
            "crash": [_crash(rng)],
            "tom": [_tom(rng) for _ in range(3)],
        }
        self.gain = {"kick": 1.0, "snare": 0.7, "hat": 0.25, "ohat": 0.22, "crash": 0.3, "tom": 0.6}

    def hit(
        self, buf: np.ndarray, name: str, at: int, vel: float = 1.0, variant: int | None = None
    ) -> None:
        opts = self.sounds[name]
        v = int(self.rng.integers(len(opts))) if variant is None else variant % len(opts)
        _place(buf, opts[v], at, self.gain[name] * vel)


def _chord(root: int, scale: tuple[int, ...], degree: int) -> list[int]:
    return [root + 12 * ((degree + s) // 7) + scale[(degree + s) % 7] for s in (0, 2, 4)]


def _music(rng: np.random.Generator, n: int, variant: str) -> np.ndarray:
    buf = np.zeros(n)
    kit = _Kit(rng)
    scale = _SCALES[str(rng.choice(list(_SCALES)))]
    root = int(rng.integers(45, 57))
    bpm = rng.uniform(78, 140)
    n_beats = int(n / FS * bpm / 60) + 8
    # Tempo drifts slowly (live band) and every beat is humanised.
    beat_len = 60 / bpm * (1 + 0.02 * smooth_random(rng, n_beats, 1.0, 0.005, 0.05, 3))
    beats = np.concatenate([[0.0], np.cumsum(beat_len)]) + rng.uniform(0, 0.5)
    profiles = list(rng.choice(_PROFILES, 3, replace=False))
    lead_p, chord_p, bass_p = profiles[0], profiles[1], "soft" if rng.random() < 0.5 else "saw"
    melody_pitch = root + 24

    def at(beat: float) -> int:
        b = int(np.floor(beat))
        x = beats[b] + (beat - b) * (beats[b + 1] - beats[b])
        return int((x + rng.normal(0, 0.006)) * FS)

    bar = 0
    while True:
        sec_bars = 8
        prog = _PROGS[int(rng.integers(len(_PROGS)))]
        groove = int(rng.integers(3))
        chord_style = int(rng.integers(3))
        with_melody = rng.random() < 0.75
        for sb in range(sec_bars):
            b0 = 4 * bar
            if b0 + 4 >= n_beats - 1 or beats[b0] * FS > n:
                return buf
            chord = _chord(root, scale, prog[sb % 4])
            beat_s = beats[b0 + 1] - beats[b0]
            # drums
            if sb == 0:
                kit.hit(buf, "crash", at(b0), 0.8)
            for s in range(8):
                pos = b0 + s / 2
                if groove == 0:
                    k = s in (0, 4) or (s == 5 and rng.random() < 0.3)
                    sn = s in (2, 6)
                elif groove == 1:
                    k = s % 2 == 0
                    sn = s in (2, 6)
                else:
                    k = s in (0, 3, 5)
                    sn = s == 4
                if sb == sec_bars - 1 and s >= 4:  # fill
                    kit.hit(buf, "tom", at(pos), rng.uniform(0.6, 1.0))
                    continue
                if k:
                    kit.hit(buf, "kick", at(pos), rng.uniform(0.85, 1.0))
                if sn:
                    kit.hit(buf, "snare", at(pos), rng.uniform(0.8, 1.0))
                kit.hit(
                    buf,
                    "ohat" if (s == 7 and rng.random() < 0.2) else "hat",
                    at(pos),
                    rng.uniform(0.5, 1.0) * (1.0 if s % 2 == 0 else 0.7),
                )
            # bass
            for s in range(4 if groove != 1 else 8):
                step = 1.0 if groove != 1 else 0.5
                m = chord[0] - 12 + (7 if rng.random() < 0.15 else 0)
                _place(
                    buf,
                    note(midi_hz(m), step * beat_s * 0.9, bass_p, decay=0.2, sustain=0.5),
                    at(b0 + s * step),
                    0.45,
                )
            # chords
            if chord_style == 0:
                for m in chord:
                    _place(
                        buf,
                        note(
                            midi_hz(m + 12),
                            4 * beat_s,
                            chord_p,
                            attack=0.15,
                            decay=1.0,
                            sustain=0.7,
                            release=0.4,
                        ),
                        at(b0),
                        0.1,
                    )
            elif chord_style == 1:
                for s in (1, 3):
                    for m in chord:
                        _place(
                            buf,
                            note(midi_hz(m + 12), 0.4 * beat_s, "piano", pluck=True, decay=0.25),
                            at(b0 + s),
                            0.15,
                        )
            else:
                for s in range(8):
                    m = chord[s % 3] + 12 * (1 + (s // 3) % 2)
                    _place(
                        buf,
                        note(midi_hz(m), 0.45 * beat_s, chord_p, pluck=True, decay=0.3),
                        at(b0 + s / 2),
                        0.12,
                    )
            # melody
            if with_melody:
                pos = 0.0
                while pos < 4:
                    dur = float(rng.choice([0.5, 0.5, 1.0, 1.0, 1.5, 2.0]))
                    if rng.random() > 0.2:
                        step = int(rng.choice([-2, -1, -1, 0, 1, 1, 2, 4, -4]))
                        deg = int(np.clip((melody_pitch - root) + step, -3, 20))
                        melody_pitch = root + deg
                        m = root + 12 * (deg // 7) + scale[deg % 7] + 12
                        _place(
                            buf,
                            note(
                                midi_hz(m),
                                dur * beat_s * 0.95,
                                lead_p,
                                attack=0.02,
                                decay=0.4,
                                sustain=0.5,
                                vibrato=0.006,
                            ),
                            at(b0 + pos),
                            0.22,
                        )
                    pos += dur
            bar += 1


def loop_length(bpm: int, rate: int = SCENE_RATE, bars: int = 2) -> int:
    """Samples in ``bars`` 4/4 bars at ``bpm`` and ``rate``."""
    return bars * 4 * 60 * rate // bpm


# 2 bars are an integer number of samples at both 32 and 48 kHz for these tempi.
LOOP_BPMS = (80, 96, 100, 120, 125, 128)


def music_loop(rng: np.random.Generator) -> np.ndarray:
    """One cycle (at the scene rate) of an exactly periodic 2-bar drum+bass loop."""
    bpm = int(rng.choice(LOOP_BPMS))
    length = loop_length(bpm, FS)
    assert length * bpm == 2 * 4 * 60 * FS and loop_length(bpm) * bpm == 2 * 4 * 60 * SCENE_RATE
    beat = length // 8
    buf = np.zeros(length + 2 * FS)
    kit = _Kit(rng)
    kicks = [0, 4, 8, 12] + ([6] if rng.random() < 0.5 else []) + [10, 14][: rng.integers(3)]
    for s in range(16):  # 8th-note grid over 2 bars
        pos = s * beat // 2
        if s in kicks:
            kit.hit(buf, "kick", pos, 1.0, variant=0)
        if s in (4, 12):
            kit.hit(buf, "snare", pos, 0.9, variant=0)
        kit.hit(buf, "hat", pos, 0.8 if s % 2 == 0 else 0.5, variant=s % 2)
    root = int(rng.integers(33, 41))
    riff = rng.choice([0, 0, 0, 7, 12, 10, 3, 5], 16)
    for s in range(16):
        if rng.random() < 0.85:
            _place(
                buf,
                note(
                    midi_hz(root + int(riff[s])), 0.45 * beat / FS, "saw", decay=0.15, sustain=0.4
                ),
                s * beat // 2,
                0.35,
            )
    if rng.random() < 0.7:  # offbeat chord stab
        chord = [root + 24, root + 27, root + 31]
        for s in (3, 11):
            for m in chord:
                _place(
                    buf,
                    note(midi_hz(m), 0.2 * beat / FS, "square", pluck=True, decay=0.12),
                    s * beat // 2,
                    0.08,
                )
    loop = buf[:length].copy()
    tail = buf[length:]
    for k in range(0, len(tail), length):  # fold tails so the tiled loop is seamless
        seg = tail[k : k + length]
        loop[: len(seg)] += seg
    # FFT resampling treats the loop as periodic: exact band-limited periodic upsampling.
    return cast(np.ndarray, resample(loop, loop_length(bpm)))


def _loop_overlay(rng: np.random.Generator, n: int, variant: str) -> np.ndarray:
    """Non-periodic elements over a loop: sung hooks, shouts, extra hits."""
    buf = np.zeros(n)
    t = int(rng.uniform(1, 6) * FS)
    singer = random_voice(rng)
    kit = _Kit(rng)
    while t < n:
        r = rng.random()
        if r < 0.5:
            ev = speech_phrase(rng, singer, int(rng.integers(2, 6)), sing=True)
            _place(buf, ev, t, 1.0)
        elif r < 0.75:
            ev = speech_phrase(rng, random_voice(rng), int(rng.integers(1, 4)))
            _place(buf, ev, t, 0.6)
        else:
            for _ in range(int(rng.integers(2, 7))):
                kit.hit(buf, str(rng.choice(["tom", "crash", "snare"])), t, 0.5)
                t += int(rng.uniform(0.08, 0.3) * FS)
            ev = np.zeros(1)
        t += len(ev) + int(rng.uniform(2, 10) * FS)
    return buf


# --------------------------------------------------------------------------- sparse


def _clap(rng: np.random.Generator) -> np.ndarray:
    n = int(0.25 * FS)
    t = np.arange(n) / FS
    env = np.zeros(n)
    for d in np.cumsum(rng.uniform(0.004, 0.012, int(rng.integers(2, 5)))):
        env += np.exp(-np.clip(t - d, 0, None) / rng.uniform(0.004, 0.01)) * (t >= d)
    env += 0.3 * np.exp(-t / 0.06)
    return _bandpass(rng.standard_normal(n), 800, 7000) * env


def _knock(rng: np.random.Generator) -> np.ndarray:
    out = []
    f = rng.uniform(180, 600)
    for _ in range(int(rng.integers(2, 5))):
        t = np.arange(int(rng.uniform(0.18, 0.3) * FS)) / FS
        body = sum(
            np.sin(2 * np.pi * f * r * t) * np.exp(-t / rng.uniform(0.015, 0.05))
            for r in (1.0, 1.6, 2.7)
        )
        click = rng.standard_normal(len(t)) * np.exp(-t / 0.002) * 0.5
        out.append(body + click)
    return np.concatenate(out)


def _door(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(1.2 * FS)) / FS
    thump = np.sin(2 * np.pi * rng.uniform(55, 110) * t) * np.exp(-t / 0.12)
    rattle = _bandpass(rng.standard_normal(len(t)), 300, 5000, 4) * np.exp(-t / 0.12) * 0.4
    return thump + rattle


def _steps(rng: np.random.Generator) -> np.ndarray:
    gap = rng.uniform(0.45, 0.65)
    steps = int(rng.integers(4, 10))
    out = np.zeros(int((steps * gap + 0.5) * FS))
    for i in range(steps):
        t = np.arange(int(0.12 * FS)) / FS
        s = _bandpass(rng.standard_normal(len(t)), 80, 2500) * np.exp(-t / 0.025)
        _place(out, s, int((i * gap + rng.normal(0, 0.02)) * FS), rng.uniform(0.5, 1))
    return out


def _drop(rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.8 * FS)) / FS
    out = np.zeros(len(t))
    for _ in range(int(rng.integers(2, 6))):
        f = rng.uniform(400, 4000)
        d = int(rng.uniform(0, 0.3) * FS)
        ring = np.sin(2 * np.pi * f * t) * np.exp(-t / rng.uniform(0.02, 0.12))
        _place(out, ring, d, rng.uniform(0.3, 1))
    return out


def _sparse(rng: np.random.Generator, n: int, variant: str) -> np.ndarray:
    buf = np.zeros(n)
    t = int(rng.uniform(2, 10) * FS)
    while t < n:
        kind = rng.choice(["clap", "knock", "door", "steps", "drop", "phrase"])
        ev = {
            "clap": lambda: np.concatenate([_clap(rng) for _ in range(rng.integers(1, 4))]),
            "knock": lambda: _knock(rng),
            "door": lambda: _door(rng),
            "steps": lambda: _steps(rng),
            "drop": lambda: _drop(rng),
            "phrase": lambda: speech_phrase(rng, random_voice(rng), int(rng.integers(3, 9))),
        }[str(kind)]()
        ev = ev * np.minimum(1.0, np.arange(len(ev), 0, -1) / (0.05 * FS))  # no hard ends
        ev = ev / (np.sqrt(active_power(ev, FS)) + 1e-12)
        _place(buf, ev, t, db(rng.uniform(-6, 3)))
        t += len(ev) + int(rng.uniform(10, 40) * FS)
    return buf


# --------------------------------------------------------------------------- ambient


def _ambient(rng: np.random.Generator, n: int, variant: str) -> np.ndarray:
    t = np.arange(n) / FS
    out = np.zeros(n)
    parts = rng.choice(["hvac", "wind", "traffic"], int(rng.integers(1, 3)), replace=False)
    for p in parts:
        if p == "hvac":
            mains = float(rng.choice([50.0, 60.0]))
            hum = sum(
                np.sin(2 * np.pi * mains * h * t + rng.uniform(0, 6)) / h**1.5 for h in (1, 2, 3, 5)
            )
            fan = np.sin(
                2
                * np.pi
                * np.cumsum(
                    rng.uniform(80, 160) * (1 + 0.01 * smooth_random(rng, n, FS, 0.05, 0.3))
                )
                / FS
            )
            out += noise(rng, n, "hvac") + 0.15 * hum + 0.1 * fan + 0.2 * noise(rng, n, "hiss")
        elif p == "wind":
            gust = np.clip(1 + 0.7 * smooth_random(rng, n, FS, 0.03, 0.4), 0.05, None)
            out += _bandpass(noise(rng, n, "pink"), 60, 1800) * gust * 2
        else:
            swell = np.clip(1 + 0.5 * smooth_random(rng, n, FS, 0.02, 0.1), 0.1, None)
            out += noise(rng, n, "rumble") * swell + 0.1 * noise(rng, n, "hiss")
    return out


# --------------------------------------------------------------------------- scenes

GENERATORS: dict[str, Callable[[np.random.Generator, int, str], np.ndarray]] = {
    "speech": _speech,
    "crowd": _crowd,
    "music": _music,
    "sparse": _sparse,
    "ambient": _ambient,
    "silence": lambda rng, n, v: np.zeros(n),
}
_KIND_CODE = {k: i for i, k in enumerate(KINDS)}


def _fade(n: int, xf: int, fade_in: bool, fade_out: bool) -> np.ndarray:
    """Equal-power (sin/cos) fades for crossfading uncorrelated material."""
    g = np.ones(n)
    ramp = np.sin(0.5 * np.pi * (np.arange(xf) + 0.5) / xf)
    if fade_in:
        g[:xf] = ramp
    if fade_out:
        g[n - xf :] = ramp[::-1]
    return g


def synthesize_scene(spec: SceneSpec, out: np.ndarray | None = None) -> np.ndarray:
    """The scene as float32 at 48 kHz (into ``out`` if given, e.g. a np.memmap)."""
    n = spec.n_samples
    buf = np.zeros(n, np.float32) if out is None else out
    xf = int(XFADE_S * SCENE_RATE)
    start = 0
    segs = spec.segments
    for si, seg in enumerate(segs):
        seg_n = round(seg.duration_s * SCENE_RATE) if si < len(segs) - 1 else n - start
        lo = start - (xf // 2 if si > 0 else 0)
        hi = start + seg_n + (xf // 2 if si < len(segs) - 1 else 0)
        hi = min(hi, n)
        gain = db(seg.level_dbfs)
        code = _KIND_CODE[seg.kind]
        if seg.kind == "music_loop":
            loop = _normalise(music_loop(np.random.default_rng([spec.seed, si, code, 7])))
            _write_loop(buf, loop, lo, hi, gain, xf, si > 0, si < len(segs) - 1)
        pieces = max(1, int(np.ceil((hi - lo) / (PIECE_S * SCENE_RATE))))
        bounds = np.linspace(lo, hi, pieces + 1).round().astype(int)
        for pi in range(pieces):
            a = bounds[pi] - (xf // 2 if pi > 0 else 0)
            b = bounds[pi + 1] + (xf // 2 if pi < pieces - 1 else 0)
            rng = np.random.default_rng([spec.seed, si, code, pi])
            n_lo = (b - a) * FS // SCENE_RATE + 16
            if seg.kind == "music_loop":
                if seg.variant != "plus":
                    continue
                x = _to_scene_rate(_loop_overlay(rng, n_lo, seg.variant), b - a)
                x *= db(-6) / np.sqrt(max(active_power(x, SCENE_RATE), 1e-12))
            else:
                x = _to_scene_rate(GENERATORS[seg.kind](rng, n_lo, seg.variant), b - a)
                x = _normalise(x, SCENE_RATE)
            fade_in = pi > 0 or si > 0
            fade_out = pi < pieces - 1 or si < len(segs) - 1
            x *= _fade(b - a, xf, fade_in, fade_out) * gain
            buf[a:b] += x.astype(np.float32)
        start += seg_n
    if spec.room_tone_dbfs is not None:
        _add_room_tone(buf, spec)
    return buf


def _to_scene_rate(x: np.ndarray, n: int) -> np.ndarray:
    """Synthesis rate -> scene rate (3/2 polyphase, zero-phase), first n samples."""
    return cast(np.ndarray, resample_poly(x, 3, 2)[:n])


def _write_loop(
    buf: np.ndarray,
    loop: np.ndarray,
    lo: int,
    hi: int,
    gain: float,
    xf: int,
    fade_in: bool,
    fade_out: bool,
) -> None:
    """Tile ``loop`` exactly over buf[lo:hi] (sample lo is loop sample 0)."""
    step = 1 << 20
    fades = _fade(hi - lo, xf, fade_in, fade_out)
    for a in range(lo, hi, step):
        b = min(a + step, hi)
        idx = (np.arange(a, b) - lo) % len(loop)
        buf[a:b] += (loop[idx] * gain * fades[a - lo : b - lo]).astype(np.float32)


def _add_room_tone(buf: np.ndarray, spec: SceneSpec) -> None:
    """Continuous low-level pink-ish room tone (< 6 kHz, so made at 16 kHz and upsampled:
    a third of the noise to generate and filter)."""
    rng = np.random.default_rng([spec.seed, 99_991])
    lo = 16_000
    pink = NoiseStream("pink", lo, rng)
    rumble = NoiseStream("rumble", lo, rng)
    lp = butter(4, 6000.0, fs=lo, output="sos")
    zi = np.zeros((lp.shape[0], 2))
    g = db(spec.room_tone_dbfs or 0.0)
    step = 1 << 18  # low-rate samples per block
    pad = 64  # resample_poly edge margin (low-rate samples), overlapped between blocks
    prev = np.zeros(2 * pad)
    for a in range(0, -(-len(buf) // 3) + pad, step):
        x, zi = sosfilt(lp, 0.8 * pink.next(step) + 0.6 * rumble.next(step), zi=zi)
        x = np.concatenate([prev, x])  # previous block's tail gives the filter context
        prev = x[-2 * pad :]
        y = resample_poly(x, 3, 1)[3 * pad : 3 * (len(x) - pad)]
        lo_out = 3 * a - 3 * pad  # buffer index of y[0]
        _place(buf, (g * y).astype(np.float32), lo_out)
