"""Align one pair of tracks: coarse envelope search, drift line, fine waveform windows.

Result convention: ``offset_s`` is b's first sample on a's clock; ``slope`` is
d(a_time - b_time)/d(b_time), so a_time = offset_s + b_time * (1 + slope).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from worker.sync.direct import DirectPath, direct_path_lag
from worker.sync.linefit import LineFit, robust_line
from worker.sync.track import Track
from worker.sync.xcorr import (
    CoarsePeak,
    coarse_fft_len,
    coarse_peak,
    fine_window_lag,
    local_envelope_lag,
)


@dataclass(frozen=True)
class SyncParams:
    """Tunables of the pairwise search (defaults are what the corpus was calibrated on)."""

    min_overlap_fraction: float = 0.1
    min_overlap_s: float = 5.0
    max_drift_ppm: float = 200.0
    drift_windows_from_s: float = 240.0
    fine_window_s: float = 4.0
    fine_windows_max: int = 48
    fine_window_spacing_s: float = 8.0
    fine_min_z: float = 5.0
    inlier_tol_s: float = 0.0005
    # Takes of tens of seconds drift too (50 ppm: 1 ms in 20 s); the slope is still
    # kept only when significant (linefit), so a steady clock keeps slope 0.
    min_drift_span_s: float = 10.0
    gcc_beta: float = 0.8
    # Direct-path check (worker/sync/direct.py): chunks of the overlap, at most a
    # budget of them (the liveliest), searched within a reach of the fine line.
    direct_chunk_s: float = 2.0
    direct_budget_s: float = 120.0
    direct_reach_s: float = 0.03
    # The check moves the offset when it disagrees with the fine line by more than
    # two samples at 8 kHz and its peak stands clear of its rivals.
    direct_tol_s: float = 0.00025
    direct_max_ratio: float = 0.8
    # A loop check (a pair of clips the first placement already puts looks-good) needs
    # agreement, not the placement's full evidence: this share of the fine windows
    # and of the direct-path budget (engine.sync_clip_tracks).
    check_share: float = 0.5

    def for_checks(self) -> SyncParams:
        """These params with ``check_share`` of the fine and direct-path work."""
        return replace(
            self,
            fine_windows_max=max(3, round(self.fine_windows_max * self.check_share)),
            direct_budget_s=self.direct_budget_s * self.check_share,
        )


@dataclass(frozen=True)
class WindowResult:
    """One fine window: b time of its centre, local offset (a - b time), quality."""

    b_center_s: float
    offset_s: float
    z: float
    ratio: float
    polarity: int
    inlier: bool


@dataclass(frozen=True)
class PairAlignment:
    """Everything learned about one ordered pair (a is the reference)."""

    offset_s: float
    slope: float
    coarse: CoarsePeak
    windows: tuple[WindowResult, ...]
    fit: LineFit | None
    overlap_s: float
    coarse_fine_gap_s: float
    rival_z: float  # best coarse peak outside the lags the drift line covers
    polarity: int
    # |correlation| around the peak of the strongest window, normalised (artifacts).
    peak_curve: tuple[float, ...] = field(default=())
    peak_curve_start_s: float = 0.0
    # The direct-path check, and how far it moved the fine line (0 when it agreed).
    direct: DirectPath | None = None
    direct_shift_s: float = 0.0
    # The check disagreed with the fine line but could not single out a lag either:
    # the offset is the strongest (possibly reflected) peak, frame- not sample-accurate.
    direct_ambiguous: bool = False
    # Groups of the check whose own peak is on the final line (evidence, like inliers).
    direct_agreeing: int = 0

    @property
    def drift_ppm(self) -> float:
        """b's clock rate against a's, in ppm (b fast => positive)."""
        return (1.0 / (1.0 + self.slope) - 1.0) * 1e6

    @property
    def inlier_fraction(self) -> float:
        if not self.windows:
            return 0.0
        return sum(w.inlier for w in self.windows) / len(self.windows)

    @property
    def fine_z(self) -> float:
        """Median z of the fine windows on the fitted line (waveform-level evidence)."""
        zs = [w.z for w in self.windows if w.inlier]
        return float(np.median(zs)) if zs else 0.0

    @property
    def residual_ms(self) -> float:
        return self.fit.residual_std * 1000.0 if self.fit else float("inf")


def _overlap(a: Track, b: Track, offset_s: float) -> tuple[float, float]:
    """Overlap on b's clock, [start, end) in seconds."""
    return max(0.0, -offset_s), min(b.duration_s, a.duration_s - offset_s)


