"""Multi-clip shoots through ``sync_clips``: takes, split files, a recorder, chains, a
take nothing else heard, five cameras (worker/examples/shoots.py; issue #21)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.sync import shoot_checks as checks
from worker.examples import shoots
from worker.sync.engine import ClipInput, sync_clips
from worker.sync.pairwise import SyncParams

_RESULTS: dict[tuple[str, str], dict[str, Any]] = {}


def _built(spec: shoots.ShootSpec, corpus_dir: Path) -> shoots.BuiltShoot:
    return shoots.build_shoot(spec, corpus_dir)


def _sync(shoot: shoots.BuiltShoot, master: str = "auto") -> dict[str, Any]:
    key = (shoots.shoot_hash(shoot.spec), master)
    if key not in _RESULTS:
        clips = [ClipInput(c.label, c.path) for c in shoot.clips]
        _RESULTS[key] = sync_clips(clips, master=master).to_dict()
    return _RESULTS[key]


SHOOTS = {spec.name: spec for spec in shoots.quick_shoots()}


@pytest.mark.parametrize("name", list(SHOOTS))
def test_shoot(name: str, corpus_dir: Path) -> None:
    shoot = _built(SHOOTS[name], corpus_dir)
    checks.check_all(shoot, _sync(shoot))


def test_the_recorder_is_the_default_master(corpus_dir: Path) -> None:
    for spec in (shoots.with_recorder(), shoots.three_cameras_two_takes_and_recorder()):
        shoot = _built(spec, corpus_dir)
        doc = _sync(shoot)
        assert doc["master"] == "REC"
        rec = next(d for c, d in zip(shoot.clips, doc["clips"], strict=True) if c.label == "REC")
        assert rec["classification"] == "master" and rec["offset_ms"] == 0.0


@pytest.mark.parametrize("master", ["A", "B"])
def test_master_can_be_a_camera_instead_of_the_recorder(master: str, corpus_dir: Path) -> None:
    shoot = _built(shoots.three_cameras_two_takes_and_recorder(), corpus_dir)
    doc = _sync(shoot, master)
    assert doc["master"] == master
    truth = checks.check_all(shoot, doc)
    assert truth.master_clip == f"{master}#1"
    first = checks.clip_docs(shoot, doc)[f"{master}#1"]
    assert first["classification"] == "master"
    # The recorder is placed on the camera's first take like any clip.
    assert checks.clip_docs(shoot, doc)["REC"]["offset_ms"] is not None


def test_a_take_nothing_else_heard_is_flagged_not_guessed(corpus_dir: Path) -> None:
    shoot = _built(shoots.lonely_take(), corpus_dir)
    doc = _sync(shoot)
    assert shoot.truth(doc["master"]).unplaceable == ("C#2",)  # the corpus's own claim
    lonely = checks.clip_docs(shoot, doc)["C#2"]
    assert lonely["offset_ms"] is None and "not placed" in lonely["notes"][0]
    # Its camera's other take is placed all the same.
    assert checks.clip_docs(shoot, doc)["C#1"]["offset_ms"] is not None


def test_a_take_heard_only_by_another_cameras_take_is_placed_through_the_chain(
    corpus_dir: Path,
) -> None:
    shoot = _built(shoots.chain(), corpus_dir)
    spans = {c.id: c for c in shoot.clips}
    # The corpus's shape: C#2 overlaps B#2 only, B#2 overlaps A.
    heard = [c for c in shoot.clips if c.label != "C" and shoots.overlap_s(spans["C#2"], c) > 0]
    assert [c.id for c in heard] == ["B#2"]
    doc = _sync(shoot, "A")
    checks.check_all(shoot, doc)
    notes = checks.clip_docs(shoot, doc)["C#2"]["notes"]
    # Through B#2, the only clip that heard it, and at least one clip before that.
    assert any(
        n.startswith("placed through A -> ") and n.endswith(" -> B#2 -> C#2") for n in notes
    ), notes


def test_split_files_are_joined_and_takes_with_gaps_are_not(corpus_dir: Path) -> None:
    split = _built(shoots.split_files(), corpus_dir)
    assert checks.split_pairs(split) == [("A#1", "A#2"), ("A#2", "A#3")]
    checks.check_split_contiguous(split, _sync(split))
    takes = _built(shoots.takes_with_gaps(), corpus_dir)
    assert checks.split_pairs(takes) == []
    checks.check_gaps_not_joined(takes, _sync(takes))


def test_the_checks_fail_on_a_wrong_result(corpus_dir: Path) -> None:
    """The checks above can fail: a clip moved by 2 ms, a guessed lonely take, a split
    file a frame late and a false looks-good are each caught."""
    split = _built(shoots.split_files(), corpus_dir)
    doc = copy.deepcopy(_sync(split))
    doc["clips"][1]["offset_ms"] += 2.0
    with pytest.raises(AssertionError, match="within"):
        checks.check_placed(split, doc)
    with pytest.raises(AssertionError, match="gap"):
        checks.check_split_contiguous(split, doc)
    lonely = _built(shoots.lonely_take(), corpus_dir)
    doc = copy.deepcopy(_sync(lonely))
    clip = checks.clip_docs(lonely, doc)["C#2"]
    clip.update(offset_ms=12345.0, classification="looks-good")
    with pytest.raises(AssertionError, match="guessed"):
        checks.check_unplaceable_flagged(lonely, doc)
    with pytest.raises(AssertionError, match="cannot be placed"):
        checks.check_never_confidently_wrong(lonely, doc)


def test_same_shoot_gives_the_same_json(corpus_dir: Path) -> None:
    shoot = _built(shoots.five_cameras(), corpus_dir)
    clips = [ClipInput(c.label, c.path) for c in shoot.clips]
    assert sync_clips(clips).to_json() == sync_clips(clips).to_json()


def test_loop_checks_take_half_the_fine_windows(corpus_dir: Path) -> None:
    """Pairs of clips the recorder already places looks-good only check loops: they are
    aligned with ``SyncParams.for_checks`` (half the windows); the result stays right."""
    shoot = _built(shoots.three_cameras_two_takes_and_recorder(), corpus_dir)
    params = SyncParams(fine_windows_max=8, fine_window_spacing_s=1.0)
    clips = [ClipInput(c.label, c.path) for c in shoot.clips]
    report = sync_clips(clips, params=params)
    checks.check_all(shoot, report.to_dict())
    counts = {(r.a, r.b): len(r.alignment.windows) for r in report.pairs if r.alignment}
    with_master = [n for ab, n in counts.items() if "REC" in ab]
    loops = [n for ab, n in counts.items() if "REC" not in ab]
    assert with_master and loops, counts
    assert max(with_master) == params.fine_windows_max, counts
    assert max(loops) <= params.for_checks().fine_windows_max == 4, counts


def test_a_tentative_take_is_checked_only_against_the_takes_near_it(corpus_dir: Path) -> None:
    """After the recorder places every take, one of them only review-suggested, the
    pairs aligned next are the ones that overlap where the takes sit: a tentative
    place that the takes around it confirm spares every pair far from it.

    The 6-minute benchmark shoot (3 cameras x 4 takes + recorder) is such a case:
    A#3 and C#3 come out of the first placement review-suggested. A schedule that
    aligns every pair of a take not yet looks-good aligns pairs that do not overlap.
    """
    shoot = _built(shoots.benchmark_shoot(6.0), corpus_dir)
    clips = [ClipInput(c.label, c.path) for c in shoot.clips]
    report = sync_clips(clips)
    checks.check_all(shoot, report.to_dict())
    ids = {c.id: c for c in shoot.clips}
    later = [(r.a, r.b) for r in report.pairs if "REC" not in (ids[r.a].label, ids[r.b].label)]
    assert later, report.pairs
    apart = [ab for ab in later if shoots.overlap_s(ids[ab[0]], ids[ab[1]]) <= 0.0]
    assert not apart, apart
