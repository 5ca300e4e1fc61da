"""Object keys: deterministic, the plan's layout, safe whatever the user typed."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from worker.storage.errors import InvalidKey
from worker.storage.keys import (
    FOLDERS,
    NUMBERED_KINDS,
    RETENTION_PREFIXES,
    ObjectKeyParts,
    ObjectKind,
    angle_number,
    check_key,
    check_prefix,
    extension_from_filename,
    is_derived_key_of,
    object_key,
    parse_object_key,
    safe_project_id,
    session_prefix,
    session_prefixes,
    sync_artifact_key,
)

DAY = dt.date(2025, 3, 14)
SAFE_SEGMENT = re.compile(r"[a-z0-9_-]{1,57}")

HOSTILE_PROJECT_IDS = [
    "",
    " ",
    "..",
    "../..",
    "../../etc/passwd",
    "/abs/path",
    "a/b",
    "a\\b",
    "a\x00b",
    "\n",
    "~root",
    "$(rm -rf /)",
    "%2e%2e",
    "💥",
    "Ünïcödé Fïlms",
    "ＡＣＭＥ",
    "a" * 5000,
    "CON",
    ".hidden",
    "-rf",
    "_",
    "-",
    "acme--films",
    "\udcff",
    "x" * 48 + "!",
]


@pytest.mark.parametrize("raw", HOSTILE_PROJECT_IDS)
def test_project_id_is_always_a_safe_bounded_segment(raw: str) -> None:
    slug = safe_project_id(raw)
    assert SAFE_SEGMENT.fullmatch(slug), slug
    assert ".." not in slug
    assert safe_project_id(raw) == slug  # deterministic
    key = object_key(raw, DAY, ObjectKind.ORIGINAL, "A", ext="mov")
    assert key == f"projects/{slug}/20250314/originals/angle-001_v001.mov"
    assert check_key(key) == key


@pytest.mark.parametrize("raw", ["acme", "acme-films", "acme_2025", "p1", "a" * 48])
def test_safe_project_ids_are_kept_verbatim(raw: str) -> None:
    assert safe_project_id(raw) == raw


def test_ids_that_differ_only_in_unsafe_characters_get_different_folders() -> None:
    variants = ["Acme Films", "acme films", "acme-films", "acme/films", "acme.films", "ACME FILMS"]
    slugs = {safe_project_id(v) for v in variants}
    assert len(slugs) == len(variants)
    assert all(s.startswith("acme-films") for s in slugs)
    # Truncated long ids differ too.
    assert safe_project_id("a" * 60 + "1") != safe_project_id("a" * 60 + "2")


def test_unicode_is_folded_to_readable_ascii() -> None:
    assert safe_project_id("Café Crème").startswith("cafe-creme-")
    assert safe_project_id("???").startswith("project-")


@pytest.mark.parametrize(
    ("kind", "folder", "ext", "prefix"),
    [
        (ObjectKind.ORIGINAL, "originals", "mov", ""),
        (ObjectKind.PROXY, "proxies", "mp4", ""),
        (ObjectKind.MEZZANINE, "mezzanines", "mov", "expiring/mezzanines/"),
        (ObjectKind.AUDIO_WAV, "audio", "wav", "expiring/audio/"),
        (ObjectKind.WAVEFORM, "waveforms", "json", ""),
        (ObjectKind.THUMBNAIL, "thumbnails", "jpg", ""),
    ],
)
def test_layout_per_kind(kind: ObjectKind, folder: str, ext: str, prefix: str) -> None:
    key = object_key("acme", DAY, kind, "C", version=2, ext=ext)
    assert key == f"{prefix}projects/acme/20250314/{folder}/angle-003_v002.{ext}"
    # Strapi's derived-media kind strings work as they are.
    assert object_key("acme", DAY, kind.value, "C", version=2, ext=ext) == key


def test_default_extensions_and_plan_examples() -> None:
    assert (
        object_key("acme", DAY, "proxy", "A") == "projects/acme/20250314/proxies/angle-001_v001.mp4"
    )
    assert (
        object_key("acme", DAY, "waveform", "B")
        == "projects/acme/20250314/waveforms/angle-002_v001.json"
    )
    assert (
        object_key("acme", DAY, "thumbnail", "c", version=12)
        == "projects/acme/20250314/thumbnails/angle-003_v012.jpg"
    )
    assert (
        object_key("acme", dt.datetime(2025, 3, 14, 23, 59), "audio-wav", "A")
        == "expiring/audio/projects/acme/20250314/audio/angle-001_v001.wav"
    )
    assert object_key("acme", dt.date(999, 1, 2), "proxy", "A").startswith(
        "projects/acme/09990102/"
    )


def test_angles_generalise_beyond_three_cameras() -> None:
    assert [angle_number(c) for c in "ABCZ"] == [1, 2, 3, 26]
    assert angle_number("b") == 2
    assert angle_number(42) == 42
    assert object_key("acme", DAY, "proxy", 42).endswith("/angle-042_v001.mp4")


@pytest.mark.parametrize("camera", ["", "AA", "1", "é", "ı", "ß", "-", " A", 0, 1000, True])
def test_bad_cameras_are_refused(camera: str | int) -> None:
    with pytest.raises(InvalidKey):
        angle_number(camera)


@pytest.mark.parametrize("version", [0, -1, 1000, True, 1.5])
def test_bad_versions_are_refused(version: int) -> None:
    with pytest.raises(InvalidKey):
        object_key("acme", DAY, "proxy", "A", version=version)


@pytest.mark.parametrize("ext", ["", ".", "../x", "mp4;rm", "m p4", "a" * 11, "mp4/", "é"])
def test_bad_extensions_are_refused(ext: str) -> None:
    with pytest.raises(InvalidKey):
        object_key("acme", DAY, "original", "A", ext=ext)


def test_extension_normalisation() -> None:
    assert object_key("acme", DAY, "original", "A", ext=".MOV").endswith(".mov")
    with pytest.raises(InvalidKey, match="explicit extension"):
        object_key("acme", DAY, "original", "A")


@pytest.mark.parametrize(
    ("filename", "ext"),
    [
        ("clip.MOV", "mov"),
        ("C0001.MP4", "mp4"),
        ("dir/a.b.mxf", "mxf"),
        ("no_ext", "bin"),
        (".hidden", "bin"),
        ("evil.../..", "bin"),
        ("x.mp4;rm -rf", "bin"),
        ("C:\\cam\\a.MTS", "mts"),
        ("", "bin"),
        ("a.", "bin"),
    ],
)
def test_extension_from_user_filenames(filename: str, ext: str) -> None:
    assert extension_from_filename(filename) == ext


def test_unknown_kinds_and_sync_need_their_own_function() -> None:
    with pytest.raises(InvalidKey, match="unknown object kind"):
        object_key("acme", DAY, "secrets", "A")
    with pytest.raises(InvalidKey, match="sync_artifact_key"):
        object_key("acme", DAY, "sync", "A")
    with pytest.raises(InvalidKey):
        object_key("acme", "2025-03-14", "proxy", "A")  # type: ignore[arg-type]


def test_sync_artifact_keys() -> None:
    assert (
        sync_artifact_key("acme", DAY, "sync-summary")
        == "projects/acme/20250314/sync/sync-summary.json"
    )
    assert (
        sync_artifact_key("acme", DAY, "sync-A.json", version=3)
        == "projects/acme/20250314/sync/sync-A_v003.json"
    )
    for bad in ["", "../x", "a/b", ".json", "a b", "x" * 65, "-x"]:
        with pytest.raises(InvalidKey):
            sync_artifact_key("acme", DAY, bad)


def test_session_prefixes_cover_every_kind() -> None:
    prefixes = session_prefixes("acme", DAY)
    assert prefixes[0] == session_prefix("acme", DAY) == "projects/acme/20250314/"
    for kind in ObjectKind:
        key = (
            sync_artifact_key("acme", DAY, "x")
            if kind is ObjectKind.SYNC
            else object_key(
                "acme",
                DAY,
                kind,
                "A",
                ext="bin",
                part=1 if kind in NUMBERED_KINDS else None,
            )
        )
        assert sum(key.startswith(p) for p in prefixes) == 1, key
        # Only kinds that expire sit under a retention prefix.
        assert key.startswith("expiring/") == (kind in RETENTION_PREFIXES)
        assert f"/{FOLDERS[kind]}/" in key


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/abs",
        "a//b",
        "a/",
        "./a",
        "a/./b",
        "../a",
        "a/../b",
        "a/..",
        ".multicam/meta/x",
        "a\\b",
        "a\x00b",
        "a\nb",
        "a\x7fb",
        "x" * 1025,
        "a/" + "y" * 256,
        "\udcff",
    ],
)
def test_check_key_refuses_unsafe_keys(key: str) -> None:
    with pytest.raises(InvalidKey):
        check_key(key)


@pytest.mark.parametrize("key", ["a", "a/b.c", "projects/a b/ü.mov", "a..b/c", "x" * 255])
def test_check_key_accepts_ordinary_keys(key: str) -> None:
    assert check_key(key) == key


def test_check_prefix() -> None:
    assert check_prefix("projects/acme/") == "projects/acme/"
    assert check_prefix("projects/ac") == "projects/ac"
    for bad in ["", "/", "../", "a//"]:
        with pytest.raises(InvalidKey):
            check_prefix(bad)


BUILT_KINDS = [k for k in ObjectKind if k is not ObjectKind.SYNC]


@pytest.mark.parametrize("kind", BUILT_KINDS)
@pytest.mark.parametrize("project", ["acme", "acme_2025", "a" * 48, "Acme Films", "💥"])
@pytest.mark.parametrize(
    ("camera", "version", "ext"),
    [
        ("A", 1, "mov"),
        ("c", 12, "MP4"),
        (26, 999, ".wav"),
        (999, 7, "r3d"),
    ],
)
def test_parse_reads_back_what_the_builder_wrote(
    kind: ObjectKind,
    project: str,
    camera: str | int,
    version: int,
    ext: str,
) -> None:
    part = 3 if kind in NUMBERED_KINDS else None
    key = object_key(project, DAY, kind, camera, version=version, ext=ext, part=part)
    parts = parse_object_key(key)
    assert parts == ObjectKeyParts(
        project=safe_project_id(project),
        day=DAY,
        kind=kind,
        angle=angle_number(camera),
        version=version,
        ext=ext.removeprefix(".").lower(),
        part=part,
    )
    # The project segment is a project id the builder keeps as it is: the round trip.
    assert (
        object_key(
            parts.project,
            parts.day,
            parts.kind,
            parts.angle,
            version=parts.version,
            ext=parts.ext,
            part=parts.part,
        )
        == key
    )
    assert parts.camera == (
        str(camera).upper()
        if isinstance(camera, str)
        else chr(64 + camera)
        if camera <= 26
        else None
    )


@pytest.mark.parametrize("raw", HOSTILE_PROJECT_IDS)
def test_parse_gives_the_project_segment_for_any_project_id(raw: str) -> None:
    parts = parse_object_key(object_key(raw, dt.date(999, 1, 2), "proxy", "B"))
    assert parts is not None and parts.project == safe_project_id(raw)
    assert (parts.day, parts.kind, parts.angle, parts.version, parts.ext) == (
        dt.date(999, 1, 2),
        ObjectKind.PROXY,
        2,
        1,
        "mp4",
    )


def test_parsed_parts_are_frozen() -> None:
    parts = parse_object_key("projects/acme/20250314/originals/angle-001_v003.mov")
    assert parts is not None
    with pytest.raises(AttributeError):
        parts.version = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    "key",
    [
        "",
        "angle-001_v001.mp4",
        sync_artifact_key("acme", DAY, "sync-A"),
        sync_artifact_key("acme", DAY, "sync-A", version=2),
        "projects/acme/20250314/sync/angle-001_v001.json",  # the sync folder holds no angles
        "projects/acme/20250314/mezzanines/angle-001_v001.mov",  # misses its retention prefix
        "expiring/audio/projects/acme/20250314/proxies/angle-001_v001.mp4",  # not proxies'
        "expiring/mezzanines/projects/acme/20250314/audio/angle-001_v001.wav",  # another kind's
        "projects/acme/20250314/videos/angle-001_v001.mp4",  # no such folder
        "projects/acme/20250314/proxies/angle-000_v001.mp4",
        "projects/acme/20250314/proxies/angle-001_v000.mp4",
        "projects/acme/20250314/proxies/angle-01_v001.mp4",
        "projects/acme/20250314/proxies/angle-0001_v001.mp4",
        "projects/acme/20250314/proxies/angle-001_v001.MP4",
        "projects/acme/20250314/proxies/angle-001_v001",
        "projects/acme/20250314/proxies/angle-001_v001.mp4.part",
        "projects/acme/20250314/proxies/sub/angle-001_v001.mp4",
        "projects/acme/20251314/proxies/angle-001_v001.mp4",  # month 13
        "projects/acme/00000101/proxies/angle-001_v001.mp4",  # year 0
        "projects/acme/2025031/proxies/angle-001_v001.mp4",
        "projects/Acme/20250314/proxies/angle-001_v001.mp4",  # not a project segment
        "projects/ac.me/20250314/proxies/angle-001_v001.mp4",
        "/projects/acme/20250314/proxies/angle-001_v001.mp4",
        "backup/projects/acme/20250314/proxies/angle-001_v001.mp4",
        "projects/acme/20250314/proxies/angle-001_v001.mp4/",
        "file:///srv/media/projects/acme/20250314/proxies/angle-001_v001.mp4",
    ],
)
def test_parse_refuses_foreign_keys(key: str) -> None:
    assert parse_object_key(key) is None


def test_takes_and_the_recorder_have_keys_of_their_own() -> None:
    day = dt.date(2025, 3, 14)
    first = object_key("acme", day, "proxy", "B")
    third = object_key("acme", day, "proxy", "B", take=3)
    rec = object_key("acme", day, "original", "REC", ext="wav", take=2)
    assert first.endswith("/proxies/angle-002_v001.mp4")  # take 1: the layout before takes
    assert third.endswith("/proxies/angle-002_t03_v001.mp4")
    assert rec.endswith("/originals/angle-100_t02_v001.wav")
    parts = parse_object_key(third)
    assert parts is not None and (parts.camera, parts.take, parts.version) == ("B", 3, 1)
    rec_parts = parse_object_key(rec)
    assert rec_parts is not None and (rec_parts.camera, rec_parts.take) == ("REC", 2)
    # One key per file: "_t01" is never written, so it is not one of ours.
    assert parse_object_key(first.replace("angle-002_", "angle-002_t01_")) is None
    assert is_derived_key_of(third, "acme", day, "B", "proxy", take=3)
    assert not is_derived_key_of(third, "acme", day, "B", "proxy")  # another take's file
    assert not is_derived_key_of(first, "acme", day, "B", "proxy", take=3)
    for bad in (0, 100, True):
        with pytest.raises(InvalidKey, match="take"):
            object_key("acme", day, "proxy", "B", take=bad)


def test_review_clips_are_numbered_and_parse_back() -> None:
    key = object_key("acme", DAY, ObjectKind.REVIEW_CLIPS, "B", take=2, part=7)
    assert key == "projects/acme/20250314/review-clips/angle-002_t02_v001_p007.mp4"
    parts = parse_object_key(key)
    assert parts is not None and (parts.kind, parts.take, parts.part) == (
        ObjectKind.REVIEW_CLIPS,
        2,
        7,
    )
    assert is_derived_key_of(key, "acme", DAY, "B", "review-clips", take=2)
    assert not is_derived_key_of(key, "acme", DAY, "B", "review-clips", take=1)
    # Only review clips are numbered, and they always are.
    with pytest.raises(InvalidKey):
        object_key("acme", DAY, ObjectKind.PROXY, "B", part=1)
    with pytest.raises(InvalidKey):
        object_key("acme", DAY, ObjectKind.REVIEW_CLIPS, "B")
    assert parse_object_key("projects/acme/20250314/proxies/angle-002_v001_p001.mp4") is None
    assert parse_object_key("projects/acme/20250314/review-clips/angle-002_v001.mp4") is None
    assert parse_object_key("projects/acme/20250314/review-clips/angle-002_v001_p000.mp4") is None