def _drift_line(
    a: Track, b: Track, coarse_lag: float, lo: float, hi: float, p: SyncParams
) -> tuple[float, float, float]:
    """(intercept_s, slope, search_halfwidth_s) from envelope windows along the overlap."""
    hop = b.envelope.hop_s
    offset0 = coarse_lag * hop
    span = hi - lo
    smear = p.max_drift_ppm * 1e-6 * span
    if span < p.drift_windows_from_s:
        return offset0, 0.0, 0.02 + smear
    count = int(np.clip(span / 60.0, 4, 24))
    edges = np.linspace(lo, hi, count + 1)
    reach = int(np.ceil((0.05 + smear) / hop))
    xs, ys, ws = [], [], []
    for k in range(count):
        f0, f1 = int(edges[k] / hop), int(edges[k + 1] / hop)
        centre = f0 + round(coarse_lag)
        sa = max(0, centre - reach)
        ea = min(a.envelope.frames, f1 + round(coarse_lag) + reach)
        if f1 - f0 < 50 or ea - sa < f1 - f0:
            continue
        lo_lag = centre - reach - sa
        hi_lag = centre + reach - sa
        found = local_envelope_lag(
            a.envelope.values[sa:ea], b.envelope.values[f0:f1], lo_lag, hi_lag
        )
        if found is None or found[1] < 5.0:
            continue
        lag_local, z = found
        xs.append((f0 + f1) / 2 * hop)
        ys.append((sa + lag_local - f0) * hop)
        ws.append(min(z, 30.0))
    if len(xs) < 3:
        return offset0, 0.0, 0.02 + smear
    fit = robust_line(
        np.array(xs), np.array(ys), np.array(ws), inlier_tol=0.012, min_span=p.min_drift_span_s
    )
    if fit is None or int(fit.inliers.sum()) < 3:
        return offset0, 0.0, 0.02 + smear
    return fit.intercept, fit.slope, 0.02


def _pick_windows(
    a: Track, b: Track, line: tuple[float, float], lo: float, hi: float, w: float, count: int
) -> list[float]:
    """Start times (b clock) of ``count`` windows of ``w`` s: the liveliest stretch of
    each of ``count`` segments of [lo, hi)."""
    intercept, slope = line
    span = hi - lo - w
    if span <= 0:
        return [lo] if hi - lo >= 0.5 else []
    hop = b.envelope.hop_s
    act_a, act_b = a.envelope.activity_db, b.envelope.activity_db
    # Prefix sums turn every candidate's mean activity into two lookups.
    sum_a = np.concatenate([[0.0], np.cumsum(act_a, dtype=np.float64)])
    sum_b = np.concatenate([[0.0], np.cumsum(act_b, dtype=np.float64)])
    starts: list[float] = []
    edges = np.linspace(lo, lo + span, count + 1)
    for k in range(count):
        cands = np.arange(edges[k], edges[k + 1] + 1e-9, max(0.25, w / 4))
        fb0 = np.trunc(cands / hop).astype(np.int64)
        fb1 = np.trunc((cands + w) / hop).astype(np.int64)
        ta = intercept + cands * (1 + slope)
        fa0 = np.trunc(ta / hop).astype(np.int64)
        fa1 = np.trunc((ta + w) / hop).astype(np.int64)
        ok = (fb1 <= len(act_b)) & (fa0 >= 0) & (fa1 <= len(act_a)) & (fb1 > fb0) & (fa1 > fa0)
        if not ok.any():
            starts.append(float(cands[0]))
            continue
        fb0, fb1, fa0, fa1 = fb0[ok], fb1[ok], fa0[ok], fa1[ok]
        mean_b = (sum_b[fb1] - sum_b[fb0]) / (fb1 - fb0)
        mean_a = (sum_a[fa1] - sum_a[fa0]) / (fa1 - fa0)
        starts.append(float(cands[ok][int(np.argmax(np.minimum(mean_a, mean_b)))]))
    return starts


