"""Part plans and checksum helpers (pure functions)."""

from __future__ import annotations

import hashlib

import pytest

from worker.storage.errors import StorageError
from worker.storage.hashing import (
    multipart_etag,
    multipart_etag_from_part_etags,
    normalise_etag,
    normalise_sha256,
)
from worker.storage.parts import MAX_PARTS, MIB, MIN_PART_SIZE, plan_parts

GB = 1000**3


@pytest.mark.parametrize(
    "size", [0, 1, 5 * MIB, 5 * MIB + 1, 64 * MIB, 200 * GB, 1024**4, 5 * 1024**4]
)
def test_plans_stay_within_s3_limits(size: int) -> None:
    plan = plan_parts(size, 8 * MIB)
    ranges = list(plan.ranges())
    assert len(ranges) == plan.count <= MAX_PARTS
    assert plan.part_size >= MIN_PART_SIZE and plan.part_size % MIB == 0
    assert sum(length for _, _, length in ranges) == size
    # R2: all parts but the last have the same size; the last is not larger.
    assert all(length == plan.part_size for _, _, length in ranges[:-1])
    assert ranges[-1][2] <= plan.part_size
    assert [n for n, _, _ in ranges] == list(range(1, plan.count + 1))


def test_200_gb_raises_the_part_size() -> None:
    plan = plan_parts(200 * GB, 8 * MIB)
    assert plan.part_size == 20 * MIB and plan.count == 9537
    assert plan_parts(200 * GB, 64 * MIB).part_size == 64 * MIB


def test_too_small_preference_and_bad_sizes() -> None:
    assert plan_parts(100 * MIB, 1).part_size == MIN_PART_SIZE
    with pytest.raises(StorageError):
        plan_parts(-1)
    with pytest.raises(StorageError):
        plan_parts(5 * 1024**4 + 1)


def test_multipart_etag_matches_the_r2_documentation_example() -> None:
    etags = ['"bce6bf66aeb76c7040fdd5f4eccb78e6"', "8165449fc15bbf43d3b674595cbcc406"]
    assert multipart_etag_from_part_etags(etags) == "f77dc0eecdebcd774a2a22cb393ad2ff-2"
    assert multipart_etag_from_part_etags(["not-an-md5"]) is None
    parts = [b"a" * 10, b"b" * 3]
    assert multipart_etag(
        [hashlib.md5(p).digest() for p in parts]
    ) == multipart_etag_from_part_etags([hashlib.md5(p).hexdigest() for p in parts])


def test_normalisers() -> None:
    assert normalise_etag('"ABC"') == "abc"
    assert normalise_etag(None) is None
    digest = hashlib.sha256(b"x").hexdigest()
    assert normalise_sha256(f" {digest.upper()} ") == digest
    for bad in ["", "xyz", digest[:-1], digest + "0"]:
        with pytest.raises(ValueError):
            normalise_sha256(bad)


def test_docstring_examples() -> None:
    import doctest

    from worker.storage import keys, parts

    for module in (keys, parts):
        assert doctest.testmod(module).failed == 0
