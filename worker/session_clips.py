"""A session's assets as clips: which asset each key of a sync result names.

A camera may have several files in a session (takes, or one recording split into
files), and a sound recorder (label REC) several too. The sync-result's JSON maps
(``offsetsMs``, ``confidencePct``, ``classification``, …) are keyed by clip id:

* the camera's label when the session has one file of that camera (so a session
  of one file per camera reads exactly as before takes existed);
* ``label#take`` (``worker.sync.clips.TAKE_MARK``) for each of a camera's files
  when it has several.

Ids are computed from every asset of the session, failed ones included, so the
sync job, the review and the API agree on them. ``masterCamera`` is a label; the
master's reference clip (the timeline's zero) is ``debugArtifacts.masterClip``
when that camera has several files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from strapi_client.enums import CameraLabel
from strapi_client.models import MediaAsset, SyncResult
from worker.sync.clips import TAKE_MARK

_LABEL_ORDER = {label: i for i, label in enumerate(CameraLabel)}
# What a clip id looks like where a request names one (take numbers 1-99).
CLIP_ID_PATTERN = rf"^[A-Z][A-Z0-9]{{0,7}}({TAKE_MARK}[1-9][0-9]?)?$"


@dataclass(frozen=True)
class AssetClip:
    """One asset of a session under its clip id."""

    id: str
    asset: MediaAsset

    @property
    def label(self) -> str:
        return self.asset.camera_label.value

    @property
    def take(self) -> int:
        return self.asset.take

    @property
    def recorder(self) -> bool:
        return self.asset.camera_label.is_recorder


def clip_id(label: str, take: int, files_of_label: int) -> str:
    """The id of take ``take`` of a camera that has ``files_of_label`` files."""
    return label if files_of_label == 1 else f"{label}{TAKE_MARK}{take}"


def asset_clips(assets: Iterable[MediaAsset]) -> list[AssetClip]:
    """Every asset as a clip, in camera order (A…E, then REC) and take order."""
    ordered = sorted(assets, key=lambda a: (_LABEL_ORDER[a.camera_label], a.take))
    count: dict[CameraLabel, int] = {}
    for a in ordered:
        count[a.camera_label] = count.get(a.camera_label, 0) + 1
    return [
        AssetClip(clip_id(a.camera_label.value, a.take, count[a.camera_label]), a) for a in ordered
    ]


def clips_by_id(assets: Iterable[MediaAsset]) -> dict[str, AssetClip]:
    return {c.id: c for c in asset_clips(assets)}


def file_stem(cid: str) -> str:
    """The clip id in a file or object name (``B``, ``B_t2``): those take no '#'."""
    return cid.replace(TAKE_MARK, "_t")


def artifact_name(cid: str) -> str:
    """The clip's debug artifact name (``sync-B``, ``sync-B_t2``)."""
    return f"sync-{file_stem(cid)}"


def master_clip_id(result: SyncResult) -> str | None:
    """The clip at the timeline's zero: ``debugArtifacts.masterClip``, else the master label."""
    recorded = result.debug_artifacts.master_clip if result.debug_artifacts else None
    if recorded:
        return recorded
    return result.master_camera.value if result.master_camera else None