def _direct_path(
    a: Track, b: Track, line: tuple[float, float], lo: float, hi: float, p: SyncParams
) -> DirectPath | None:
    """The direct-path check along ``line`` over the overlap [lo, hi) (b's clock)."""
    # Every chunk's reach must lie inside both files.
    margin = p.direct_reach_s + 2.0 / b.rate
    lo, hi = lo + margin, hi - margin
    w = p.direct_chunk_s
    count = int((hi - lo) // w)
    if count < 1:
        return None
    budget = max(1, int(p.direct_budget_s // w))
    if count <= budget:
        starts = np.linspace(lo, hi - w, count).tolist() if count > 1 else [lo]
    else:
        # A long overlap: its liveliest stretches hold the most onsets.
        starts = _pick_windows(a, b, line, lo, hi, w, budget)
    return direct_path_lag(a, b, line, starts, w, p.direct_reach_s, beta=p.gcc_beta)


def _fine_windows(
    a: Track,
    b: Track,
    line: tuple[float, float],
    overlap: tuple[float, float],
    reach_s: float,
    p: SyncParams,
) -> tuple[list[WindowResult], tuple[float, tuple[float, ...], float]]:
    """Every fine window's GCC within ``reach_s`` of ``line``, and the |corr| curve of
    the strongest one (its z, the curve, the curve's start as an offset)."""
    intercept, slope = line
    lo, hi = overlap
    rate = b.rate
    win = min(p.fine_window_s, max(0.5, (hi - lo) / 3))
    wn = int(win * rate)
    reach = int(np.ceil(reach_s * rate))
    windows: list[WindowResult] = []
    best_curve: tuple[float, tuple[float, ...], float] = (-np.inf, (), 0.0)
    count = int(np.clip(round((hi - lo) / p.fine_window_spacing_s), 3, p.fine_windows_max))
    for start in _pick_windows(a, b, line, lo, hi, win, count):
        x0 = round(start * rate)
        t_pred = intercept * rate + x0 * (1 + slope)
        sa = int(np.floor(t_pred)) - reach
        seg_a_len = wn + 2 * reach
        if sa < 0 or sa + seg_a_len > len(a.samples) or x0 + wn > len(b.samples):
            continue
        peak = fine_window_lag(
            a.window(sa, seg_a_len), b.window(x0, wn), 2 * reach, beta=p.gcc_beta
        )
        if peak is None:
            continue
        local = (sa + peak.lag - x0) / rate
        windows.append(
            WindowResult((x0 + wn / 2) / rate, local, peak.z, peak.ratio, peak.polarity, False)
        )
        if peak.z > best_curve[0]:
            curve_start = (sa - x0) / rate
            best_curve = (peak.z, tuple(np.round(peak.curve, 4).tolist()), curve_start)
    return windows, best_curve


@dataclass(frozen=True)
class _Settled:
    offset_s: float
    shift_s: float
    ambiguous: bool
    agreeing: int


def _settle_direct(direct: DirectPath | None, offset: float, p: SyncParams) -> _Settled:
    """The offset after the direct-path check, and how many of its groups agree with it.

    The check moves the fine line onto its own peak only when that peak stands clear
    of its rivals and at least half of the overlap's stretches (groups) find it too:
    a lag only the sum shows is as likely a chance alignment of onsets (unrelated
    audio does that) as the direct sound. The fine windows' evidence stays as it is.
    """
    if direct is None:
        return _Settled(offset, 0.0, False, 0)
    groups = np.array(direct.group_offsets_s)
    shift, ambiguous = 0.0, False
    if abs(direct.offset_s - offset) > p.direct_tol_s:
        clear = direct.ratio < p.direct_max_ratio
        found = int(np.sum(np.abs(groups - direct.offset_s) <= p.inlier_tol_s))
        if clear and 2 * found >= len(groups):
            shift = direct.offset_s - offset
            offset = direct.offset_s
        else:
            ambiguous = True
    agreeing = int(np.sum(np.abs(groups - offset) <= p.inlier_tol_s))
    return _Settled(offset, shift, ambiguous, agreeing)


def align_pair(a: Track, b: Track, params: SyncParams | None = None) -> PairAlignment | None:
    """Align track ``b`` against reference ``a``; None when no candidate offset exists.

    :param a: reference track.
    :param b: track to place on a's clock.
    :param params: search tunables.
    """
    p = params or SyncParams()
    ea, eb = a.envelope, b.envelope
    hop = eb.hop_s
    shorter = min(ea.frames, eb.frames)
    min_overlap = int(max(p.min_overlap_fraction * shorter, p.min_overlap_s / hop))
    smear = p.max_drift_ppm * 1e-6 * shorter
    widths = sorted({1, *(int(w) | 1 for w in (smear / 2, smear) if w >= 3)})
    n = coarse_fft_len(ea.frames + eb.frames - 1)
    coarse = coarse_peak(
        ea.values,
        eb.values,
        min_overlap=min_overlap,
        smoothings=tuple(widths),
        exclusion=max(6, int(0.06 / hop)),
        spectra=(ea.spectrum(n), eb.spectrum(n), n),
    )
    if coarse is None:
        return None
    lo, hi = _overlap(a, b, coarse.lag * hop)
    if hi - lo < 0.5:
        return None
    intercept, slope, reach_s = _drift_line(a, b, coarse.lag, lo, hi, p)
    lo, hi = _overlap(a, b, intercept)
    windows, best_curve = _fine_windows(a, b, (intercept, slope), (lo, hi), reach_s, p)
    good = [w for w in windows if w.z >= p.fine_min_z and w.ratio < 0.95]
    fit: LineFit | None = None
    if good:
        xs = np.array([w.b_center_s for w in good])
        ys = np.array([w.offset_s for w in good])
        ws = np.array([min(w.z, 50.0) ** 2 for w in good])
        fit = robust_line(xs, ys, ws, inlier_tol=p.inlier_tol_s, min_span=p.min_drift_span_s)
    if fit is not None:
        inl = iter(fit.inliers.tolist())
        windows = [
            WindowResult(w.b_center_s, w.offset_s, w.z, w.ratio, w.polarity, next(inl))
            if (w.z >= p.fine_min_z and w.ratio < 0.95)
            else w
            for w in windows
        ]
        offset, slope_f = fit.intercept, fit.slope
    else:
        offset, slope_f = intercept, slope
    direct = _direct_path(a, b, (offset, slope_f), lo, hi, p)
    settled = _settle_direct(direct, offset, p)
    offset = settled.offset_s
    # The true peak covers every lag the drift line passes through: rivals are
    # looked for outside that span, and the coarse peak should fall inside it.
    ends = (offset + slope_f * lo, offset + slope_f * hi)
    span_lo, span_hi = min(ends), max(ends)
    coarse_s = coarse.lag * hop
    gap = max(0.0, span_lo - coarse_s, coarse_s - span_hi)
    lag_s = coarse.lags * hop
    guard = 0.06 + hop * coarse.smoothing
    outside = (lag_s < span_lo - guard) | (lag_s > span_hi + guard)
    rival_z = float(coarse.zcurve[outside].max()) if outside.any() else 0.0
    pols = [w.polarity for w in windows if w.inlier]
    polarity = 1 if not pols or sum(pols) >= 0 else -1
    return PairAlignment(
        offset_s=offset,
        slope=slope_f,
        coarse=coarse,
        windows=tuple(windows),
        fit=fit,
        overlap_s=hi - lo,
        coarse_fine_gap_s=gap,
        rival_z=rival_z,
        polarity=polarity,
        peak_curve=best_curve[1],
        peak_curve_start_s=best_curve[2],
        direct=direct,
        direct_shift_s=settled.shift_s,
        direct_ambiguous=settled.ambiguous,
        direct_agreeing=settled.agreeing,
    )
