"""Robust straight-line fit of per-window offsets: the drift model.

Theil–Sen picks the line most windows agree with (a few windows locked on an
echo or a repeated beat cannot tilt it); a weighted least-squares refit on the
inliers then gives the precise offset and slope.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class LineFit:
    """y = intercept + slope * x over the inlier points."""

    intercept: float
    slope: float
    slope_stderr: float
    residual_std: float
    inliers: npt.NDArray[np.bool_]
    drift_fitted: bool  # False when the slope was not significant and forced to 0

    def at(self, x: float) -> float:
        return self.intercept + self.slope * x


def _weighted_median(values: FloatArray, weights: FloatArray) -> float:
    order = np.argsort(values, kind="stable")
    cw = np.cumsum(weights[order])
    idx = int(np.searchsorted(cw, 0.5 * cw[-1]))
    return float(values[order][min(idx, len(values) - 1)])


def _theil_sen(x: FloatArray, y: FloatArray) -> tuple[float, float]:
    i, j = np.triu_indices(len(x), k=1)
    dx = x[j] - x[i]
    ok = np.abs(dx) > 1e-9
    slope = float(np.median((y[j] - y[i])[ok] / dx[ok])) if ok.any() else 0.0
    return float(np.median(y - slope * x)), slope


def robust_line(
    x: FloatArray,
    y: FloatArray,
    weights: FloatArray,
    *,
    inlier_tol: float,
    min_span: float,
    allow_slope: bool = True,
) -> LineFit | None:
    """Fit y(x) robustly.

    :param inlier_tol: absolute residual (same unit as y) that still counts as agreeing.
    :param min_span: x span below which no slope is fitted (drift unobservable).
    :param allow_slope: fit a constant only when False.
    """
    n = len(x)
    if n == 0:
        return None
    if n == 1:
        return LineFit(float(y[0]), 0.0, float("inf"), 0.0, np.ones(1, bool), False)
    span = float(x.max() - x.min())
    fit_slope = allow_slope and n >= 3 and span >= min_span
    if fit_slope:
        b0, m0 = _theil_sen(x, y)
    else:
        b0, m0 = _weighted_median(y, weights), 0.0
    resid = y - (b0 + m0 * x)
    mad = 1.4826 * float(np.median(np.abs(resid)))
    tol = max(inlier_tol, 3.0 * mad) if mad < inlier_tol * 4 else inlier_tol
    inl = np.abs(resid) <= tol
    if int(inl.sum()) == 0:
        inl = np.abs(resid) <= np.min(np.abs(resid))
    xi, yi, wi = x[inl], y[inl], weights[inl]
    slope_se = float("inf")
    slope = 0.0
    if fit_slope and len(xi) >= 3 and float(xi.max() - xi.min()) >= min_span:
        design = np.stack([np.ones_like(xi), xi], axis=1)
        sw = np.sqrt(wi)
        coef, *_ = np.linalg.lstsq(design * sw[:, None], yi * sw, rcond=None)
        res = yi - design @ coef
        dof = max(1, len(xi) - 2)
        sigma2 = float(np.sum(wi * res**2) / np.sum(wi)) * len(xi) / dof
        xtwx = (design * wi[:, None]).T @ design / np.mean(wi)
        cov = np.linalg.pinv(xtwx) * sigma2
        slope_se = float(np.sqrt(max(cov[1, 1], 0.0)))
        slope = float(coef[1])
        # An insignificant slope only adds extrapolation error to the start offset.
        if abs(slope) < 3.0 * slope_se:
            slope = 0.0
    drift = slope != 0.0
    intercept = (
        float(np.sum(wi * (yi - slope * xi)) / np.sum(wi))
        if drift
        else _weighted_mean_trimmed(yi, wi)
    )
    resid_all = y - (intercept + slope * x)
    inl = np.abs(resid_all) <= tol
    rstd = 0.0
    if inl.any():
        rstd = float(np.sqrt(np.average(resid_all[inl] ** 2, weights=weights[inl])))
    return LineFit(intercept, slope, slope_se, rstd, inl, drift)


def _weighted_mean_trimmed(y: FloatArray, w: FloatArray) -> float:
    return float(np.sum(w * y) / np.sum(w))
