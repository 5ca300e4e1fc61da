"""The retention policy: consistent with the key layout, applied and read back over S3."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from pydantic import ValidationError

from worker.storage.base import ObjectStore
from worker.storage.keys import NUMBERED_KINDS, RETENTION_PREFIXES, ObjectKind, object_key
from worker.storage.lifecycle import (
    DEFAULT_POLICY,
    LifecyclePolicy,
    Retention,
    apply_lifecycle,
    get_lifecycle,
    in_step,
    sweep_expired,
)
from worker.storage.local import LocalObjectStore

DAY = dt.date(2025, 3, 14)

FOREIGN_RULE: dict[str, Any] = {
    "ID": "ops-logs",
    "Status": "Enabled",
    "Filter": {"Prefix": "logs/"},
    "Expiration": {"Days": 3},
}


def days(policy: LifecyclePolicy) -> dict[ObjectKind, int | None]:
    return {r.kind: r.expire_after_days for r in policy.retention}


def test_the_policy_of_the_plan() -> None:
    assert days(DEFAULT_POLICY) == {
        ObjectKind.ORIGINAL: None,
        ObjectKind.PROXY: None,
        ObjectKind.WAVEFORM: None,
        ObjectKind.THUMBNAIL: None,
        ObjectKind.REVIEW_CLIPS: None,
        ObjectKind.SYNC: None,
        ObjectKind.MEZZANINE: 90,
        ObjectKind.AUDIO_WAV: 30,
    }
    assert DEFAULT_POLICY.abort_incomplete_uploads_after_days == 7
    assert all(r.why for r in DEFAULT_POLICY.retention)


def test_each_rule_matches_exactly_the_keys_of_its_kind() -> None:
    rules = {r["ID"]: r for r in DEFAULT_POLICY.s3_rules()}
    expiring = {
        r["Filter"]["Prefix"]: r["Expiration"]["Days"] for r in rules.values() if "Expiration" in r
    }
    for kind in ObjectKind:
        if kind is ObjectKind.SYNC:
            continue
        part = 1 if kind in NUMBERED_KINDS else None
        key = object_key("Any Project", DAY, kind, "B", ext="bin", part=part)
        matched = [d for prefix, d in expiring.items() if key.startswith(prefix)]
        assert matched == ([days(DEFAULT_POLICY)[kind]] if kind in RETENTION_PREFIXES else [])
    abort = rules["multicam-abort-incomplete-uploads"]
    assert abort["Filter"] == {"Prefix": ""}
    assert abort["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}


def test_a_policy_that_the_key_layout_cannot_express_is_refused() -> None:
    kept = [r for r in DEFAULT_POLICY.retention if r.kind is not ObjectKind.WAVEFORM]
    with pytest.raises(ValidationError, match="retention prefix"):
        LifecyclePolicy(
            retention=(*kept, Retention(kind=ObjectKind.WAVEFORM, expire_after_days=10, why="x"))
        )
    with pytest.raises(ValidationError, match="no retention decided"):
        LifecyclePolicy(retention=tuple(kept))
    with pytest.raises(ValidationError, match="twice"):
        LifecyclePolicy(retention=(*DEFAULT_POLICY.retention, DEFAULT_POLICY.retention[0]))


async def test_apply_and_read_back_over_s3(s3_store: ObjectStore) -> None:
    assert await get_lifecycle(s3_store) == []
    assert not in_step([])
    await s3_store.put_lifecycle_rules([FOREIGN_RULE])

    applied = await apply_lifecycle(s3_store)
    stored = await get_lifecycle(s3_store)
    assert in_step(stored)
    ids = sorted(r["ID"] for r in stored)
    assert ids == sorted(
        [
            "ops-logs",
            "multicam-expire-mezzanines",
            "multicam-expire-audio",
            "multicam-abort-incomplete-uploads",
        ]
    )
    assert len(applied) == 4
    by_id = {r["ID"]: r for r in stored}
    assert by_id["multicam-expire-mezzanines"]["Expiration"]["Days"] == 90
    assert by_id["multicam-expire-mezzanines"]["Filter"]["Prefix"] == "expiring/mezzanines/"
    assert by_id["multicam-expire-audio"]["Expiration"]["Days"] == 30
    assert by_id["ops-logs"]["Filter"]["Prefix"] == "logs/"  # someone else's rule survives

    # Applying again changes nothing; a changed policy replaces only multicam's rules.
    await apply_lifecycle(s3_store)
    assert sorted(r["ID"] for r in await get_lifecycle(s3_store)) == ids
    shorter = DEFAULT_POLICY.model_copy(update={"abort_incomplete_uploads_after_days": 2})
    assert not in_step(stored, shorter)
    await apply_lifecycle(s3_store, shorter)
    assert in_step(await get_lifecycle(s3_store), shorter)

    await s3_store.put_lifecycle_rules([])
    assert await get_lifecycle(s3_store) == []


async def test_sweep_expired_on_the_local_backend(local_store: ObjectStore) -> None:
    assert isinstance(local_store, LocalObjectStore)
    now = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    ages = {
        ObjectKind.MEZZANINE: 91,
        ObjectKind.AUDIO_WAV: 31,
        ObjectKind.ORIGINAL: 400,
        ObjectKind.PROXY: 400,
    }
    keys = {}
    for kind, age in ages.items():
        for camera, extra in (("A", 0), ("B", -2)):  # B is younger than the retention
            key = object_key("acme", DAY, kind, camera, ext="bin")
            await local_store.put_bytes(key, b"x", "application/octet-stream")
            stamp = (now - dt.timedelta(days=age + extra)).timestamp()
            os.utime(local_store.root / key, (stamp, stamp))
            keys[kind, camera] = key

    expected = [keys[ObjectKind.MEZZANINE, "A"], keys[ObjectKind.AUDIO_WAV, "A"]]
    dry = await sweep_expired(local_store, now=now, dry_run=True)
    assert sorted(i.key for i in dry) == sorted(expected)
    assert all([await local_store.head(k) is not None for k in keys.values()])

    done = await sweep_expired(local_store, now=now)
    assert sorted(i.key for i in done) == sorted(expected)
    remaining = sorted([i.key async for i in local_store.list_objects()])
    assert remaining == sorted(set(keys.values()) - set(expected))
