"""The synced session as an OpenTimelineIO timeline (pure: facts in, Timeline out).

One video and one audio track per camera, each of its files (takes) a clip
placed where the sync puts it on the master's timeline, gaps between them,
counted in frames of the session's rate. A sound recorder has an audio track
only, and it comes first among the audio tracks: it is the sound editing uses
(``multicam.reference_audio`` on the track). Takes that would overlap (an
operator's correction can do that) go on a second track of the camera rather
than over each other. The timeline's time 0 is the earliest clip start (whole
frames before the master's first sample: ``multicam.master_ms_at_start``).

Frame-based formats cannot place a clip between frames, so each clip is placed
at the nearest frame: ``multicam.placement_error_ms`` on the clip says by how much
(at most half a frame; positive = the clip sits later than the sync says).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import opentimelineio as otio

from worker.camera_clock import master_time_ms
from worker.handoff.model import CameraMedia, MediaFile, SyncFacts

DEFAULT_FPS = 25.0
KEY = "multicam"  # the namespace of everything this product puts in OTIO metadata
_NTSC = (24000 / 1001, 30000 / 1001, 60000 / 1001)
# Line breaks and other controls: in a line-based format (the CMX EDL) a title or file
# name holding one would start lines of its own, i.e. events the editor never made.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def one_line(text: str) -> str:
    """``text`` with every control character a space: a name that stays one line."""
    return _CONTROL.sub(" ", text)


def one_line_url(url: str) -> str:
    """``url`` with every control character percent-encoded (the file it names is the same)."""
    return _CONTROL.sub(lambda m: "".join(f"%{b:02X}" for b in m[0].encode()), url)


def session_rate(facts: SyncFacts, cameras: list[CameraMedia]) -> float:
    """The timeline's frame rate: the master's, else the first camera's that has one (a
    sound recorder has none)."""
    master = [c for c in cameras if c.track_label == facts.master]
    rates = [c.fps for c in master + cameras if c.fps]
    rate = rates[0] if rates else DEFAULT_FPS
    # A probed 29.97 is 30000/1001 to the editors: an exact NTSC rate keeps timecode right.
    return next((n for n in _NTSC if abs(rate - n) < 0.01), rate)


@dataclass(frozen=True)
class _Placed:
    """A clip on its track: start frame on the timeline, source range in frames."""

    kind: str  # "video" | "audio"
    camera: CameraMedia
    media: MediaFile
    record_frame: int
    source_frame: int
    frames: int
    error_ms: float
    warp: float | None


def _place(
    kind: str,
    cam: CameraMedia,
    media: MediaFile,
    stream_start_ms: float,
    offset_ms: float,
    ppm: float,
    frame_ms: float,
) -> _Placed | None:
    """Where one stream of a camera lands, rounded to frames."""
    scale = 1.0 + ppm * 1e-6
    source_ms = stream_start_ms - media.origin_ms  # the stream's first instant in the file
    # Its master time: camera time is counted from the first audio sample.
    record_ms = master_time_ms(stream_start_ms - cam.audio_start_ms, offset_ms, ppm)
    source_frame = max(0, round(source_ms / frame_ms))
    # The clip starts at a whole source frame: shift its record time by as much.
    exact = record_ms + (source_frame * frame_ms - source_ms) / scale
    record_frame = round(exact / frame_ms)
    frames = math.floor((media.duration_ms - source_frame * frame_ms) / scale / frame_ms)
    if frames <= 0:
        return None
    warp = scale if abs(ppm) * 1e-6 * frames * frame_ms > frame_ms / 2 else None
    return _Placed(
        kind, cam, media, record_frame, source_frame, frames, record_frame * frame_ms - exact, warp
    )


def _rt(frames: int, rate: float) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, rate)


def _marker(name: str, at: int, rate: float, color: str, **meta: Any) -> otio.schema.Marker:
    return otio.schema.Marker(
        name=name,
        marked_range=otio.opentime.TimeRange(_rt(at, rate), _rt(0, rate)),
        color=color,
        metadata={KEY: meta} if meta else {},
    )


def _clip(p: _Placed, facts: SyncFacts, rate: float, frame_ms: float) -> otio.schema.Clip:
    label = p.camera.label
    master_clip = facts.master_clip or facts.master
    ppm = facts.drift_ppm.get(label, 0.0)
    available = math.floor(p.media.duration_ms / frame_ms)
    ref = otio.schema.ExternalReference(
        target_url=one_line_url(p.media.url),
        available_range=otio.opentime.TimeRange(_rt(0, rate), _rt(available, rate)),
    )
    clip = otio.schema.Clip(
        name=one_line(f"{label} {p.kind}"),
        media_reference=ref,
        source_range=otio.opentime.TimeRange(_rt(p.source_frame, rate), _rt(p.frames, rate)),
        metadata={
            KEY: {
                "camera": p.camera.track_label,
                "clip": label,
                "take": p.camera.take,
                "recorder": p.camera.recorder,
                "is_master": label == master_clip,
                "offset_ms": facts.offsets_ms[label],
                "drift_ppm": ppm,
                "offset_source": "operator" if label in facts.corrected else "sync",
                "placement_error_ms": round(p.error_ms, 3),
            }
        },
    )
    if p.warp is not None:
        clip.effects.append(otio.schema.LinearTimeWarp(name="clock drift", time_scalar=p.warp))
        over_ms = abs(ppm) * 1e-6 * p.frames * frame_ms
        clip.markers.append(
            _marker(
                f"{label} clock drift {ppm:+.1f} ppm: {over_ms:.1f} ms over the clip "
                "(more than half a frame); carried as a speed change where the format allows",
                p.source_frame,
                rate,
                otio.schema.MarkerColor.ORANGE,
                drift_ppm=ppm,
            )
        )
    return clip


def _lanes(placed: list[_Placed], master: str) -> list[tuple[str, int, list[_Placed]]]:
    """Each camera's clips of one kind on as few tracks as keep them apart, in order:
    the recorder first, then the master, then the cameras by label."""
    by_camera: dict[str, list[_Placed]] = {}
    for p in sorted(placed, key=lambda p: (p.record_frame, p.camera.take)):
        by_camera.setdefault(p.camera.track_label, []).append(p)
    out: list[tuple[str, int, list[_Placed]]] = []
    for camera in sorted(
        by_camera,
        key=lambda c: (not by_camera[c][0].camera.recorder, c != master, c),
    ):
        lanes: list[list[_Placed]] = []
        for p in by_camera[camera]:
            lane = next(
                (ln for ln in lanes if ln[-1].record_frame + ln[-1].frames <= p.record_frame),
                None,
            )
            if lane is None:
                lanes.append([p])
            else:
                lane.append(p)
        out.extend((camera, i, lane) for i, lane in enumerate(lanes))
    return out


def build_timeline(facts: SyncFacts, cameras: list[CameraMedia]) -> otio.schema.Timeline:
    """The session's synced timeline: a video and an audio track per placed camera."""
    rate = session_rate(facts, cameras)
    frame_ms = 1000.0 / rate
    placed: list[_Placed] = []
    left_out: dict[str, str] = {}
    master = facts.master
    for cam in sorted(cameras, key=lambda c: (c.track_label != master, c.track_label, c.take)):
        offset = facts.offsets_ms.get(cam.label)
        if offset is None or not math.isfinite(offset):
            left_out[cam.label] = facts.errors.get(cam.label, "the sync could not place it")
            continue
        ppm = facts.drift_ppm.get(cam.label, 0.0)
        streams = [
            ("video", cam.video, cam.video_start_ms),
            ("audio", cam.audio, cam.audio_start_ms),
        ]
        here = [
            p
            for kind, media, start in streams
            if media is not None and start is not None
            if (p := _place(kind, cam, media, start, offset, ppm, frame_ms)) is not None
        ]
        if not here:
            left_out[cam.label] = "no file of it to point at"
        placed.extend(here)
    given = {c.label for c in cameras}
    for label in sorted((set(facts.offsets_ms) | set(facts.errors)) - given):
        left_out[label] = facts.errors.get(label, "no file of it to point at")
    start = min((p.record_frame for p in placed), default=0)
    title = one_line(facts.title)
    name = f"{title} (synced)" if not facts.draft else f"DRAFT {title} (not approved)"
    timeline = otio.schema.Timeline(name=name, global_start_time=_rt(0, rate))
    timeline.metadata[KEY] = {
        "session_id": facts.session_id,
        "status": facts.status,
        "draft": facts.draft,
        "master": facts.master,
        "master_clip": facts.master_clip or facts.master,
        "offsets_ms": dict(facts.offsets_ms),
        "drift_ppm": dict(facts.drift_ppm),
        "left_out": left_out,
        "rate": rate,
        "master_ms_at_start": start * frame_ms,
    }
    for kind in ("video", "audio"):
        for camera, lane, clips in _lanes([p for p in placed if p.kind == kind], master):
            track = otio.schema.Track(
                name=one_line(f"{camera}-{kind}" + (f"-{lane + 1}" if lane else "")),
                kind=otio.schema.TrackKind.Video
                if kind == "video"
                else otio.schema.TrackKind.Audio,
            )
            if kind == "audio" and clips[0].camera.recorder:
                track.metadata[KEY] = {"reference_audio": True}
            at = start
            for p in clips:
                if p.record_frame > at:
                    track.append(
                        otio.schema.Gap(
                            source_range=otio.opentime.TimeRange(
                                _rt(0, rate), _rt(p.record_frame - at, rate)
                            )
                        )
                    )
                track.append(_clip(p, facts, rate, frame_ms))
                at = p.record_frame + p.frames
            timeline.tracks.append(track)
    if facts.draft:
        timeline.tracks.markers.append(
            _marker(
                f"DRAFT: offsets not approved yet (sync result {facts.status})",
                0,
                rate,
                otio.schema.MarkerColor.RED,
                draft=True,
            )
        )
    for label, why in sorted(left_out.items()):
        timeline.tracks.markers.append(
            _marker(
                f"camera {label} left out: {why}",
                0,
                rate,
                otio.schema.MarkerColor.RED,
                camera=label,
            )
        )
    return timeline
