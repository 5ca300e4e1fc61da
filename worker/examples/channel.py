"""Per-camera channel / device models, applied to the rendered camera signal.

Chain per camera (all at the camera's rate):

    scene --render--> dry --(room RIR * device EQ)--> + noise (SNR) --> level/AGC
          --> hard clip (drive) --> polarity --> + absolute noise floor --> [-1, 1]

The linear part is one FIR whose *direct path is at delay 0*: the RIR has its
direct sound as tap 0 and the EQ is zero-phase (linear-phase FIR, delay removed), so
the truth stays the direct path exactly. (A real minimum-phase device EQ would move
the apparent sync by up to ~0.1-0.3 ms, making the truth ambiguous at the 10 us level;
the engine should not rely on that anyway.) Stereo channels share the direct path and
EQ and differ in their diffuse tail, gain and noise.

The signal level (for SNR, target level, clipping drive) is measured in a first pass
over the dry signal (every chunk for short cameras, an evenly spread subset for long
ones); the second pass streams the final samples, so cameras of any length need only
a few chunks of memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import numpy as np
from scipy.signal import butter, fftconvolve, lfilter, oaconvolve, sosfilt

from .render import CHUNK, render
from .sources import BabbleNoise, NoiseStream, db

NOISE_KINDS = ("white", "pink", "babble", "hvac")
EQ_PRESETS = ("flat", "presence", "telephone", "tilt_up", "tilt_down", "boomy", "tinny")
TARGET_DBFS = -20.0  # active RMS before gain_db
_KEEP_SAMPLES = 24_000_000  # cameras up to this many samples render once (<= 96 MB)


@dataclass(frozen=True)
class ChannelModel:
    """What happens between the scene and one camera's file."""

    snr_db: float | None = None  # independent noise vs. active signal power (None: none)
    noise: str = "pink"  # white | pink | babble | hvac
    noise_floor_dbfs: float | None = None  # absolute extra noise, e.g. -70 (near-silence)
    rt60_s: float | None = None  # room reverb (None: dry)
    drr_db: float = 6.0  # direct-to-reverberant energy ratio
    hp_hz: float | None = None  # device high-pass
    lp_hz: float | None = None  # device low-pass
    eq: str = "flat"  # one of EQ_PRESETS
    gain_db: float = 0.0  # active level relative to TARGET_DBFS
    invert: bool = False  # polarity inversion
    clip_drive_db: float | None = None  # hard clipping: 99.9th pct. level over full scale
    agc: bool = False  # slow automatic gain control
    variant: int = 0  # varies room/noise realisation for otherwise equal models

    # Hooks for models that describe the room or the microphone explicitly
    # (room.py); methods, not fields, so the spec hashes of the cases
    # built from this class stay what they were.

    def impulse(self, rng: np.random.Generator, rate: int) -> np.ndarray:
        """One channel's room response with the direct path at tap 0 (dry: [1.0])."""
        if not self.rt60_s:
            return np.ones(1)
        return room_impulse(rng, rate, self.rt60_s, self.drr_db)

    def colour(self, f: np.ndarray) -> np.ndarray | None:
        """Extra magnitude response of the microphone beyond ``eq`` (None: none)."""
        return None

    def propagation_s(self) -> float:
        """Delay of the direct path in ``impulse`` (0: the response starts with it)."""
        return 0.0


# --------------------------------------------------------------------------- filters


