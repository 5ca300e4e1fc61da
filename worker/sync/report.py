"""The sync outcome for a session, and its product-wide JSON form.

Offset convention: ``offsets_ms[X]`` is the time on the master's timeline (ms)
at which camera X's first audio sample lies (+1234 = X started 1.234 s after
the master). ``drift_ppm[X] > 0`` means X's clock runs fast against the
master's: master time t falls at X file time (t - offset) * (1 + ppm * 1e-6).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from worker.sync.pairwise import PairAlignment
from worker.sync.solve import Placement

METHOD = "xcorr"


@dataclass(frozen=True)
class PairRecord:
    """One analysed pair, kept for artifacts and debugging."""

    a: str
    b: str
    alignment: PairAlignment | None
    probability: float | None


@dataclass(frozen=True)
class SyncReport:
    """Result of syncing one session."""

    master: str
    labels: tuple[str, ...]
    placements: dict[str, Placement]
    errors: dict[str, str]
    durations_s: dict[str, float]
    pairs: tuple[PairRecord, ...] = field(default=())
    method: str = METHOD

    def to_dict(self) -> dict[str, Any]:
        """The product JSON object (key order fixed, values rounded, deterministic)."""
        offsets: dict[str, float] = {self.master: 0.0}
        drift: dict[str, float] = {}
        conf: dict[str, float] = {}
        pct: dict[str, float] = {}
        klass: dict[str, str] = {}
        for lbl in self.labels:
            p = self.placements.get(lbl)
            if lbl == self.master or p is None:
                continue
            klass[lbl] = p.classification.value
            if p.relation is not None and p.z is not None and p.probability is not None:
                offsets[lbl] = _r(p.relation.offset * 1000.0, 2)
                drift[lbl] = _r(p.relation.drift_ppm, 1)
                conf[lbl] = _r(p.z, 1)
                pct[lbl] = _r(100.0 * p.probability, 1)
        return {
            "master": self.master,
            "method": self.method,
            "offsets_ms": offsets,
            "drift_ppm": drift,
            "confidence": conf,
            "confidence_pct": pct,
            "classification": klass,
            "errors": {k: self.errors[k] for k in self.labels if k in self.errors},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)


def _r(value: float, digits: int) -> float:
    out = round(value, digits)
    return 0.0 if out == 0 else out  # no "-0.0" in the JSON
