"""A take of tens of seconds reports its camera's drift (fine windows spanning
``SyncParams.min_drift_span_s``, 10 s): 50 ppm moves the lag 1 ms in 20 s, and
extrapolating a slope-0 offset to the take's first sample then misses by that much."""

from __future__ import annotations

import numpy as np

from worker.sync.linefit import robust_line
from worker.sync.pairwise import SyncParams


def _fit(x: np.ndarray, slope: float, noise_s: float) -> tuple[bool, float]:
    p = SyncParams()
    rng = np.random.default_rng(7)
    y = 1.25 + slope * x + rng.normal(0.0, noise_s, len(x))
    fit = robust_line(
        x, y, np.full(len(x), 400.0), inlier_tol=p.inlier_tol_s, min_span=p.min_drift_span_s
    )
    assert fit is not None
    return fit.drift_fitted, fit.slope


def test_drift_of_a_short_take_is_fitted() -> None:
    fitted, slope = _fit(np.array([2.0, 8.0, 14.0, 20.0]), 50e-6, 20e-6)
    assert fitted and abs(slope - 50e-6) < 5e-6


def test_no_drift_is_still_no_drift() -> None:
    fitted, slope = _fit(np.array([2.0, 8.0, 14.0, 20.0]), 0.0, 20e-6)
    assert not fitted and slope == 0.0
