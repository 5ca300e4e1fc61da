"""Unit tests of the pure sync pieces: line fit, affine composition, loops, confidence, JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

from worker.sync.confidence import (
    Classification,
    Evidence,
    Verdict,
    classify,
    probability,
    session_verdict,
)
from worker.sync.linefit import robust_line
from worker.sync.report import SyncReport
from worker.sync.solve import Affine, Edge, place_cameras


def test_robust_line_ignores_outliers_and_finds_drift() -> None:
    x = np.linspace(0, 1200, 30)
    y = 12.5 - 80e-6 * x
    y[[3, 17, 25]] += np.array([0.25, -0.5, 0.125])  # windows locked on echoes
    fit = robust_line(x, y, np.ones_like(x), inlier_tol=0.0005, min_span=120)
    assert fit is not None
    assert fit.drift_fitted
    assert fit.intercept == pytest.approx(12.5, abs=1e-9)
    assert fit.slope == pytest.approx(-80e-6, rel=1e-6)
    assert int(fit.inliers.sum()) == 27


def test_robust_line_forces_insignificant_slope_to_zero() -> None:
    rng = np.random.default_rng(1)
    x = np.linspace(0, 60, 10)
    y = 3.0 + rng.normal(0, 1e-5, len(x))
    fit = robust_line(x, y, np.ones_like(x), inlier_tol=0.0005, min_span=120)
    assert fit is not None and not fit.drift_fitted and fit.slope == 0.0
    assert fit.intercept == pytest.approx(3.0, abs=1e-5)


def test_affine_composition_and_inverse() -> None:
    b_on_a = Affine(10.0, 50e-6)
    c_on_b = Affine(-3.0, -20e-6)
    c_on_a = b_on_a.then(c_on_b)
    for x in (0.0, 100.0, 3000.0):
        assert c_on_a(x) == pytest.approx(b_on_a(c_on_b(x)), abs=1e-12)
    inv = b_on_a.inverse()
    assert inv(b_on_a(123.0)) == pytest.approx(123.0, abs=1e-12)
    # Positive ppm means the camera's clock is fast: the master slope is < 0.
    fast = Affine(0.0, 1 / (1 + 100e-6) - 1)
    assert fast.drift_ppm == pytest.approx(100.0, rel=1e-9)


def _edge(src: str, dst: str, off: float, p: float = 0.99, z: float = 30.0) -> Edge:
    return Edge(src, dst, Affine(off, 0.0), z, p, 1, 10.0)


def test_chain_placement_through_a_non_master_camera() -> None:
    # C never overlaps A: it is placed through B.
    edges = [_edge("A", "B", 5.0), _edge("B", "C", 7.0)]
    out = place_cameras("A", ["A", "B", "C"], edges, {})
    assert out["C"].relation is not None
    assert out["C"].relation.offset == pytest.approx(12.0)
    assert out["C"].path == ("A", "B", "C")


def test_loop_disagreement_lowers_confidence() -> None:
    consistent = [_edge("A", "B", 5.0), _edge("A", "C", 12.0), _edge("B", "C", 7.0)]
    ok = place_cameras("A", ["A", "B", "C"], consistent, {})
    broken = [_edge("A", "B", 5.0), _edge("A", "C", 12.0), _edge("B", "C", 7.5)]
    bad = place_cameras("A", ["A", "B", "C"], broken, {})
    for lbl in ("B", "C"):
        assert ok[lbl].classification is Classification.LOOKS_GOOD
        assert bad[lbl].probability is not None and bad[lbl].probability <= 0.5
        assert bad[lbl].classification is not Classification.LOOKS_GOOD
        assert any("disagrees" in n for n in bad[lbl].notes)


def test_the_session_verdict_is_every_camera_looks_good() -> None:
    good, review = Classification.LOOKS_GOOD, Classification.REVIEW_SUGGESTED
    assert session_verdict([good, good]) is Verdict.LOOKS_GOOD
    assert session_verdict([good, review]) is Verdict.REVIEW
    assert session_verdict([good, None]) is Verdict.REVIEW  # a camera not placed
    assert session_verdict([]) is None


def test_a_loop_within_a_frame_says_precision_and_keeps_the_percentage() -> None:
    """#23: B-C 5 ms off the A-B and A-C routes (a third camera's pair on an echo)
    cannot make B or C a frame wrong: both stay looks-good, with a note."""
    edges = [_edge("A", "B", 5.0), _edge("A", "C", 12.0), _edge("B", "C", 7.005)]
    out = place_cameras("A", ["A", "B", "C"], edges, {})
    for lbl in ("B", "C"):
        assert out[lbl].classification is Classification.LOOKS_GOOD
        assert out[lbl].probability is not None and out[lbl].probability >= 0.99
        assert any("frame-accurate, not sample-accurate" in n for n in out[lbl].notes)


def test_unusable_and_unmatched_cameras_get_errors_and_no_offset() -> None:
    out = place_cameras(
        "A", ["A", "B", "C"], [_edge("A", "B", 1.0)], {"C": "no audio stream in the file"}
    )
    assert out["C"].relation is None
    assert out["C"].classification is Classification.NEEDS_MANUAL_NUDGE
    assert out["C"].error == "no audio stream in the file"
    lonely = place_cameras("A", ["A", "B", "C"], [_edge("A", "B", 1.0)], {})
    assert lonely["C"].relation is None and "no reliable audio match" in (lonely["C"].error or "")


@pytest.mark.parametrize(
    ("evidence", "max_pct"),
    [
        (Evidence(4.0, 3.5, 1.0, 10, 0.0), 20.0),  # peak not above the noise
        (Evidence(30.0, 29.0, 1.0, 10, 0.0), 25.0),  # periodic: rival as strong as peak
        (Evidence(30.0, 25.0, 1.0, 10, 0.0), 50.0),  # strong rival
        (Evidence(30.0, 5.0, 0.3, 2, 0.0), 60.0),  # fine windows disagree
        (Evidence(30.0, 5.0, 1.0, 10, 9.0), 60.0),  # coarse and fine stages disagree
    ],
)
def test_guard_rails_cap_confidence(evidence: Evidence, max_pct: float) -> None:
    pct = 100 * probability(evidence)
    assert pct <= max_pct
    assert classify(evidence.z, pct) is not Classification.LOOKS_GOOD


def test_strong_clean_evidence_is_looks_good_but_never_certain() -> None:
    pct = 100 * probability(Evidence(40.0, 4.0, 1.0, 12, 0.2))
    assert 90.0 <= pct < 100.0
    assert classify(40.0, pct) is Classification.LOOKS_GOOD


def test_classification_thresholds() -> None:
    assert classify(12.0, 95.0) is Classification.LOOKS_GOOD
    assert classify(9.9, 99.0) is Classification.REVIEW_SUGGESTED
    assert classify(12.0, 60.0) is Classification.REVIEW_SUGGESTED
    assert classify(4.9, 99.0) is Classification.NEEDS_MANUAL_NUDGE
    assert classify(12.0, 10.0) is Classification.NEEDS_MANUAL_NUDGE


def test_report_json_shape_and_determinism() -> None:
    edges = [
        _edge("A", "B", 41.12931),
        Edge("A", "C", Affine(-32.01729, -80.2e-6), 9.1, 0.71, 1, 5),
    ]
    placements = place_cameras("A", ["A", "B", "C"], edges, {})
    report = SyncReport(
        master="A",
        labels=("A", "B", "C"),
        placements=placements,
        errors={},
        durations_s={"A": 1.0, "B": 1.0, "C": 1.0},
    )
    doc = json.loads(report.to_json())
    assert list(doc) == [
        "master",
        "method",
        "offsets_ms",
        "drift_ppm",
        "confidence",
        "confidence_pct",
        "classification",
        "errors",
    ]
    assert doc["master"] == "A"
    assert doc["offsets_ms"] == {"A": 0.0, "B": 41129.31, "C": -32017.29}
    assert doc["drift_ppm"]["B"] == 0.0 and doc["drift_ppm"]["C"] == pytest.approx(80.2, abs=0.1)
    assert set(doc["classification"]) == {"B", "C"}
    assert report.to_json() == report.to_json()