def room_impulse(rng: np.random.Generator, rate: int, rt60_s: float, drr_db: float) -> np.ndarray:
    """Synthetic RIR: direct path 1.0 at tap 0, early reflections, decaying diffuse tail."""
    n = int(1.2 * rt60_s * rate) + 1
    rev = np.zeros(n)
    # Early reflections (floor, walls, table): positive, decaying with path length.
    delays = np.sort(rng.uniform(0.0015, 0.04, int(rng.integers(6, 16))))
    for d in delays:
        k = int(d * rate)
        rev[k] += rng.uniform(0.25, 0.8) / (1 + 40 * d) * rng.choice([1, 1, 1, -1])
    rev += diffuse_tail(rng, rate, rt60_s, n) * 0.3
    rev[0] = 0.0
    # Scale the reverberant part to the requested direct-to-reverberant ratio.
    e = float(np.sum(rev**2))
    if e > 0:
        rev *= np.sqrt(db(-drr_db) ** 2 / e)
    rev[0] = 1.0
    fade = max(1, n // 10)
    rev[n - fade :] *= np.linspace(1, 0, fade)
    return rev


def diffuse_tail(rng: np.random.Generator, rate: int, rt60_s: float, n: int) -> np.ndarray:
    """Diffuse reverberation, ``n`` taps: frequency-dependent decay (highs die faster)
    and a gradual onset a few ms after the direct path. Unnormalised."""
    t = np.arange(n) / rate
    onset = rng.uniform(0.004, 0.015)
    ramp = np.clip((t - onset) / 0.02, 0, 1)
    tail = np.zeros(n)
    bands = [(None, 800.0, 1.25), (800.0, 4000.0, 1.0), (4000.0, None, 0.6)]
    for lo, hi, k in bands:
        x = rng.standard_normal(n)
        nyq = 0.5 * rate
        if lo is None:
            sos = butter(2, min(cast(float, hi), 0.45 * rate), fs=rate, output="sos")
        elif hi is None or hi >= 0.9 * nyq:
            sos = butter(2, min(lo, 0.45 * rate), btype="high", fs=rate, output="sos")
        else:
            sos = butter(2, [lo, hi], btype="band", fs=rate, output="sos")
        tail += sosfilt(sos, x) * np.exp(-6.91 * t / (rt60_s * k))
    return tail * ramp


def bell_gain(f: np.ndarray, fc: float, gain_db: float, q: float) -> np.ndarray:
    """Magnitude of a peaking (bell) filter: ``gain_db`` at ``fc``, width set by ``q``."""
    return 1 + (db(gain_db) - 1) * np.exp(-0.5 * (np.log2(f / fc) * 2 * q) ** 2)


def eq_magnitude(f: np.ndarray, model: ChannelModel) -> np.ndarray:
    """Device magnitude response at frequencies ``f`` (Hz)."""
    f = np.maximum(f, 1e-3)
    g = np.ones_like(f)

    def bell(fc: float, gain_db: float, q: float) -> np.ndarray:
        return bell_gain(f, fc, gain_db, q)

    hp, lp = model.hp_hz, model.lp_hz
    if model.eq == "telephone":
        hp, lp = max(hp or 0.0, 300.0), min(lp or 1e9, 3400.0)
        g *= bell(1500.0, 3.0, 1.0)
    elif model.eq == "presence":
        g *= bell(3500.0, 6.0, 1.0)
    elif model.eq == "tilt_up":
        g *= np.clip((f / 1000.0) ** 0.5, 0.5, 3.0)
    elif model.eq == "tilt_down":
        g *= np.clip((f / 500.0) ** -0.5, 0.25, 1.5)
    elif model.eq == "boomy":
        g *= bell(150.0, 8.0, 0.8)
    elif model.eq == "tinny":
        hp = max(hp or 0.0, 500.0)
        g *= bell(2500.0, 8.0, 1.2)
    if hp:
        g /= np.sqrt(1 + (hp / f) ** 4)
    if lp:
        g /= np.sqrt(1 + (f / lp) ** 8)
    extra = model.colour(f)
    return g if extra is None else g * extra


def eq_fir(model: ChannelModel, rate: int) -> np.ndarray | None:
    """Zero-phase (symmetric, odd-length) FIR for the device EQ; None if flat."""
    if (
        model.eq == "flat"
        and not model.hp_hz
        and not model.lp_hz
        and model.colour(np.ones(1)) is None
    ):
        return None
    taps = int(0.043 * rate) | 1
    nfft = 8 * taps
    f = np.fft.rfftfreq(nfft, 1 / rate)
    h = np.fft.irfft(eq_magnitude(f, model), nfft)
    half = taps // 2
    h = np.concatenate([h[-half:], h[: half + 1]]) * np.kaiser(taps, 8.0)
    return h


def channel_filters(
    model: ChannelModel, rate: int, channels: int, rng: np.random.Generator
) -> tuple[list[np.ndarray] | None, int]:
    """Per-channel linear FIRs and their lead (taps before the direct path)."""
    eq = eq_fir(model, rate)
    rirs = [model.impulse(rng, rate) for _ in range(channels)]
    if eq is None and all(len(r) == 1 for r in rirs):
        return None, 0
    if eq is None:
        return rirs, 0
    return [fftconvolve(r, eq) if len(r) > 1 else eq for r in rirs], len(eq) // 2


# --------------------------------------------------------------------------- noise


class _HvacNoise:
    """Air-handling noise: band-limited rumble + mains hum harmonics + fan tone + hiss."""

    def __init__(self, rate: int, rng: np.random.Generator) -> None:
        self.rate = rate
        self.base = NoiseStream("hvac", rate, rng)
        self.hiss = NoiseStream("hiss", rate, rng)
        self.mains = float(rng.choice([50.0, 60.0]))
        self.fan = rng.uniform(70, 160)
        self.ph = rng.uniform(0, 2 * np.pi, 5)
        self.pos = 0

    def next(self, n: int) -> np.ndarray:
        t = np.arange(self.pos, self.pos + n) / self.rate
        tones = sum(
            np.sin(2 * np.pi * self.mains * h * t + self.ph[i]) / h**1.5
            for i, h in enumerate((1, 2, 3, 5))
        )
        tones = tones + 0.5 * np.sin(2 * np.pi * self.fan * t + self.ph[4])
        self.pos += n
        return cast(np.ndarray, (self.base.next(n) + 0.25 * self.hiss.next(n) + 0.2 * tones) / 1.06)


def noise_source(
    kind: str, rate: int, rng: np.random.Generator
) -> NoiseStream | BabbleNoise | _HvacNoise:
    """A stateful unit-RMS (approximately) noise generator of ``kind``."""
    if kind == "babble":
        return BabbleNoise(rate, rng)
    if kind == "hvac":
        return _HvacNoise(rate, rng)
    if kind in ("white", "pink"):
        return NoiseStream(kind, rate, rng)
    raise ValueError(f"unknown noise kind {kind!r}")


# --------------------------------------------------------------------------- camera chain


@dataclass
class _Levels:
    p_active: float
    peak: float
    q999: float


class CameraChain:
    """Scene -> one camera's final samples, in streamed chunks (two passes)."""

    def __init__(
        self,
        scene: np.ndarray | None,
        rate: int,
        start_s: float,
        drift_ppm: float,
        n_samples: int,
        channels: int,
        model: ChannelModel,
        seed: tuple[int, ...],
    ) -> None:
        self.scene, self.rate, self.start_s, self.drift = scene, rate, start_s, drift_ppm
        self.n, self.channels, self.model, self.seed = n_samples, channels, model, seed
        frng = np.random.default_rng([*seed, model.variant, 1])
        self.filters, self.lead = channel_filters(model, rate, channels, frng)
        # Chunk is a whole number of 10 ms AGC frames.
        self.hop = rate // 100
        self.chunk = max(1, CHUNK // self.hop) * self.hop
        # Short cameras keep pass 1's dry chunks for pass 2 instead of rendering twice.
        self._keep = n_samples * channels <= _KEEP_SAMPLES
        self._kept: dict[int, np.ndarray] = {}

    def _dry_chunk(self, a: int) -> np.ndarray:
        if a in self._kept:
            return self._kept.pop(a).astype(np.float64)
        x = self.dry(a, min(a + self.chunk, self.n))
        if self._keep:
            self._kept[a] = x.astype(np.float32)  # float32 halves the memory kept
        return x

    def dry(self, n0: int, n1: int) -> np.ndarray:
        """Linear-channel output for camera samples n0..n1-1, (n, channels)."""
        out = np.zeros((n1 - n0, self.channels))
        if self.scene is None:
            return out
        if self.filters is None:
            out[:] = render(self.scene, self.rate, self.start_s, self.drift, n0, n1)[:, None]
            return out
        length = max(len(h) for h in self.filters)
        a = n0 + self.lead - (length - 1)
        x = render(self.scene, self.rate, self.start_s, self.drift, a, n1 + self.lead)
        for c, h in enumerate(self.filters):
            h = np.pad(h, (0, length - len(h)))
            out[:, c] = oaconvolve(x, h, mode="valid")
        return out

    def levels(self, max_chunks: int = 24) -> _Levels:
        """Pass 1: active power, peak and 99.9th percentile of |dry| (channel 0)."""
        starts = list(range(0, self.n, self.chunk))
        if len(starts) > max_chunks:  # long camera: an evenly spread subset is enough
            pick = np.linspace(0, len(starts) - 1, max_chunks).round().astype(int)
            starts = [starts[i] for i in pick]
        frames, peak, q = [], 0.0, []
        hop = max(1, round(0.05 * self.rate))
        for a in starts:
            x = self._dry_chunk(a)[:, 0]
            m = len(x) // hop
            if m:
                frames.append(np.mean(x[: m * hop].reshape(m, hop) ** 2, axis=1))
            peak = max(peak, float(np.max(np.abs(x), initial=0.0)))
            q.append(float(np.percentile(np.abs(x), 99.9)) if len(x) else 0.0)
        p = np.concatenate(frames) if frames else np.zeros(0)
        p = p[p > 1e-10]  # absolute gate (the dry level is still the scene's, ~-20 dBFS)
        p_act = float(p[p > 0.01 * p.mean()].mean()) if len(p) else 0.0  # relative gate
        return _Levels(p_act, peak, float(np.median(q)) if q else 0.0)

    def chunks(self) -> Iterator[np.ndarray]:
        """Pass 2: final float32 samples (n, channels) in [-1, 1], chunk by chunk."""
        m = self.model
        lv = self.levels()
        nrng = np.random.default_rng([*self.seed, m.variant, 2])
        noises = [noise_source(m.noise, self.rate, nrng) for _ in range(self.channels)]
        floors = [noise_source("pink", self.rate, nrng) for _ in range(self.channels)]
        target = db(TARGET_DBFS + m.gain_db) ** 2
        p_s = lv.p_active
        p_n = p_s * db(-m.snr_db) ** 2 if (m.snr_db is not None and p_s > 0) else 0.0
        g = np.sqrt(target / (p_s + p_n)) if p_s > 0 else 1.0
        sigma = g * np.sqrt(p_n)
        if m.clip_drive_db is None:  # keep the (estimated) peak below full scale
            est = (g * lv.peak + 4.0 * sigma) * (db(10.0) if m.agc else 1.0)
            if est > 0.95:
                g, sigma = g * 0.95 / est, sigma * 0.95 / est
        drive = (
            db(m.clip_drive_db) / (g * lv.q999)
            if m.clip_drive_db is not None and lv.q999 > 0
            else None
        )
        stereo_gain = [1.0, db(-1.5)]
        agc = _Agc(self.rate, self.hop) if m.agc else None
        floor = db(m.noise_floor_dbfs) if m.noise_floor_dbfs is not None else 0.0
        for a in range(0, self.n, self.chunk):
            b = min(a + self.chunk, self.n)
            x = self._dry_chunk(a) * g
            for c in range(self.channels):
                if sigma > 0:
                    x[:, c] += sigma * noises[c].next(b - a)
                x[:, c] *= stereo_gain[c]
            if agc is not None:
                x *= agc.gains(x[:, 0])[:, None]
            if drive is not None:
                x = np.clip(x * drive, -1.0, 1.0)
            if m.invert:
                x = -x
            if floor > 0:
                for c in range(self.channels):
                    x[:, c] += floor * floors[c].next(b - a)
            yield np.clip(x, -1.0, 1.0).astype(np.float32)


class _Agc:
    """Slow AGC: tracks the 10 ms frame level (~2 s time constant) toward -20 dBFS,
    at most +/-10 dB, with per-sample gain interpolated between frames."""

    def __init__(self, rate: int, hop: int) -> None:
        self.hop = hop
        a = np.exp(-1.0 / (2.0 * rate / hop))
        self.b, self.a = np.array([1 - a]), np.array([1.0, -a])
        self.z = np.array([a * TARGET_DBFS])
        self.last = 1.0

    def gains(self, x: np.ndarray) -> np.ndarray:
        m = len(x) // self.hop
        lev = 10 * np.log10(np.mean(x[: m * self.hop].reshape(m, self.hop) ** 2, axis=1) + 1e-9)
        lev = np.maximum(lev, TARGET_DBFS - 30)  # ignore pauses (gate)
        smooth, self.z = lfilter(self.b, self.a, lev, zi=self.z)
        g = 10 ** (np.clip(0.6 * (TARGET_DBFS - smooth), -10, 10) / 20)
        pts = np.concatenate([[self.last], g])
        self.last = float(g[-1]) if m else self.last
        per = np.interp(np.arange(len(x)) / self.hop, np.arange(m + 1), pts)
        return cast(np.ndarray, per)
