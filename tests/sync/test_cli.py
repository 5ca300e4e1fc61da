"""`multicam sync` as an operator runs it: real processes, real files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus import cases as corpus

MULTICAM = [sys.executable, "-m", "worker.cli"]


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MULTICAM, "sync", *map(str, args)], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def no_audio_case(corpus_dir: Path) -> corpus.BuiltCase:
    return corpus.build_case(corpus.FAMILIES["no_audio"][0], corpus_dir)


def test_json_output_is_one_object_with_the_product_shape(
    no_audio_case: corpus.BuiltCase, tmp_path: Path
) -> None:
    paths = [no_audio_case.paths[lbl] for lbl in ("A", "B", "C")]
    proc = _run("--json", "--artifacts", tmp_path, *paths)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)  # exactly one JSON document on stdout
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
    truth = corpus.truth_relative_to(no_audio_case, doc["master"])
    assert doc["offsets_ms"]["B" if doc["master"] == "A" else "A"] == pytest.approx(
        truth.offsets_ms["B" if doc["master"] == "A" else "A"], abs=1.0
    )
    # The camera without audio: no offset, a reason, and a nudge.
    assert "C" not in doc["offsets_ms"]
    assert doc["classification"]["C"] == "needs-manual-nudge"
    assert "no audio stream" in doc["errors"]["C"]
    for artifact in tmp_path.glob("sync-*.json"):
        assert artifact.stat().st_size < 100_000
        json.loads(artifact.read_text())
    # Deterministic: byte-identical output on a second run.
    assert _run("--json", *paths).stdout == proc.stdout


def test_human_table_and_labels(no_audio_case: corpus.BuiltCase) -> None:
    proc = _run(
        "--labels",
        "Wide,Close,Mute",
        "--master",
        "Close",
        *[no_audio_case.paths[lbl] for lbl in ("A", "B", "C")],
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:2] == ["camera", "offset"]
    assert any(line.startswith("Close") and "master" in line for line in lines)
    assert any(line.startswith("Mute") and "needs-manual-nudge" in line for line in lines)
    assert any(line.startswith("error Mute") for line in lines)


def test_unusable_input_exits_non_zero_with_a_clear_message(
    tmp_path: Path, no_audio_case: corpus.BuiltCase
) -> None:
    good = no_audio_case.paths["A"]
    missing = _run(good, tmp_path / "nope.mp4")
    assert missing.returncode == 1 and "file not found" in missing.stderr
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video" * 100)
    bad = _run(good, junk)
    assert bad.returncode == 1 and "not a readable media file" in bad.stderr
    labels = _run("--labels", "A", good, good)
    assert labels.returncode == 1 and "--labels" in labels.stderr
    master = _run("--master", "C", good, no_audio_case.paths["B"])
    assert master.returncode == 1 and "master" in master.stderr
    assert _run().returncode == 2  # argparse: no files


def test_help_teaches_the_convention() -> None:
    proc = subprocess.run([*MULTICAM, "sync", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for words in ("first audio sample", "clock runs fast", "looks-good", "--artifacts"):
        assert words in proc.stdout
