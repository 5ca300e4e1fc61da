"""One camera's analysis: decode it, compute its envelope, and hand the result between processes.

A decoder process writes its track as ``.npy`` files that the parent memory-maps:
an hour-long track is ~80 MB, and pickling it through a pipe costs a third of a
second and a transient copy on each side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from worker.errors import NoAudioStream
from worker.sync.decode import ANALYSIS_RATE, decode_audio
from worker.sync.features import Envelope, level_dbfs, onset_envelope
from worker.sync.track import Track


@dataclass(frozen=True)
class CameraInput:
    label: str
    path: Path


def analyse(
    path: str | Path, rate: int = ANALYSIS_RATE, progress: Callable[[float], None] | None = None
) -> Track:
    """Decode one file and compute its envelope.

    :raises MediaError: unreadable / not media.
    :raises NoAudioStream: no usable audio.
    """
    decoded = decode_audio(path, rate=rate, progress=progress)
    envelope = onset_envelope(decoded.samples, rate, decoded.scale)
    if not envelope.usable:
        level = level_dbfs(decoded.samples, decoded.scale)
        raise NoAudioStream(f"audio is silent (level {level:.0f} dBFS): nothing to sync on")
    return Track(decoded.samples, decoded.scale, rate, envelope, decoded.info.duration_s)


@dataclass(frozen=True)
class TrackFiles:
    """Where a saved track's arrays are, plus its scalars (small enough to pickle)."""

    directory: str
    stem: str
    scale: float
    rate: int
    hop_s: float
    usable: bool
    media_duration_s: float | None = None

    def path(self, part: str) -> Path:
        return Path(self.directory) / f"{self.stem}.{part}.npy"


_PARTS = ("samples", "envelope", "activity")


def save_track(track: Track, directory: str | Path, stem: str) -> TrackFiles:
    """Write ``track``'s arrays under ``directory`` (no fsync: they live for one run)."""
    files = TrackFiles(
        str(directory),
        stem,
        track.scale,
        track.rate,
        track.envelope.hop_s,
        track.envelope.usable,
        track.media_duration_s,
    )
    arrays: tuple[npt.NDArray[np.generic], ...] = (
        track.samples,
        track.envelope.values,
        track.envelope.activity_db,
    )
    for part, array in zip(_PARTS, arrays, strict=True):
        np.save(files.path(part), array, allow_pickle=False)
    return files


def load_track(files: TrackFiles) -> Track:
    """Memory-map a saved track (read-only; the files may be deleted afterwards)."""
    samples, values, activity = (
        np.asarray(np.load(files.path(part), mmap_mode="r", allow_pickle=False)) for part in _PARTS
    )
    envelope = Envelope(values, files.hop_s, activity, files.usable)
    return Track(samples, files.scale, files.rate, envelope, files.media_duration_s)
