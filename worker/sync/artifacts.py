"""Debug artifacts: per-camera JSON an operator or engineer can plot (each < 100 KB)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from worker.sync.pairwise import PairAlignment
from worker.sync.report import PairRecord, SyncReport

_OVERVIEW_POINTS = 1500


def _overview(pair: PairAlignment) -> dict[str, Any]:
    """Coarse z-curve over every admissible lag, max-pooled so peaks survive."""
    z = pair.coarse.zcurve
    lags = pair.coarse.lags
    hop_ms = 10.0
    bins = max(1, int(np.ceil(len(z) / _OVERVIEW_POINTS)))
    usable = (len(z) // bins) * bins
    pooled = z[:usable].reshape(-1, bins).max(axis=1) if usable else z
    lag_ms = lags[:usable:bins] * hop_ms if usable else lags * hop_ms
    return {
        "lag_ms": [round(float(v), 1) for v in lag_ms],
        "z": [round(float(v), 2) for v in pooled],
        "bin_ms": bins * hop_ms,
        "peak_lag_ms": round(pair.coarse.lag * hop_ms, 2),
        "peak_z": round(pair.coarse.z, 2),
        "rival_lag_ms": round(pair.coarse.second_lag * hop_ms, 2),
        "rival_z": round(pair.coarse.second_z, 2),
        "drift_smoothing_frames": pair.coarse.smoothing,
    }


def _pair_doc(rec: PairRecord) -> dict[str, Any]:
    pair = rec.alignment
    doc: dict[str, Any] = {"reference": rec.a, "camera": rec.b}
    if pair is None:
        doc["result"] = "no admissible overlap"
        return doc
    step_ms = 1000.0 / 8000.0
    doc.update(
        {
            "offset_ms": round(pair.offset_s * 1000, 3),
            "drift_ppm": round(pair.drift_ppm, 2),
            "probability": None if rec.probability is None else round(rec.probability, 4),
            "overlap_s": round(pair.overlap_s, 2),
            "polarity": pair.polarity,
            "inlier_fraction": round(pair.inlier_fraction, 3),
            "residual_ms": round(pair.residual_ms, 4) if np.isfinite(pair.residual_ms) else None,
            "coarse_fine_gap_ms": round(pair.coarse_fine_gap_s * 1000, 2),
            "rival_z": round(pair.rival_z, 2),
            "coarse_overview": _overview(pair),
            "peak_curve": {
                "start_ms": round(pair.peak_curve_start_s * 1000, 3),
                "step_ms": step_ms,
                "abs_corr": list(pair.peak_curve),
            },
            "windows": [
                {
                    "t_s": round(w.b_center_s, 3),
                    "offset_ms": round(w.offset_s * 1000, 4),
                    "z": round(w.z, 1),
                    "rival_ratio": round(w.ratio, 3),
                    "polarity": w.polarity,
                    "inlier": w.inlier,
                }
                for w in pair.windows
            ],
            "direct_path": _direct_doc(pair),
        }
    )
    return doc


def _direct_doc(pair: PairAlignment) -> dict[str, Any] | None:
    """The direct-path check: its peak, its groups, and what it did to the fine line."""
    found = pair.direct
    if found is None:
        return None
    return {
        "offset_ms": round(found.offset_s * 1000, 4),
        "z": round(found.z, 1),
        "rival_ratio": round(found.ratio, 3),
        "chunks": found.chunks,
        "group_offsets_ms": [round(g * 1000, 3) for g in found.group_offsets_s],
        "groups_on_final_line": pair.direct_agreeing,
        "moved_fine_line_ms": round(pair.direct_shift_s * 1000, 3),
        "ambiguous": pair.direct_ambiguous,
    }


def camera_artifact(report: SyncReport, label: str) -> dict[str, Any]:
    """Everything that explains one camera's result."""
    placement = report.placements.get(label)
    doc: dict[str, Any] = {"camera": label, "master": report.master}
    if placement is not None:
        doc["path"] = list(placement.path)
        doc["notes"] = list(placement.notes)
        doc["error"] = placement.error
    doc["pairs"] = [_pair_doc(r) for r in report.pairs if label in (r.a, r.b)]
    return doc


def write_artifacts(report: SyncReport, directory: Path) -> list[Path]:
    """Write ``sync-<label>.json`` for every camera and ``sync-summary.json``."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for label in report.labels:
        path = directory / f"sync-{label}.json"
        path.write_text(json.dumps(camera_artifact(report, label), separators=(",", ":")))
        written.append(path)
    summary = directory / "sync-summary.json"
    summary.write_text(json.dumps(report.to_dict(), indent=2))
    written.append(summary)
    return written
