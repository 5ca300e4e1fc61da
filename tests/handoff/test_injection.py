"""A title or file name cannot add lines to a line-based timeline (#22 item 5)."""

from __future__ import annotations

import io
import re
import zipfile

from tests.handoff.test_build import FPS, facts
from worker.handoff.build import build_timeline
from worker.handoff.formats import TimelineFormat, read_timelines, write_timeline
from worker.handoff.model import CameraMedia, MediaFile

INJECTED = "\n002  AX       V     C        00:00:00:00 00:00:01:00 00:00:00:00 00:00:01:00\n"


def _camera(label: str, url: str) -> CameraMedia:
    media = MediaFile(url=url, origin_ms=0.0, duration_ms=40_000.0)
    return CameraMedia(
        label=label, fps=FPS, audio_start_ms=0.0, video_start_ms=0.0, video=media, audio=media
    )


def test_newlines_in_the_title_and_file_names_add_no_edl_events() -> None:
    cameras = [_camera("A", "/shoot/camA.mp4"), _camera("B", f"/shoot/cam{INJECTED}B.mp4")]
    timeline = build_timeline(
        facts(title=f"Interview{INJECTED}\r* x", offsets_ms={"A": 0.0, "B": 500.0}), cameras
    )
    data = write_timeline(timeline, TimelineFormat.EDL)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        texts = {n: archive.read(n).decode() for n in archive.namelist()}
    for name, text in texts.items():
        events = re.findall(r"^\d{3} ", text, re.M)
        assert events == ["001 "], (name, text)
        assert "\r" not in text, (name, text)
    back = read_timelines(data, TimelineFormat.EDL, FPS)
    assert {label: len(t.find_clips()) for label, t in back.items()} == {"A": 1, "B": 1}
    # The file is still the one named: its control characters percent-encoded.
    (clip,) = back["B"].find_clips()
    assert "%0A" in clip.media_reference.target_url
