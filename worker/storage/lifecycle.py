"""The retention policy as data, applied through the S3 lifecycle API (or swept locally).

Rules match key prefixes only, because that is all R2 supports (no tag filters);
keys.RETENTION_PREFIXES puts every expiring kind under its own prefix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .base import ObjectInfo, ObjectStore
from .keys import FOLDERS, RETENTION_PREFIXES, ObjectKind

RULE_ID_PREFIX = "multicam-"
ABORT_RULE_ID = f"{RULE_ID_PREFIX}abort-incomplete-uploads"


class Retention(BaseModel):
    """How long one kind of object is kept, and why."""

    model_config = ConfigDict(frozen=True)

    kind: ObjectKind
    expire_after_days: int | None = Field(None, ge=1, description="None: kept for good")
    why: str


class LifecyclePolicy(BaseModel):
    """Retention for every kind, plus the clean-up of abandoned multipart uploads."""

    model_config = ConfigDict(frozen=True)

    retention: tuple[Retention, ...]
    abort_incomplete_uploads_after_days: int = Field(7, ge=1)

    @model_validator(mode="after")
    def _matches_key_layout(self) -> Self:
        kinds = [r.kind for r in self.retention]
        if len(set(kinds)) != len(kinds):
            raise ValueError("a kind appears twice in the retention policy")
        missing = set(ObjectKind) - set(kinds)
        if missing:
            raise ValueError(f"no retention decided for {sorted(missing)}")
        expiring = {r.kind for r in self.retention if r.expire_after_days is not None}
        # A kind can only expire if its keys carry a prefix a rule can match, and a
        # kept kind must not live under an expiring prefix.
        if expiring != set(RETENTION_PREFIXES):
            raise ValueError(
                f"expiring kinds {sorted(expiring)} must be exactly the kinds with "
                f"a retention prefix in keys.py {sorted(RETENTION_PREFIXES)}"
            )
        return self

    def expiring(self) -> list[Retention]:
        return [r for r in self.retention if r.expire_after_days is not None]

    def s3_rules(self) -> list[dict[str, Any]]:
        """The rules in the shape of PutBucketLifecycleConfiguration (all IDs 'multicam-…')."""
        rules: list[dict[str, Any]] = [
            {
                "ID": f"{RULE_ID_PREFIX}expire-{FOLDERS[r.kind]}",
                "Status": "Enabled",
                "Filter": {"Prefix": RETENTION_PREFIXES[r.kind]},
                "Expiration": {"Days": r.expire_after_days},
            }
            for r in self.expiring()
        ]
        rules.append(
            {
                "ID": ABORT_RULE_ID,
                "Status": "Enabled",
                "Filter": {"Prefix": ""},  # the whole bucket
                "AbortIncompleteMultipartUpload": {
                    "DaysAfterInitiation": self.abort_incomplete_uploads_after_days,
                },
            }
        )
        return rules


DEFAULT_POLICY = LifecyclePolicy(
    retention=(
        Retention(
            kind=ObjectKind.ORIGINAL,
            why="the camera masters: the source of truth, everything else is derived from them",
        ),
        Retention(
            kind=ObjectKind.PROXY,
            why="editors and the review UI play them; 720p, a fraction of the original's size",
        ),
        Retention(
            kind=ObjectKind.WAVEFORM,
            why="a few hundred kB of JSON; the review UI draws them whenever a session is reopened",
        ),
        Retention(kind=ObjectKind.THUMBNAIL, why="a few tens of kB; the review UI lists them"),
        Retention(
            kind=ObjectKind.REVIEW_CLIPS,
            why="a few MB per camera: the pictures of a review made before the proxy, kept "
            "because the session's record of its review points at them",
        ),
        Retention(
            kind=ObjectKind.SYNC,
            why="small debug JSON: the record of how the offsets "
            "an operator approved were computed",
        ),
        Retention(
            kind=ObjectKind.MEZZANINE,
            expire_after_days=90,
            why="large CFR intermediates for rendering; re-made from the original on demand",
        ),
        Retention(
            kind=ObjectKind.AUDIO_WAV,
            expire_after_days=30,
            why="only sync reads them (about 690 MB per hour of 48 kHz stereo); "
            "re-made from the original if a session is re-synced later",
        ),
    ),
    abort_incomplete_uploads_after_days=7,
)


def is_managed(rule: Mapping[str, Any]) -> bool:
    return str(rule.get("ID", "")).startswith(RULE_ID_PREFIX)


def _contains(actual: Any, expected: Any) -> bool:
    """``expected`` is a (recursive) subset of ``actual``: servers add defaults to rules."""
    if isinstance(expected, Mapping):
        return isinstance(actual, Mapping) and all(
            k in actual and _contains(actual[k], v) for k, v in expected.items()
        )
    return bool(actual == expected)


def in_step(rules: Sequence[Mapping[str, Any]], policy: LifecyclePolicy = DEFAULT_POLICY) -> bool:
    """Whether the bucket's multicam rules are exactly the policy's."""
    ours = {r["ID"]: r for r in policy.s3_rules()}
    theirs = {str(r.get("ID")): r for r in rules if is_managed(r)}
    return ours.keys() == theirs.keys() and all(_contains(theirs[i], ours[i]) for i in ours)


async def apply_lifecycle(
    store: ObjectStore,
    policy: LifecyclePolicy = DEFAULT_POLICY,
) -> list[dict[str, Any]]:
    """Install the policy's rules, keeping any rule not managed by multicam; returns all rules.

    The S3 API replaces the whole configuration, so foreign rules are read and re-sent.
    """
    current = await store.get_lifecycle_rules()
    rules = [dict(r) for r in current if not is_managed(r)] + policy.s3_rules()
    await store.put_lifecycle_rules(rules)
    return rules


async def get_lifecycle(store: ObjectStore) -> list[dict[str, Any]]:
    """The bucket's lifecycle rules as stored."""
    return await store.get_lifecycle_rules()


async def sweep_expired(
    store: ObjectStore,
    policy: LifecyclePolicy = DEFAULT_POLICY,
    *,
    now: dt.datetime | None = None,
    dry_run: bool = False,
) -> list[ObjectInfo]:
    """Delete objects past their retention (the local backend's lifecycle); returns them.

    Age counts from the object's last modification, like S3's from its creation.
    """
    now = now or dt.datetime.now(dt.UTC)
    expired: list[ObjectInfo] = []
    for rule in policy.expiring():
        limit = dt.timedelta(days=rule.expire_after_days or 0)
        async for info in store.list_objects(RETENTION_PREFIXES[rule.kind]):
            if info.last_modified is not None and now - info.last_modified >= limit:
                expired.append(info)
    if not dry_run:
        for info in expired:
            await store.delete(info.key)
    return expired
