"""The timeline builder on made-up cameras: placement, rounding, drift, left-out, draft."""

from __future__ import annotations

import opentimelineio as otio
import pytest

from worker.camera_clock import master_time_ms
from worker.handoff.build import KEY, build_timeline
from worker.handoff.model import CameraMedia, MediaFile, SyncFacts

FPS = 25.0
FRAME_MS = 1000.0 / FPS


def camera(
    label: str,
    audio_ms: float = 0.0,
    video_ms: float = 0.0,
    duration_ms: float = 40_000.0,
    fps: float = FPS,
) -> CameraMedia:
    origin = min(audio_ms, video_ms)  # the container's start: editors' time 0 of the file
    both = MediaFile(url=f"/shoot/cam{label}.mp4", origin_ms=origin, duration_ms=duration_ms)
    return CameraMedia(
        label=label,
        fps=fps,
        audio_start_ms=audio_ms,
        video_start_ms=video_ms,
        video=both,
        audio=both,
    )


def facts(**kw: object) -> SyncFacts:
    base: dict[str, object] = {
        "title": "t",
        "master": "A",
        "status": "approved",
        "offsets_ms": {"A": 0.0, "B": 6432.1, "C": -4123.4},
    }
    return SyncFacts.model_validate({**base, **kw})


def clips(timeline: otio.schema.Timeline) -> dict[str, otio.schema.Clip]:
    return {c.name: c for c in timeline.find_clips()}


CAMERAS = [camera("A"), camera("B", audio_ms=-21.3), camera("C", video_ms=40.0)]


def test_each_stream_lands_where_the_sync_puts_it_to_half_a_frame() -> None:
    f = facts(drift_ppm={"C": 300.0})
    timeline = build_timeline(f, CAMERAS)
    assert [t.name for t in timeline.tracks] == [
        "A-video",
        "B-video",
        "C-video",
        "A-audio",
        "B-audio",
        "C-audio",
    ]
    start_ms = timeline.metadata[KEY]["master_ms_at_start"]
    # C starts first: 4123.4 ms before the master, so the timeline starts on its frame.
    assert start_ms == pytest.approx(-103 * FRAME_MS)
    by_label = {c.label: c for c in CAMERAS}
    for clip in timeline.find_clips():
        meta = clip.metadata[KEY]
        cam = by_label[meta["camera"]]
        stream = cam.video_start_ms if clip.name.endswith("video") else cam.audio_start_ms
        assert stream is not None
        origin = min(cam.audio_start_ms, cam.video_start_ms or 0.0)
        source_ms = clip.source_range.start_time.value * FRAME_MS
        # The clip's first frame, as camera time (from its first audio sample) ...
        camera_ms = source_ms + origin - cam.audio_start_ms
        want = master_time_ms(camera_ms, meta["offset_ms"], meta["drift_ppm"])
        # ... is where the clip starts on the master's timeline, to the rounding said.
        placed = clip.range_in_parent().start_time.value * FRAME_MS + start_ms
        assert placed - want == pytest.approx(meta["placement_error_ms"], abs=1e-3)
        assert abs(meta["placement_error_ms"]) <= FRAME_MS / 2
    # B's first audio sample at 6432.1 ms: frame 161 of the master, 264 of the timeline.
    b = clips(timeline)["B audio"]
    assert b.range_in_parent().start_time.value == 264
    assert b.metadata[KEY]["placement_error_ms"] == pytest.approx(161 * FRAME_MS - 6432.1)


def test_the_session_rate_is_the_masters_and_ntsc_rates_are_exact() -> None:
    cams = [camera("A", fps=29.97), camera("B", fps=25.0)]
    timeline = build_timeline(facts(offsets_ms={"A": 0.0, "B": 1000.0}), cams)
    rates = {c.source_range.start_time.rate for c in timeline.find_clips()}
    assert rates == {30000 / 1001}


def test_drift_over_half_a_frame_is_a_time_warp_and_a_marker() -> None:
    timeline = build_timeline(facts(drift_ppm={"B": 100.0, "C": -2000.0}), CAMERAS)
    by_name = clips(timeline)
    # 100 ppm over 40 s is 4 ms: less than half a frame, nothing to warp.
    assert list(by_name["B video"].effects) == [] and list(by_name["B video"].markers) == []
    for name in ("C video", "C audio"):
        clip = by_name[name]
        (warp,) = clip.effects
        assert isinstance(warp, otio.schema.LinearTimeWarp)
        assert warp.time_scalar == pytest.approx(1 - 2000e-6)
        (marker,) = clip.markers
        assert "clock drift -2000.0 ppm" in marker.name
        assert clip.metadata[KEY]["drift_ppm"] == -2000.0
    # The drifting camera's clip covers its file in master time: shorter when fast.
    assert by_name["C audio"].source_range.duration.value == int(40_000 / FRAME_MS / 0.998)


def test_cameras_that_could_not_be_placed_are_left_out_with_a_marker() -> None:
    cams = [*CAMERAS, camera("D")]
    timeline = build_timeline(facts(errors={"D": "no common sound with the master"}), cams)
    assert not [c for c in timeline.find_clips() if c.metadata[KEY]["camera"] == "D"]
    names = [m.name for m in timeline.tracks.markers]
    assert names == ["camera D left out: no common sound with the master"]
    assert timeline.metadata[KEY]["left_out"] == {"D": "no common sound with the master"}


def test_a_draft_says_so_in_its_name_marker_and_metadata() -> None:
    timeline = build_timeline(facts(status="pending", draft=True), CAMERAS)
    assert timeline.name.startswith("DRAFT")
    assert timeline.tracks.markers[0].name.startswith("DRAFT: offsets not approved")
    assert timeline.metadata[KEY]["draft"] is True
    approved = build_timeline(facts(), CAMERAS)
    assert "DRAFT" not in approved.name and list(approved.tracks.markers) == []


def test_an_operators_offset_is_named_as_such() -> None:
    timeline = build_timeline(facts(status="corrected", corrected=frozenset({"B"})), CAMERAS)
    sources = {c.name: c.metadata[KEY]["offset_source"] for c in timeline.find_clips()}
    assert sources["B audio"] == "operator" and sources["C audio"] == "sync"


def test_a_sound_only_camera_gets_an_audio_clip_only() -> None:
    sound = MediaFile(url="/shoot/zoom.wav", origin_ms=0.0, duration_ms=30_000.0)
    cams = [*CAMERAS[:2], CameraMedia(label="C", audio_start_ms=0.0, audio=sound)]
    timeline = build_timeline(facts(), cams)
    assert "C video" not in clips(timeline) and "C audio" in clips(timeline)


def test_a_camera_without_files_is_left_out_with_the_reason_given() -> None:
    timeline = build_timeline(facts(errors={"C": "its original file has no URL"}), CAMERAS[:2])
    assert [m.name for m in timeline.tracks.markers] == [
        "camera C left out: its original file has no URL"
    ]
