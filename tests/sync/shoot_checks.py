"""What a multi-clip result must satisfy against a shoot's truth (shared by the engine
and the CLI tests): the product JSON's ``clips`` list, checked clip by clip."""

from __future__ import annotations

from typing import Any

from worker.examples.shoots import BuiltShoot, ShootTruth
from worker.sync.solve import FRAME_S

FRAME_MS = FRAME_S * 1000
PLACED_TOL_MS = 1.0
# The JSON rounds offsets to 0.01 ms.
JSON_ROUNDING_MS = 0.01

ClipDoc = dict[str, Any]


def clip_docs(shoot: BuiltShoot, doc: dict[str, Any]) -> dict[str, ClipDoc]:
    """The result's clips by clip id (they come in input order)."""
    assert [(c["label"], c["file"]) for c in doc["clips"]] == [
        (c.label, str(c.path)) for c in shoot.clips
    ]
    return {c.id: d for c, d in zip(shoot.clips, doc["clips"], strict=True)}


def errors_ms(shoot: BuiltShoot, doc: dict[str, Any]) -> dict[str, float | None]:
    """Each placeable clip's offset error (None: left unplaced)."""
    truth = shoot.truth(doc["master"])
    docs = clip_docs(shoot, doc)
    out: dict[str, float | None] = {}
    for cid, true_ms in truth.offsets_ms.items():
        off = docs[cid]["offset_ms"]
        out[cid] = None if off is None else off - true_ms
    return out


def check_placed(shoot: BuiltShoot, doc: dict[str, Any]) -> None:
    """Every placeable clip placed within 1 ms of the truth."""
    bad = {cid: err for cid, err in errors_ms(shoot, doc).items() if err is None or abs(err) > 1.0}
    assert not bad, f"{shoot.spec.name}: not within {PLACED_TOL_MS} ms of the truth: {bad}"


def check_never_confidently_wrong(shoot: BuiltShoot, doc: dict[str, Any]) -> None:
    """No clip is looks-good more than a frame off, nor looks-good with no true place."""
    truth = shoot.truth(doc["master"])
    docs = clip_docs(shoot, doc)
    for cid, d in docs.items():
        if d["classification"] != "looks-good":
            continue
        assert cid in truth.offsets_ms, f"{cid} cannot be placed from audio but is looks-good"
        err = d["offset_ms"] - truth.offsets_ms[cid]
        assert abs(err) <= FRAME_MS, f"{cid}: looks-good but {err:+.2f} ms off"


def check_unplaceable_flagged(shoot: BuiltShoot, doc: dict[str, Any]) -> None:
    """Clips nothing links to the master: offset_ms null, a reason first in notes."""
    truth = shoot.truth(doc["master"])
    docs = clip_docs(shoot, doc)
    for cid in truth.unplaceable:
        d = docs[cid]
        assert d["offset_ms"] is None, f"{cid} was guessed at {d['offset_ms']} ms"
        assert d["drift_ppm"] is None and d["confidence_pct"] is None
        assert d["classification"] == "needs-manual-nudge"
        assert d["notes"] and "not placed" in d["notes"][0], d["notes"]


def split_pairs(shoot: BuiltShoot) -> list[tuple[str, str]]:
    """(earlier, next) clip ids of every split-recording boundary (no gap between them)."""
    out = []
    for prev, cur in zip(shoot.clips, shoot.clips[1:], strict=False):
        if prev.label == cur.label and prev.n0 + prev.n_samples == cur.n0:
            out.append((prev.id, cur.id))
    return out


def check_split_contiguous(shoot: BuiltShoot, doc: dict[str, Any]) -> None:
    """A split recording's next file starts exactly where the previous one ends:
    offset + duration on the master's timeline (the camera's drift), within a sample."""
    docs = clip_docs(shoot, doc)
    for a, b in split_pairs(shoot):
        prev, da, db = shoot.clip(a), docs[a], docs[b]
        assert da["offset_ms"] is not None and db["offset_ms"] is not None, (a, b)
        # Master time t is at the clip's time (t - offset) * (1 + drift): its length d
        # spans d / (1 + drift) of the master's timeline.
        span_ms = prev.duration_s * 1000 / (1 + da["drift_ppm"] * 1e-6)
        gap_ms = db["offset_ms"] - (da["offset_ms"] + span_ms)
        sample_ms = 1000 / prev.sample_rate
        assert abs(gap_ms) <= sample_ms + 2 * JSON_ROUNDING_MS, f"{a} -> {b}: gap {gap_ms} ms"
        assert any("without a gap" in n for n in db["notes"]), db["notes"]


def check_gaps_not_joined(shoot: BuiltShoot, doc: dict[str, Any]) -> None:
    """Takes with a gap between them are not taken for a split recording."""
    joined = {b for _, b in split_pairs(shoot)}
    for cid, d in clip_docs(shoot, doc).items():
        if cid not in joined:
            assert not any("without a gap" in n for n in d["notes"]), (cid, d["notes"])


def check_all(shoot: BuiltShoot, doc: dict[str, Any]) -> ShootTruth:
    """Every check above; returns the truth used."""
    check_placed(shoot, doc)
    check_never_confidently_wrong(shoot, doc)
    check_unplaceable_flagged(shoot, doc)
    check_split_contiguous(shoot, doc)
    check_gaps_not_joined(shoot, doc)
    return shoot.truth(doc["master"])
