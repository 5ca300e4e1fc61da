"""The sync engine: audio in, every camera's offset, drift and confidence out.

The public surface (outside code imports these, not the stage modules)::

    from worker.sync import CameraInput, sync_files
    report = sync_files([CameraInput("A", a), CameraInput("B", b)], master="A")
    report.to_dict()["offsets_ms"]["B"]

Sign convention (product-wide): ``offsets_ms[X]`` is the master's file time (ms) of
camera X's first decoded sample, so X starts that long after the master (negative:
before it); ``drift_ppm[X]`` maps master time m to X's time x = (m − offset)·(1 +
drift·1e-6). ``confidence_pct`` is the probability that the offset is within one
video frame; ``classification`` is looks-good, review-suggested or needs-manual-nudge
(``confidence.classify``, the one rule; ``session_verdict`` for a whole session).

* ``sync_files`` / ``sync_clips``: decode and sync files (one per camera, or several
  takes per camera and a recorder); ``sync_tracks`` / ``sync_clip_tracks``: the same
  on tracks already decoded (pure).
* ``SyncReport`` / ``ClipSyncReport``: the results; ``Track``: one decoded clip;
  ``SyncParams``: the search's tunables; ``ENGINE_VERSION``: stored with results.

Names load on first use (PEP 562), so code that needs one small module (the API reads
``confidence``) does not import the decoders and the DSP.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from worker.sync.analysis import CameraInput
    from worker.sync.clips import ClipInput
    from worker.sync.confidence import Classification, Verdict, classify, session_verdict
    from worker.sync.engine import sync_clip_tracks, sync_clips, sync_files, sync_tracks
    from worker.sync.pairwise import SyncParams
    from worker.sync.report import ClipSyncReport, SyncReport
    from worker.sync.track import Track
    from worker.sync.version import ENGINE_VERSION

_HOME = {
    "CameraInput": "analysis",
    "ClipInput": "clips",
    "Classification": "confidence",
    "Verdict": "confidence",
    "classify": "confidence",
    "session_verdict": "confidence",
    "sync_clip_tracks": "engine",
    "sync_clips": "engine",
    "sync_files": "engine",
    "sync_tracks": "engine",
    "SyncParams": "pairwise",
    "ClipSyncReport": "report",
    "SyncReport": "report",
    "Track": "track",
    "ENGINE_VERSION": "version",
}

__all__ = [
    "ENGINE_VERSION",
    "CameraInput",
    "Classification",
    "ClipInput",
    "ClipSyncReport",
    "SyncParams",
    "SyncReport",
    "Track",
    "Verdict",
    "classify",
    "session_verdict",
    "sync_clip_tracks",
    "sync_clips",
    "sync_files",
    "sync_tracks",
]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
