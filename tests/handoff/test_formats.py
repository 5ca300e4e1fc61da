"""Round trips through every adapter: read back, same clips, same positions to the frame."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import opentimelineio as otio
import pytest

from tests.handoff.test_build import CAMERAS, FPS, camera, facts
from worker.errors import NotWritable, UnknownFormat
from worker.handoff.build import build_timeline
from worker.handoff.formats import TimelineFormat, format_of_path, read_timelines, write_timeline
from worker.handoff.model import CameraMedia, MediaFile

# What each format carries back besides the clips (see docs/editing-handoff.md).
CARRIES_WARP = {TimelineFormat.OTIO, TimelineFormat.EDL}
CARRIES_TIMELINE_MARKERS = {TimelineFormat.OTIO, TimelineFormat.XML}

Placement = tuple[int, int, int]  # record start, source start, duration: frames


def placements(timeline: otio.schema.Timeline) -> dict[str, Placement]:
    return {
        c.name: (
            round(c.range_in_parent().start_time.value),
            round(c.source_range.start_time.value),
            round(c.source_range.duration.value),
        )
        for c in timeline.find_clips()
    }


@pytest.fixture
def timeline() -> otio.schema.Timeline:
    f = facts(
        status="pending",
        draft=True,
        drift_ppm={"C": -2000.0},
        errors={"D": "no match"},
        offsets_ms={"A": 0.0, "B": 6432.1, "C": -4123.4},
    )
    return build_timeline(f, CAMERAS)


@pytest.mark.parametrize("fmt", [TimelineFormat.OTIO, TimelineFormat.FCPXML, TimelineFormat.XML])
def test_multitrack_formats_round_trip(timeline: otio.schema.Timeline, fmt: TimelineFormat) -> None:
    (back,) = read_timelines(write_timeline(timeline, fmt), fmt, FPS).values()
    assert placements(back) == placements(timeline)
    assert back.name == timeline.name  # "DRAFT ..." survives everywhere
    kinds = sorted(t.kind for t in back.tracks)
    assert kinds == sorted(t.kind for t in timeline.tracks)
    urls = {c.name: c.media_reference.target_url for c in back.find_clips()}
    assert urls == {c.name: c.media_reference.target_url for c in timeline.find_clips()}
    drifting = [c for c in back.find_clips() if c.name.startswith("C ")]
    assert all("clock drift" in m.name for c in drifting for m in c.markers)
    warps = [
        e.time_scalar
        for c in drifting
        for e in c.effects
        if isinstance(e, otio.schema.LinearTimeWarp)
    ]
    assert warps == ([pytest.approx(0.998)] * 2 if fmt in CARRIES_WARP else [])
    names = [m.name for m in back.tracks.markers]
    if fmt in CARRIES_TIMELINE_MARKERS:
        assert names == [m.name for m in timeline.tracks.markers]


def test_edl_is_one_list_per_camera_with_its_record_times(timeline: otio.schema.Timeline) -> None:
    data = write_timeline(timeline, TimelineFormat.EDL)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        texts = {n: archive.read(n).decode() for n in archive.namelist()}
    assert sorted(texts) == ["camera-A.edl", "camera-B.edl", "camera-C.edl"]
    back = read_timelines(data, TimelineFormat.EDL, FPS)
    want = placements(timeline)
    for label, own in back.items():
        (clip,) = own.find_clips()
        record, source, frames = want[f"{label} video"]
        # The reader starts the list at its first event; the record timecode says where.
        event = re.search(r"^001 .* (\S+) (\S+)$", texts[f"camera-{label}.edl"], re.M)
        assert event is not None
        record_in = otio.opentime.from_timecode(event.group(1), FPS)
        assert (
            round(record_in.value),
            round(clip.source_range.start_time.value),
            round(clip.source_range.duration.value),
        ) == (record, source, frames)
        assert clip.media_reference.target_url == f"/shoot/cam{label}.mp4"
    (warp,) = back["C"].find_clips()[0].effects
    assert warp.time_scalar == pytest.approx(0.998, abs=1e-4)  # as M2 speed in fps


def test_mlt_places_every_track_as_the_timeline_does(timeline: otio.schema.Timeline) -> None:
    # The MLT adapter writes only; melt plays it (test_melt.py): here its playlists.
    root = ET.fromstring(write_timeline(timeline, TimelineFormat.MLT))
    profile = root.find("profile")
    assert profile is not None and profile.get("frame_rate_num") == "25"
    assert profile.get("description") == timeline.name  # "DRAFT ...": MLT has no title
    want = placements(timeline)
    for track in timeline.tracks:
        playlist = root.find(f"playlist[@id='{track.name}']")
        assert playlist is not None
        blank = playlist.find("blank")
        entry = playlist.find("entry")
        assert entry is not None
        record = round(float(blank.get("length", 0))) if blank is not None else 0
        first, last = round(float(entry.get("in", -1))), round(float(entry.get("out", -1)))
        label, kind = track.name.split("-")
        assert (record, first, last - first + 1) == want[f"{label} {kind}"]
    producers = {p.get("id"): p for p in root.iter("producer")}
    warped = [
        p for p in producers.values() if p.findtext("property[@name='mlt_service']") == "timewarp"
    ]
    assert {p.get("id") for p in warped} == {"0.998:C video", "0.998:C audio"}


def test_the_format_comes_from_the_file_name() -> None:
    assert format_of_path(Path("x/session.FCPXML")) is TimelineFormat.FCPXML
    assert format_of_path(Path("cams.edl")) is TimelineFormat.EDL
    assert format_of_path(Path("cams.zip")) is TimelineFormat.EDL
    with pytest.raises(UnknownFormat, match=r"unknown timeline format \.aaf"):
        format_of_path(Path("session.aaf"))


def test_rates_a_format_cannot_carry_are_refused_by_name() -> None:
    ten = build_timeline(
        facts(), [camera("A", fps=10.0), camera("B", fps=10.0), camera("C", fps=10.0)]
    )
    for fmt in (TimelineFormat.FCPXML, TimelineFormat.XML, TimelineFormat.EDL):
        with pytest.raises(NotWritable, match="10 fps"):
            write_timeline(ten, fmt)
    assert write_timeline(ten, TimelineFormat.MLT).startswith(b"<?xml")


def test_fcpxml_writes_exact_ntsc_frames() -> None:
    ntsc = build_timeline(
        facts(), [camera("A", fps=29.97), camera("B", fps=29.97), camera("C", fps=29.97)]
    )
    text = write_timeline(ntsc, TimelineFormat.FCPXML).decode()
    assert 'frameDuration="1001/30000s"' in text
    # Every duration is a whole number of 1001/30000 s frames. (The adapter writes a
    # connected clip's offset with the rate truncated to 29: within 1/58 s, not exact;
    # docs/editing-handoff.md says to prefer otio or xml at NTSC rates.)
    times = re.findall(r'duration="(\d+)(?:/(\d+))?s"', text)
    assert len(times) > 10
    for num, den in times:
        frames = int(num) / int(den or 1) * 30000 / 1001
        assert frames == pytest.approx(round(frames), abs=1e-6), (num, den)
    offsets = [int(n) / int(d or 1) for n, d in re.findall(r'offset="(\d+)(?:/(\d+))?s"', text)]
    assert all(
        abs(o * 30000 / 1001 - round(o * 30000 / 1001)) * 1001 / 30000 <= 1 / 58
        for o in offsets
        if o < 3600
    )


def _shoot_in_takes() -> otio.schema.Timeline:
    """A's two takes with a gap, B's recording split into two files end to end, and a
    recorder (the master) through both, at 25 fps."""

    def take(label: str, n: int, camera_label: str, duration_ms: float) -> CameraMedia:
        media = MediaFile(url=f"/shoot/{label}.mp4", origin_ms=0.0, duration_ms=duration_ms)
        return CameraMedia(
            label=label,
            camera=camera_label,
            take=n,
            fps=FPS,
            audio_start_ms=0.0,
            video_start_ms=0.0,
            video=media,
            audio=media,
        )

    rec = MediaFile(url="/shoot/rec.wav", origin_ms=0.0, duration_ms=60_000.0)
    cameras = [
        take("A#1", 1, "A", 20_000.0),
        take("A#2", 2, "A", 20_000.0),
        take("B#1", 1, "B", 15_000.0),
        take("B#2", 2, "B", 30_000.0),
        CameraMedia(label="REC", camera="REC", recorder=True, audio_start_ms=0.0, audio=rec),
    ]
    f = facts(
        master="REC",
        offsets_ms={"REC": 0.0, "A#1": 2000.0, "A#2": 31_000.0, "B#1": 4000.0, "B#2": 19_000.0},
    )
    return build_timeline(f, cameras)


@pytest.mark.parametrize("fmt", [TimelineFormat.OTIO, TimelineFormat.FCPXML, TimelineFormat.XML])
def test_takes_and_the_recorder_round_trip(fmt: TimelineFormat) -> None:
    timeline = _shoot_in_takes()
    (back,) = read_timelines(write_timeline(timeline, fmt), fmt, FPS).values()
    assert placements(back) == placements(timeline)
    per_track = sorted(len(list(t.find_clips())) for t in back.tracks)
    assert per_track == [1, 2, 2, 2, 2]  # the recorder's sound; two takes per camera track
    # Gaps as gaps: A's second take starts 29 s after its first, B's files end to end.
    at = {c.name: c.range_in_parent() for c in back.find_clips()}
    assert at["A#2 video"].start_time.value - at["A#1 video"].start_time.value == 29 * FPS
    assert at["B#1 audio"].end_time_exclusive() == at["B#2 audio"].start_time


def test_edl_of_takes_lists_each_take_and_leaves_the_recorder_to_the_other_formats() -> None:
    data = write_timeline(_shoot_in_takes(), TimelineFormat.EDL)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        texts = {n: archive.read(n).decode() for n in archive.namelist()}
    assert sorted(texts) == ["camera-A.edl", "camera-B.edl"]
    for label in "AB":
        names = re.findall(r"^\* FROM CLIP NAME:\s*(.+)$", texts[f"camera-{label}.edl"], re.M)
        assert names == [f"{label}#1 video", f"{label}#2 video"]
