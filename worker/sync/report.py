"""The sync outcome for a session, and its product-wide JSON form.

Offset convention: ``offsets_ms[X]`` (and a clip's ``offset_ms``) is the time on
the master's timeline (ms) at which camera X's first audio sample lies (+1234 = X
started 1.234 s after the master). ``drift_ppm[X] > 0`` means X's clock runs fast
against the master's: master time t falls at X file time
(t - offset) * (1 + ppm * 1e-6).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from worker.sync.clips import SessionClip
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
        return _camera_keys(self.master, self.method, self.labels, self.placements, self.errors)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)


def _camera_keys(
    master: str,
    method: str,
    labels: tuple[str, ...],
    placements: dict[str, Placement],
    errors: dict[str, str],
) -> dict[str, Any]:
    """The per-camera keys of the product JSON, in their fixed order."""
    offsets: dict[str, float] = {master: 0.0}
    drift: dict[str, float] = {}
    conf: dict[str, float] = {}
    pct: dict[str, float] = {}
    klass: dict[str, str] = {}
    for lbl in labels:
        p = placements.get(lbl)
        if lbl == master or p is None:
            continue
        klass[lbl] = p.classification.value
        if p.relation is not None and p.z is not None and p.probability is not None:
            offsets[lbl] = _r(p.relation.offset * 1000.0, 2)
            drift[lbl] = _r(p.relation.drift_ppm, 1)
            conf[lbl] = _r(p.z, 1)
            pct[lbl] = _r(100.0 * p.probability, 1)
    return {
        "master": master,
        "method": method,
        "offsets_ms": offsets,
        "drift_ppm": drift,
        "confidence": conf,
        "confidence_pct": pct,
        "classification": klass,
        "errors": {k: errors[k] for k in labels if k in errors},
    }


# A clip's classification when it is the master's reference clip (not an estimate).
MASTER_CLASS = "master"


@dataclass(frozen=True)
class ClipSyncReport:
    """Result of syncing a session of clips (several may share a camera label).

    ``placements`` is keyed by clip id and holds every clip but ``master_clip``, the
    master camera's first usable clip, whose first sample is the timeline's zero.
    """

    master: str
    master_clip: str
    clips: tuple[SessionClip, ...]
    placements: dict[str, Placement]
    durations_s: dict[str, float]
    pairs: tuple[PairRecord, ...] = field(default=())
    method: str = METHOD

    @property
    def errors(self) -> dict[str, str]:
        return {cid: p.error for cid, p in self.placements.items() if p.error}

    def by_clip(self) -> SyncReport:
        """The same result with every clip as a camera of its own (named by clip id):
        today's report when every label has one clip."""
        return SyncReport(
            master=self.master_clip,
            labels=tuple(c.id for c in self.clips),
            placements=self.placements,
            errors=self.errors,
            durations_s=self.durations_s,
            pairs=self.pairs,
            method=self.method,
        )

    def to_dict(self) -> dict[str, Any]:
        """The product JSON: the per-camera keys for labels with one clip, then ``clips``."""
        single = tuple(c.label for c in self.clips if c.id == c.label)
        labels = (self.master, *(lbl for lbl in single if lbl != self.master))
        doc = _camera_keys(self.master, self.method, labels, self.placements, self.errors)
        doc["clips"] = [self._clip_doc(c) for c in self.clips]
        return doc

    def _clip_doc(self, clip: SessionClip) -> dict[str, Any]:
        doc: dict[str, Any] = {"label": clip.label, "file": clip.file}
        if clip.id == self.master_clip:
            return {
                **doc,
                "offset_ms": 0.0,
                "drift_ppm": 0.0,
                "confidence_pct": None,
                "classification": MASTER_CLASS,
                "notes": ["the master's reference clip: the timeline's zero"],
            }
        p = self.placements[clip.id]
        placed = p.relation is not None and p.probability is not None
        notes = [p.error] if p.error else []
        if len(p.path) > 2:
            notes.append(f"placed through {' -> '.join(p.path)}")
        return {
            **doc,
            "offset_ms": _r(p.relation.offset * 1000.0, 2) if p.relation is not None else None,
            "drift_ppm": _r(p.relation.drift_ppm, 1) if p.relation is not None else None,
            "confidence_pct": _r(100.0 * p.probability, 1)
            if placed and p.probability is not None
            else None,
            "classification": p.classification.value,
            "notes": [*notes, *p.notes],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), ensure_ascii=False)


def _r(value: float, digits: int) -> float:
    out = round(value, digits)
    return 0.0 if out == 0 else out  # no "-0.0" in the JSON
