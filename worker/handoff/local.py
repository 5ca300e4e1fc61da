"""The timeline's inputs for local files (``multicam sync --export``): probe and report."""

from __future__ import annotations

from pathlib import Path

from worker.handoff.media import container_origin_ms, located
from worker.handoff.model import CameraMedia, MediaFile, SyncFacts
from worker.ingest.probe import ProbeResult
from worker.sync.report import SyncReport


def local_camera(
    label: str, path: Path, facts: ProbeResult, media_root: str | None = None
) -> CameraMedia:
    """A local camera file: its own absolute path, or ``media_root``/its name."""
    origin = container_origin_ms(facts.video_start_ms, facts.audio_start_ms)
    both = MediaFile(
        url=located(path.resolve().as_uri(), path.name, media_root),
        origin_ms=origin,
        duration_ms=float(facts.duration_ms),
    )
    return CameraMedia(
        label=label,
        fps=facts.fps,
        audio_start_ms=facts.audio_start_ms,
        video_start_ms=facts.video_start_ms,
        video=both,
        audio=both,
    )


def report_facts(report: SyncReport, title: str) -> SyncFacts:
    """A local sync's result: nobody reviewed it, so not a draft either (status local)."""
    data = report.to_dict()
    return SyncFacts(
        title=title,
        master=report.master,
        offsets_ms=data["offsets_ms"],
        drift_ppm=data["drift_ppm"],
        errors=data["errors"],
        status="local",
    )


def local_sound_only(
    label: str, path: Path, duration_s: float, media_root: str | None = None
) -> CameraMedia:
    """A local sound-only file (an audio recorder): an audio clip and no picture."""
    sound = MediaFile(
        url=located(path.resolve().as_uri(), path.name, media_root),
        origin_ms=0.0,
        duration_ms=max(duration_s * 1000.0, 1.0),
    )
    return CameraMedia(label=label, audio_start_ms=0.0, audio=sound)
