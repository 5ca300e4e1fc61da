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
        "clips",
    ]
    assert [(c["label"], c["file"]) for c in doc["clips"]] == [
        (lbl, str(p)) for lbl, p in zip("ABC", paths, strict=True)
    ]
    truth = corpus.truth_relative_to(no_audio_case, doc["master"])
    assert doc["offsets_ms"]["B" if doc["master"] == "A" else "A"] == pytest.approx(
        truth.offsets_ms["B" if doc["master"] == "A" else "A"], abs=1.0
    )
    # The camera without audio: no offset, a reason, and a nudge.
    assert "C" not in doc["offsets_ms"]
    assert doc["classification"]["C"] == "needs-manual-nudge"
    assert "no audio stream" in doc["errors"]["C"]
    clip_c = doc["clips"][2]
    assert clip_c["offset_ms"] is None and "no audio stream" in clip_c["notes"][0]
    for clip in doc["clips"]:
        if clip["label"] in doc["offsets_ms"]:
            assert clip["offset_ms"] == doc["offsets_ms"][clip["label"]]
    for artifact in tmp_path.glob("sync-*.json"):
        assert artifact.stat().st_size < 100_000
        json.loads(artifact.read_text())
    # Deterministic: byte-identical output on a second run.
    assert _run("--json", *paths).stdout == proc.stdout


def test_human_table_and_labels(no_audio_case: corpus.BuiltCase) -> None:
    proc = _run(
        "--labels",
        "WIDE,CLOSE,MUTE",
        "--master",
        "CLOSE",
        *[no_audio_case.paths[lbl] for lbl in ("A", "B", "C")],
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split()[:2] == ["camera", "offset"]
    assert any(line.startswith("CLOSE") and "master" in line for line in lines)
    assert any(line.startswith("MUTE") and "needs-manual-nudge" in line for line in lines)
    assert any(line.startswith("error MUTE") for line in lines)


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
    silent_master = _run("--master", "C", *(no_audio_case.paths[lbl] for lbl in "ABC"))
    assert silent_master.returncode == 1 and "master camera C" in silent_master.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--labels", "A"), "--labels has 1 labels for 2 files"),
        (("--labels", "A,cam2"), "'cam2' is not a label"),
        (("--labels", "A,ABCDEFGHI"), "is not a label"),
        (("--labels", "A,2B"), "is not a label"),
        (("--labels", "B,B"), "at least two cameras"),
        (("--master", "C"), "--master C is not one of the labels"),
    ],
)
def test_bad_arguments_exit_2_before_any_work(
    args: tuple[str, ...], words: str, no_audio_case: corpus.BuiltCase
) -> None:
    files = [no_audio_case.paths["A"], no_audio_case.paths["B"]]
    if "A,A,B" in args:
        files.append(no_audio_case.paths["A"])
    proc = _run(*args, *files)
    assert proc.returncode == 2, proc.stderr
    assert words in proc.stderr
    assert not proc.stdout


def test_no_files_is_an_argparse_error() -> None:
    assert _run().returncode == 2


def test_help_teaches_the_convention() -> None:
    proc = subprocess.run([*MULTICAM, "sync", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for words in (
        "first audio sample",
        "clock runs fast",
        "looks-good",
        "--artifacts",
        "--labels A,B,B,C,REC --master REC",
        "takes of one camera",
        '"clips"',
        "recorder",
    ):
        assert words in proc.stdout
