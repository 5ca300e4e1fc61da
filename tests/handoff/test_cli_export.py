"""``multicam sync --export``: the synced timeline of local files, format from the extension."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import opentimelineio as otio
import pytest

from tests.handoff.conftest import Session
from worker.examples import shoots
from worker.handoff.build import KEY

MULTICAM = [sys.executable, "-m", "worker.cli", "sync", "--no-progress"]
FRAME_MS = 100.0  # the corpus cameras are 10 fps


def _sync(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MULTICAM, *map(str, args)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def test_export_writes_the_synced_timeline(session: Session, tmp_path: Path) -> None:
    files = [session.paths[lbl] for lbl in sorted(session.paths)]
    out = tmp_path / "edit" / "session.otio"
    done = _sync(
        "--json", "--master", "A", "--export", out, "--media-root", "/Volumes/Shoot", *files
    )
    assert done.returncode == 0, done.stderr
    assert f"timeline: {out}" in done.stderr
    result = json.loads(done.stdout)  # --json stays one object: nothing else on stdout
    timeline = otio.adapters.read_from_file(str(out))
    meta = timeline.metadata[KEY]
    assert meta["status"] == "local" and meta["offsets_ms"] == result["offsets_ms"]
    start = meta["master_ms_at_start"]
    for clip in timeline.find_clips():
        label = clip.metadata[KEY]["camera"]
        assert clip.media_reference.target_url == f"file:///Volumes/Shoot/cam{label}.mp4"
        if clip.name.endswith("audio"):
            # The first sample of each camera where the sync put it, to half a frame. (The
            # engine's own accuracy is tests/sync's: C's 6,000 ppm clock is beyond the
            # drift it models, so its offset is a mean over the overlap, rated for review.)
            placed = clip.range_in_parent().start_time.value * FRAME_MS + start
            assert placed == pytest.approx(result["offsets_ms"][label], abs=FRAME_MS / 2)
            if result["classification"].get(label) == "looks-good":
                truth = session.facts.offsets_ms[label]
                assert placed == pytest.approx(truth, abs=FRAME_MS / 2)


def test_export_refuses_an_unknown_extension_before_syncing(
    session: Session, tmp_path: Path
) -> None:
    done = _sync("--export", tmp_path / "session.aaf", *session.paths.values())
    assert done.returncode == 1
    assert "unknown timeline format .aaf" in done.stderr
    assert not (tmp_path / "session.aaf").exists()


def test_export_puts_every_take_on_its_camera_track_and_the_recorder_first(
    tmp_path: Path, corpus_dir: Path
) -> None:
    shoot = shoots.build_three_cameras_two_takes(corpus_dir)
    out = tmp_path / "shoot.otio"
    done = _sync("--labels", ",".join(shoot.labels), "--json", "--export", out, *shoot.paths)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    timeline = otio.adapters.read_from_file(str(out))
    meta = timeline.metadata[KEY]
    assert meta["master"] == "REC"
    rate = meta["rate"]
    frame_ms = 1000.0 / rate
    # One video and one audio track per camera, the recorder's audio only and first.
    video = [t.name for t in timeline.video_tracks()]
    audio = [t.name for t in timeline.audio_tracks()]
    assert video == ["A-video", "B-video", "C-video"]
    assert audio == ["REC-audio", "A-audio", "B-audio", "C-audio"]
    assert timeline.audio_tracks()[0].metadata[KEY] == {"reference_audio": True}
    offsets = {f"{c['label']}:{c['file']}": c["offset_ms"] for c in doc["clips"]}
    clips = {(c.metadata[KEY]["clip"], c.name.split()[-1]): c for c in timeline.find_clips()}
    assert len([k for k in clips if k[1] == "audio"]) == 7  # every file's sound
    assert len([k for k in clips if k[1] == "video"]) == 6  # every camera file's picture
    for track in timeline.tracks:
        takes = [c.metadata[KEY]["take"] for c in track.find_clips()]
        assert takes == sorted(takes)  # takes in order along the track, gaps between
        if track.name != "REC-audio":
            assert len(takes) == 2
            assert any(isinstance(item, otio.schema.Gap) for item in track[1:])
    for clip in shoot.clips:
        cid = next(
            c.metadata[KEY]["clip"]
            for c in timeline.find_clips()
            if c.media_reference.target_url.endswith("/" + clip.path.name)
        )
        placed = clips[(cid, "audio")].range_in_parent().start_time.value * frame_ms
        placed += meta["master_ms_at_start"]
        expected = offsets[f"{clip.label}:{clip.path}"]
        assert placed == pytest.approx(expected, abs=frame_ms / 2 + 0.01), cid
