"""What a fault did to a session: counted from Strapi and the bucket, not from logs.

For each session a fault-table row ran, the audit reads every entry and object the
session owns and counts:

* **lost**: a derived file a finished track should have but has no entry for, an
  entry whose object is gone, an original or debug artifact that is gone;
* **duplicated**: two entries where there must be one (a camera's asset, a derived
  kind of an asset, a session's sync result) or two stored copies of one file;
* **orphaned**: a derived object in the bucket that no entry points at (storage
  paid for, never used or cleaned up). Originals are not counted: the bucket keeps
  every uploaded version on purpose.

It also says whether the session ended correct: settled (needs-review or ready) with
every camera expected to sync within ``TOLERANCE_MS`` of the truth.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Any

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, SessionState, VideoState
from strapi_client.models import MediaAsset
from tests.corpus import cases as corpus
from worker.storage.keys import ObjectKind, parse_object_key, session_prefixes

TOLERANCE_MS = 5.0
AUDIO_KINDS = frozenset({"audio-wav", "waveform"})
VIDEO_KINDS = frozenset({"proxy", "thumbnail"})
SETTLED = (SessionState.NEEDS_REVIEW, SessionState.READY)


@dataclass(frozen=True)
class Expect:
    """A session a row ran and what ending correct means for it.

    :param synced: cameras whose offsets must match the truth of ``built``.
    :param failed: cameras that must end failed (their reason is checked by the row).
    """

    session_id: str
    built: corpus.BuiltCase | None = None
    synced: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()


@dataclass
class Audit:
    sessions: int = 0
    correct: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    orphaned: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Audit) -> None:
        self.sessions += other.sessions
        self.correct += other.correct
        for name in ("lost", "duplicated", "orphaned", "wrong"):
            getattr(self, name).extend(getattr(other, name))


def _key_of(url: str | None, bucket: str) -> str | None:
    if not url or f"/{bucket}/" not in url:
        return None
    return url.split(f"/{bucket}/", 1)[1]


def _check_asset(asset: MediaAsset, objects: set[str], bucket: str, audit: Audit) -> set[str]:
    """Count the asset's own losses and duplicates; return the keys its entries use."""
    label = asset.camera_label.value
    used: set[str] = set()
    original = _key_of(asset.original_url, bucket)
    if original is not None and original not in objects:
        audit.lost.append(f"camera {label}: original {original}")
    kinds = collections.Counter(d.kind.value for d in asset.derivatives or [])
    audit.duplicated += [
        f"camera {label}: {n} {kind} entries" for kind, n in kinds.items() if n > 1
    ]
    for d in asset.derivatives or []:
        # A review-clips entry's file is its first clip; its clips JSON lists them all.
        keys = [d.storage_key or "", *(c.key for c in (d.clips.clips if d.clips else []))]
        for key in dict.fromkeys(keys):
            used.add(key)
            if key not in objects:
                audit.lost.append(f"camera {label}: {d.kind.value} entry without object {key}")
    want: set[str] = set()
    if asset.state is AssetState.READY:
        want |= AUDIO_KINDS
    if asset.video_state is VideoState.READY:
        want |= VIDEO_KINDS
    audit.lost += [f"camera {label}: no {kind} entry" for kind in sorted(want - set(kinds))]
    return used


def _check_objects(objects: set[str], used: set[str], audit: Audit) -> None:
    stored: dict[tuple[Any, ...], list[str]] = collections.defaultdict(list)
    for key in objects:
        parts = parse_object_key(key)
        if parts is None or parts.kind is ObjectKind.ORIGINAL:
            continue  # originals are kept by design; sync artifacts are checked by url
        stored[(parts.angle, parts.take, parts.version, parts.kind, parts.part)].append(key)
        if key not in used:
            audit.orphaned.append(key)
    audit.duplicated += [
        f"{len(keys)} copies: {sorted(keys)}" for keys in stored.values() if len(keys) > 1
    ]


def _check_truth(expect: Expect, offsets: dict[str, float], master: str | None) -> list[str]:
    if expect.built is None or not expect.synced:
        return []
    if master is None:
        return ["no master camera"]
    truth = corpus.truth_relative_to(expect.built, master).offsets_ms
    wrong = []
    for label in expect.synced:
        got = offsets.get(label)
        if got is None or abs(got - truth[label]) > TOLERANCE_MS:
            wrong.append(f"camera {label}: offset {got} ms, truth {truth[label]:.3f} ms")
    return wrong


async def audit_session(strapi: StrapiClient, s3: Any, bucket: str, expect: Expect) -> Audit:
    """Read one session's entries and objects and count what the fault did to them."""
    audit = Audit(sessions=1)
    session = await strapi.get_session(expect.session_id)
    objects: set[str] = set()
    for prefix in session_prefixes(session.project_id, session.date):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            objects |= {o["Key"] for o in page.get("Contents", [])}
    used: set[str] = set()
    assets = list(session.assets or [])
    labels = collections.Counter(a.camera_label.value for a in assets)
    audit.duplicated += [f"{n} assets for camera {lbl}" for lbl, n in labels.items() if n > 1]
    for asset in assets:
        used |= _check_asset(asset, objects, bucket, audit)
    results = await strapi.sync_results.find(
        filters={"session": {"documentId": {"$eq": expect.session_id}}}
    )
    if len(results.items) > 1:
        audit.duplicated.append(f"{len(results.items)} sync results")
    result = session.sync_result
    artifacts = (
        result.debug_artifacts.artifacts if result and result.debug_artifacts else None
    ) or {}
    for url in artifacts.values():
        key = _key_of(url, bucket)
        if key is not None and key not in objects:
            audit.lost.append(f"debug artifact {key}")
    _check_objects(objects, used, audit)
    wrong = [] if session.state in SETTLED else [f"session is {session.state.value}"]
    wrong += _check_truth(
        expect,
        (result.offsets_ms or {}) if result else {},
        str(result.master_camera) if result and result.master_camera else None,
    )
    by_label = {a.camera_label.value: a for a in assets}
    wrong += [
        f"camera {lbl} is not failed"
        for lbl in expect.failed
        if lbl not in by_label
        or by_label[lbl].state is not AssetState.FAILED
        or not by_label[lbl].error_message
    ]
    audit.wrong += [f"{session.title}: {w}" for w in wrong]
    audit.correct = 0 if wrong else 1
    return audit
