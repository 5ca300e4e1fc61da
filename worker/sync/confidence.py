"""Confidence: a standard score, a calibrated probability, and a classification.

The standard score is the z-score of the coarse correlation peak among every
admissible lag (≥10 looks-good, 5–10 review-suggested, <5 needs-manual-nudge,
as operators already read it). The percentage is the estimated probability that
the offset is within one video frame, from a logistic model over evidence that a
z-score alone misses: how far the peak stands above its best rival (periodic
music, echoes), whether the fine windows agree on one line, and whether the
coarse and fine stages agree. Coefficients come from
``benchmarks/calibrate_confidence.py`` over the synthetic corpus; the guard
rails below hold whatever the fit says.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Classification(StrEnum):
    LOOKS_GOOD = "looks-good"
    REVIEW_SUGGESTED = "review-suggested"
    NEEDS_MANUAL_NUDGE = "needs-manual-nudge"


class Verdict(StrEnum):
    """What a whole session's sync asks of the operator (the admin card's one button)."""

    LOOKS_GOOD = "looks-good"
    REVIEW = "review"


Z_LOOKS_GOOD = 10.0
Z_REVIEW = 5.0
PCT_LOOKS_GOOD = 90.0
PCT_REVIEW = 40.0

# Logistic model: logit = sum(coef * feature). Fitted by benchmarks/calibrate_confidence.py.
COEFFICIENTS: dict[str, float] = {
    "bias": -2.745,
    "peak_margin": 0.673,
    "log_z": 0.0,
    "inlier_fraction": 0.191,
    "log_inliers": 0.304,
    "stage_agreement": 0.0,
    "log_fine_z": 0.121,
}


@dataclass(frozen=True)
class Evidence:
    """What one alignment offers as evidence of being right."""

    z: float
    rival_z: float
    inlier_fraction: float
    inliers: int
    coarse_fine_gap_frames: float
    fine_z: float = 0.0  # median z of the fine windows on the line

    def features(self) -> dict[str, float]:
        return {
            "bias": 1.0,
            "peak_margin": max(0.0, min(self.z - self.rival_z, 20.0)),
            "log_z": math.log(max(self.z, 1.0)),
            "inlier_fraction": self.inlier_fraction,
            "log_inliers": math.log1p(self.inliers),
            "stage_agreement": 1.0 if self.coarse_fine_gap_frames <= 3.0 else 0.0,
            "log_fine_z": math.log(max(self.fine_z, 1.0)),
        }


def probability(evidence: Evidence) -> float:
    """Calibrated probability (0..1) that the offset is within one frame."""
    feats = evidence.features()
    logit = sum(COEFFICIENTS[name] * value for name, value in feats.items())
    # Never claim certainty: 99.9% is the most the evidence can say.
    p = min(0.999, 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, logit)))))
    # Guard rails: evidence that must cap confidence whatever the fit says.
    if evidence.z < Z_REVIEW:
        p = min(p, 0.2)
    if evidence.rival_z >= 0.95 * evidence.z:
        # As strong as the peak: periodic content, the choice is close to a coin flip.
        p = min(p, 0.25)
    elif evidence.rival_z >= 0.8 * evidence.z:
        # A rival almost as strong as the peak: repetitive content or an echo.
        p = min(p, 0.5)
    if evidence.inliers < 3 or evidence.inlier_fraction < 0.5:
        p = min(p, 0.6)
    if evidence.coarse_fine_gap_frames > 3.0:
        p = min(p, 0.6)
    return p


def session_verdict(classes: Iterable[str | None]) -> Verdict | None:
    """Looks good when every camera but the master is looks-good (``classify``'s rule,
    the one threshold), else review; None when there is no camera to judge.

    :param classes: each non-master camera's (or clip's) classification; None for
        one that could not be placed.
    """
    seen = list(classes)
    if not seen:
        return None
    if all(c == Classification.LOOKS_GOOD for c in seen):
        return Verdict.LOOKS_GOOD
    return Verdict.REVIEW


def classify(z: float, pct: float) -> Classification:
    """Map the standard score and the percentage to the operator-facing class."""
    if z >= Z_LOOKS_GOOD and pct >= PCT_LOOKS_GOOD:
        return Classification.LOOKS_GOOD
    if z >= Z_REVIEW and pct >= PCT_REVIEW:
        return Classification.REVIEW_SUGGESTED
    return Classification.NEEDS_MANUAL_NUDGE
