"""``multicam sync --labels ... --json`` on multi-clip shoots, as an operator runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.sync import shoot_checks as checks
from worker.examples import shoots

MULTICAM = [sys.executable, "-m", "worker.cli"]


def _sync_cli(shoot: shoots.BuiltShoot, *extra: str) -> dict[str, Any]:
    """The exact command: ``multicam sync --labels A,A,B,... [extra] --json files``."""
    cmd = [
        *MULTICAM,
        "sync",
        "--labels",
        ",".join(shoot.labels),
        *extra,
        "--json",
        "--no-progress",
        *map(str, shoot.paths),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc: dict[str, Any] = json.loads(proc.stdout)  # exactly one JSON object
    return doc


@pytest.mark.parametrize("spec", shoots.quick_shoots(), ids=lambda s: s.name)
def test_cli_places_every_clip_of_the_shoot(spec: shoots.ShootSpec, corpus_dir: Path) -> None:
    shoot = shoots.build_shoot(spec, corpus_dir)
    doc = _sync_cli(shoot)
    checks.check_all(shoot, doc)
    if "REC" in shoot.labels:
        assert doc["master"] == "REC"


def test_cli_master_override_and_the_per_label_keys(corpus_dir: Path) -> None:
    shoot = shoots.build_three_cameras_two_takes(corpus_dir)
    assert shoot.labels == ["A", "A", "B", "B", "C", "C", "REC"]
    doc = _sync_cli(shoot, "--master", "C")
    assert doc["master"] == "C"
    truth = checks.check_all(shoot, doc)
    assert truth.master_clip == "C#1"
    by_id = checks.clip_docs(shoot, doc)
    assert by_id["C#1"]["classification"] == "master"
    # REC is the only label with one clip: it keeps its per-label keys, the same
    # numbers as its clip; labels with takes are in "clips" only.
    assert set(doc["offsets_ms"]) == {"C", "REC"}
    assert doc["offsets_ms"]["REC"] == by_id["REC"]["offset_ms"]
    assert abs(by_id["REC"]["offset_ms"] - truth.offsets_ms["REC"]) <= checks.PLACED_TOL_MS


def test_cli_lonely_take_is_null_with_its_reason(corpus_dir: Path) -> None:
    shoot = shoots.build_shoot(shoots.lonely_take(), corpus_dir)
    doc = _sync_cli(shoot, "--master", "A")
    lonely = checks.clip_docs(shoot, doc)["C#2"]
    assert lonely["offset_ms"] is None
    assert lonely["classification"] == "needs-manual-nudge"
    assert "not placed" in lonely["notes"][0]
