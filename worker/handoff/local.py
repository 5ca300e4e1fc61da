"""The timeline's inputs for local files (``multicam sync --export``): probe and report."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from worker.errors import MediaError, NoVideoStream
from worker.handoff.build import build_timeline
from worker.handoff.media import container_origin_ms, located
from worker.handoff.model import CameraMedia, MediaFile, SyncFacts
from worker.ingest.probe import ProbeResult, probe
from worker.sync.report import ClipSyncReport


def local_camera(
    label: str,
    path: Path,
    facts: ProbeResult,
    media_root: str | None = None,
    *,
    camera: str | None = None,
    take: int = 1,
) -> CameraMedia:
    """A local camera file (clip ``label``, take ``take`` of ``camera``): its own absolute
    path, or ``media_root``/its name."""
    origin = container_origin_ms(facts.video_start_ms, facts.audio_start_ms)
    both = MediaFile(
        url=located(path.resolve().as_uri(), path.name, media_root),
        origin_ms=origin,
        duration_ms=float(facts.duration_ms),
    )
    return CameraMedia(
        label=label,
        camera=camera,
        take=take,
        fps=facts.fps,
        audio_start_ms=facts.audio_start_ms,
        video_start_ms=facts.video_start_ms,
        video=both,
        audio=both,
    )


def report_facts(report: ClipSyncReport, title: str) -> SyncFacts:
    """A local sync's result: nobody reviewed it, so not a draft either (status local)."""
    data = report.by_clip().to_dict()
    return SyncFacts(
        title=title,
        master=report.master,
        master_clip=report.master_clip,
        offsets_ms=data["offsets_ms"],
        drift_ppm=data["drift_ppm"],
        errors=data["errors"],
        status="local",
    )


def local_sound_only(
    label: str,
    path: Path,
    duration_s: float,
    media_root: str | None = None,
    *,
    camera: str | None = None,
    take: int = 1,
) -> CameraMedia:
    """A local sound-only file (a sound recorder): an audio clip and no picture."""
    sound = MediaFile(
        url=located(path.resolve().as_uri(), path.name, media_root),
        origin_ms=0.0,
        duration_ms=max(duration_s * 1000.0, 1.0),
    )
    return CameraMedia(
        label=label, camera=camera, take=take, recorder=True, audio_start_ms=0.0, audio=sound
    )


def local_timeline(report: ClipSyncReport, media_root: str | None) -> otio.schema.Timeline:
    """The synced timeline of local files: every clip on its camera's tracks, a sound
    recorder's as sound only."""
    media = []
    unreadable: dict[str, str] = {}
    takes: dict[str, int] = {}
    for clip in report.clips:
        takes[clip.label] = take = takes.get(clip.label, 0) + 1
        path = Path(clip.file)
        try:
            if clip.audio_only:
                raise NoVideoStream(clip.file)
            media.append(
                local_camera(clip.id, path, probe(path), media_root, camera=clip.label, take=take)
            )
        except NoVideoStream:
            duration = report.durations_s.get(clip.id, 0.0)
            media.append(
                local_sound_only(clip.id, path, duration, media_root, camera=clip.label, take=take)
            )
        except MediaError as exc:
            unreadable[clip.id] = str(exc)
    facts = report_facts(report, Path(report.clips[0].file).parent.resolve().name or "session")
    facts = facts.model_copy(update={"errors": {**unreadable, **facts.errors}})
    return build_timeline(facts, media)
