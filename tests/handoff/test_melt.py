"""The exported MLT timeline rendered by Debian's ``melt``: the cameras line up within 1 ms,
takes and a split camera's files against a sound recorder too.

Each camera's audio track is rendered alone (the others taken out of the
multitrack: MLT plays only the top track where tracks overlap, and has no
"one track per channel" output), the renders become the channels of one
recording, and each camera is cross-correlated with the master in windows
over the whole overlap: every window within 1 ms, at both ends too for the
drifting camera, whose clip MLT plays through a time warp. A camera that started
between two frames is placed on the nearest one (frame-based formats cannot do
better); its lag must then be the rounding its clip declares, within 1 ms.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from tests.handoff.conftest import DRIFT_PPM, Session
from worker.examples import shoots
from worker.handoff.build import build_timeline
from worker.handoff.formats import TimelineFormat, write_timeline
from worker.handoff.local import local_timeline
from worker.sync.clips import ClipInput
from worker.sync.engine import sync_clips

pytestmark = pytest.mark.timeout(300)
RATE = 48_000
WINDOW_S = 2.0
MELT_TRIES = 8
MELT_HANG_S = 10.0
TRACKS = ("REC-audio", "A-audio", "B-audio")
MAX_LAG_MS = 60.0  # more than half a frame (50 ms at 10 fps): the rounding of a clip

Audio = npt.NDArray[np.float64]


def render_track(document: bytes, track: str, out: Path) -> Audio:
    """``melt`` plays the timeline with only ``track`` in it: mono 48 kHz."""
    root = ET.fromstring(document)
    multitrack = root.find("tractor/multitrack")
    assert multitrack is not None
    for element in list(multitrack):
        if element.get("producer") != track:
            multitrack.remove(element)
    solo = out.with_suffix(".mlt")
    solo.write_bytes(ET.tostring(root))
    melt = shutil.which("melt")
    assert melt, "melt is not installed: run deploy/bootstrap"
    command = [
        melt,
        "-quiet",
        str(solo),
        "-consumer",
        f"avformat:{out}",
        "vn=1",
        "ac=1",
        f"ar={RATE}",
        "acodec=pcm_s16le",
        # Every frame in order on one thread: real-time mode drops frames to keep up.
        "real_time=0",
    ]
    # melt 7.12 sometimes never returns on a busy machine: its consumer thread has ended
    # (having written nothing) and the main loop waits for it forever. A render takes
    # about a second even then, so a hung one is killed and started again.
    for _ in range(MELT_TRIES):
        try:
            done = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=MELT_HANG_S,
            )
        except subprocess.TimeoutExpired:
            continue
        assert done.returncode == 0, done.stderr[-2000:]
        break
    else:
        pytest.fail(f"melt hung {MELT_TRIES} times rendering {track}")
    with wave.open(str(out)) as w:
        assert (w.getframerate(), w.getnchannels()) == (RATE, 1)
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float64)


def lag_ms(ref: Audio, other: Audio) -> float:
    """How late ``other`` is against ``ref`` (ms), to a fraction of a sample."""
    n, m = len(ref), int(RATE * MAX_LAG_MS / 1000)
    corr = np.fft.irfft(np.conj(np.fft.rfft(ref, 2 * n)) * np.fft.rfft(other, 2 * n))
    corr = np.concatenate([corr[-m:], corr[: m + 1]])
    k = int(np.argmax(corr))
    y0, y1, y2 = corr[k - 1], corr[k], corr[k + 1]
    return (k - m + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)) / RATE * 1000


def sounding(x: Audio) -> tuple[int, int]:
    loud = np.flatnonzero(np.abs(x) > 0)
    return int(loud[0]), int(loud[-1])


def test_melt_renders_the_cameras_aligned_within_1ms(session: Session, tmp_path: Path) -> None:
    timeline = build_timeline(session.facts, session.cameras)
    document = write_timeline(timeline, TimelineFormat.MLT)
    labels = sorted(session.paths)
    tracks = [render_track(document, f"{lbl}-audio", tmp_path / f"{lbl}.wav") for lbl in labels]
    length = max(len(t) for t in tracks)
    # One recording, a camera per channel, as an editor would hear the synced tracks.
    mix = np.stack([np.pad(t, (0, length - len(t))) for t in tracks], axis=1)
    master = labels.index(session.facts.master)
    errors = {}
    for i, lbl in enumerate(labels):
        if i == master:
            continue
        clip = next(c for c in timeline.find_clips() if c.name == f"{lbl} audio")
        rounding = clip.metadata["multicam"]["placement_error_ms"]
        lo = max(sounding(mix[:, master])[0], sounding(mix[:, i])[0])
        hi = min(sounding(mix[:, master])[1], sounding(mix[:, i])[1])
        step = int(WINDOW_S * RATE)
        starts = [*range(lo, hi - step, step), hi - step]  # the last window ends at the end
        assert len(starts) >= 3, f"camera {lbl}: the overlap is too short to check"
        lags = [lag_ms(mix[s : s + step, master], mix[s : s + step, i]) for s in starts]
        # A clip starts on a frame: what remains is the rounding the clip declares.
        errors[lbl] = [round(float(lag - rounding), 3) for lag in lags]
    print("lag minus declared rounding (ms), per 2 s window:", errors)
    assert errors and all(abs(e) < 1.0 for es in errors.values() for e in es), errors
    off_grid = next(c for c in timeline.find_clips() if c.name == "D audio")
    assert abs(off_grid.metadata["multicam"]["placement_error_ms"]) > 1.0  # D was rounded
    (drifting,) = [
        lbl for lbl in labels if abs(session.facts.drift_ppm.get(lbl, 0.0) - DRIFT_PPM) < 1
    ]
    # It is warped in the file (unwarped it would slip 6 ms a second), and its first and
    # last windows (both ends of the overlap) are among those within 1 ms above.
    assert "1.006:" in document.decode() and len(errors[drifting]) >= 3


def test_melt_renders_a_split_camera_takes_and_the_recorder_aligned_within_1ms(
    tmp_path: Path, corpus_dir: Path
) -> None:
    """A real shoot's timeline: camera A's recording split into two files (end to end
    on its track), camera B's two takes with a gap (its clock 50 ppm fast), the
    recorder first. Every take of each camera is heard against the recorder, in 2 s
    windows over each take's own overlap, within 1 ms of its clip's declared rounding."""
    shoot = shoots.build_shoot(shoots.split_takes_and_recorder(), corpus_dir)
    report = sync_clips([ClipInput(c.label, c.path) for c in shoot.clips], master="auto")
    assert report.master == "REC"
    timeline = local_timeline(report, None)
    document = write_timeline(timeline, TimelineFormat.MLT)
    rate = timeline.metadata["multicam"]["rate"]
    tracks = {t: render_track(document, t, tmp_path / f"{t}.wav") for t in TRACKS}
    length = max(len(t) for t in tracks.values())
    heard = {t: np.pad(x, (0, length - len(x))) for t, x in tracks.items()}
    ref = heard["REC-audio"]
    a_track = next(t for t in timeline.audio_tracks() if t.name == "A-audio")
    a_clips = list(a_track.find_clips())
    assert len(a_clips) == 2
    # The split files end to end: the second starts on the frame the first ends on.
    first, second = (c.range_in_parent() for c in a_clips)
    assert first.end_time_exclusive() == second.start_time
    errors: dict[str, list[float]] = {}
    for name in ("A-audio", "B-audio"):
        track = next(t for t in timeline.audio_tracks() if t.name == name)
        for clip in track.find_clips():
            span = clip.range_in_parent()
            lo = int(span.start_time.value / rate * RATE) + RATE // 2
            hi = int(span.end_time_exclusive().value / rate * RATE) - RATE // 2
            step = int(WINDOW_S * RATE)
            starts = [*range(lo, hi - step, step), hi - step]
            assert len(starts) >= 3, f"{clip.name}: too short to check"
            rounding = clip.metadata["multicam"]["placement_error_ms"]
            cid = clip.metadata["multicam"]["clip"]
            lags = [lag_ms(ref[s : s + step], heard[name][s : s + step]) for s in starts]
            errors[cid] = [round(float(lag - rounding), 3) for lag in lags]
    print("lag against the recorder minus declared rounding (ms), per 2 s window:", errors)
    assert sorted(errors) == ["A#1", "A#2", "B#1", "B#2"]
    assert all(abs(e) < 1.0 for es in errors.values() for e in es), errors
