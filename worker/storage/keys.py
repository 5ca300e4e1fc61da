"""Deterministic object keys, and the rules every key must follow.

Layout (the plan's scheme, see docs/storage.md)::

    projects/{project}/{YYYYMMDD}/{kind plural}/angle-{NNN}[_t{TT}]_v{VVV}.{ext}
    projects/{project}/{YYYYMMDD}/review-clips/angle-{NNN}[_t{TT}]_v{VVV}_p{PPP}.mp4
    projects/{project}/{YYYYMMDD}/sync/{name}.json

A camera's first take has no ``_t`` part (the layout before takes existed); take
2 onwards is ``_t02``…``_t99``. The sound recorder is angle 100. Review clips are the
kind with several files per camera: ``_p001``…``_p999`` numbers them.

``object_key`` builds the first form and ``parse_object_key`` reads it back.
Kinds that expire get a retention prefix in front of that same key
(``expiring/mezzanines/projects/...``), because R2 lifecycle rules can only match
key prefixes (no tags, no wildcards): the prefix is what lets a rule find them.

Everything here is a pure function of its arguments; whatever a user typed,
the result contains only safe characters.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from .errors import InvalidKey

MAX_KEY_BYTES = 1024  # S3's limit
MAX_SEGMENT_BYTES = 255  # a file name on every local filesystem we care about
PROJECT_SLUG_MAX = 48
MAX_VERSION = 999
MAX_ANGLE = 999
MAX_TAKE = 99
MAX_PART = 999
# The sound recorder's label and angle number (cameras are letters: A=1 … Z=26).
RECORDER_LABEL = "REC"
RECORDER_ANGLE = 100


class ObjectKind(StrEnum):
    """What an object is. Values match Strapi's derived-media ``kind`` (plus original, sync)."""

    ORIGINAL = "original"
    PROXY = "proxy"
    MEZZANINE = "mezzanine"
    AUDIO_WAV = "audio-wav"
    WAVEFORM = "waveform"
    THUMBNAIL = "thumbnail"
    REVIEW_CLIPS = "review-clips"  # several files per camera: object_key(part=n)
    SYNC = "sync"  # debug artifacts of a session's sync run; see sync_artifact_key


FOLDERS: Mapping[ObjectKind, str] = MappingProxyType(
    {
        ObjectKind.ORIGINAL: "originals",
        ObjectKind.PROXY: "proxies",
        ObjectKind.MEZZANINE: "mezzanines",
        ObjectKind.AUDIO_WAV: "audio",
        ObjectKind.WAVEFORM: "waveforms",
        ObjectKind.THUMBNAIL: "thumbnails",
        ObjectKind.REVIEW_CLIPS: "review-clips",
        ObjectKind.SYNC: "sync",
    }
)

# Kinds that a lifecycle rule deletes; lifecycle.py checks its policy against this.
RETENTION_PREFIXES: Mapping[ObjectKind, str] = MappingProxyType(
    {
        ObjectKind.MEZZANINE: "expiring/mezzanines/",
        ObjectKind.AUDIO_WAV: "expiring/audio/",
    }
)

DEFAULT_EXTENSIONS: Mapping[ObjectKind, str] = MappingProxyType(
    {
        ObjectKind.PROXY: "mp4",
        ObjectKind.MEZZANINE: "mov",
        ObjectKind.AUDIO_WAV: "wav",
        ObjectKind.WAVEFORM: "json",
        ObjectKind.THUMBNAIL: "jpg",
        ObjectKind.REVIEW_CLIPS: "mp4",
    }
)

# Kinds with several numbered files per camera (``_p001``...).
NUMBERED_KINDS: frozenset[ObjectKind] = frozenset({ObjectKind.REVIEW_CLIPS})

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EXT = re.compile(r"[a-z0-9]{1,10}")
_ARTIFACT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
# What object_key writes; parse_object_key checks the parts against the scheme besides.
_OBJECT_KEY = re.compile(
    r"(?P<retention>expiring/[a-z0-9_-]+/)?projects/(?P<project>[a-z0-9_-]{1,57})/"
    r"(?P<day>[0-9]{8})/(?P<folder>[a-z0-9_-]+)/"
    r"angle-(?P<angle>[0-9]{3})(?:_t(?P<take>[0-9]{2}))?_v(?P<version>[0-9]{3})"
    r"(?:_p(?P<part>[0-9]{3}))?\.(?P<ext>[a-z0-9]{1,10})"
)


def check_key(key: str) -> str:
    """Return ``key`` if it is safe on every backend, else raise InvalidKey.

    Safe: relative, '/'-separated, no empty segment, no segment starting with '.'
    (so no '.', '..' or hidden names; the local backend keeps its own files under
    '.multicam/'), no control characters or backslashes, within S3's 1024 bytes.
    """
    if not isinstance(key, str) or not key:
        raise InvalidKey("an object key must be a non-empty string")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidKey(f"key {key!r} is not valid Unicode") from None
    if size > MAX_KEY_BYTES:
        raise InvalidKey(f"key is {size} bytes; the limit is {MAX_KEY_BYTES}")
    if _CONTROL.search(key) or "\\" in key:
        raise InvalidKey(f"key {key!r} contains a control character or backslash")
    for segment in key.split("/"):
        if not segment:
            raise InvalidKey(f"key {key!r} has an empty segment (leading, trailing or '//')")
        if segment.startswith("."):
            raise InvalidKey(f"key {key!r} has a segment starting with '.'")
        if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            raise InvalidKey(f"key {key!r} has a segment over {MAX_SEGMENT_BYTES} bytes")
    return key


def check_prefix(prefix: str) -> str:
    """A listing/deletion prefix: a safe key, optionally ending in '/'. Never empty."""
    if not prefix:
        raise InvalidKey("an empty prefix would match the whole bucket")
    check_key(prefix.removesuffix("/"))
    return prefix


def safe_project_id(project_id: str) -> str:
    """Project id as a key segment: ``[a-z0-9_-]``, at most 57 characters, never empty.

    An id that is already safe is used as is; any other id is folded to ASCII,
    slugged, and given 8 hex digits of its SHA-256, so that "Acme Films" and
    "acme-films" (or two ids that only differ in punctuation) never share a folder.
    """
    raw = project_id if isinstance(project_id, str) else str(project_id)
    folded = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9_-]+", "-", folded.lower())
    slug = re.sub(r"-{2,}", "-", slug).strip("-_")[:PROJECT_SLUG_MAX].rstrip("-_")
    if slug and slug == raw:
        return slug
    digest = hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug or 'project'}-{digest}"


def angle_number(camera: str | int) -> int:
    """Camera label to angle number: A=1, B=2, … Z=26 (case-insensitive), REC=100;
    ints pass through."""
    if isinstance(camera, bool):
        raise InvalidKey(f"camera {camera!r} is not a label")
    if isinstance(camera, int):
        if not 1 <= camera <= MAX_ANGLE:
            raise InvalidKey(f"angle {camera} is outside 1..{MAX_ANGLE}")
        return camera
    label = str(camera)
    if label.upper() == RECORDER_LABEL:
        return RECORDER_ANGLE
    # isascii first: "ı".upper() is "I" and "ß".upper() is "SS".
    if len(label) != 1 or not (label.isascii() and label.isalpha()):
        raise InvalidKey(f"camera label {camera!r} is not a single letter A-Z")
    return ord(label.upper()) - ord("A") + 1


def day_segment(day: dt.date) -> str:
    """``YYYYMMDD`` of the session's date (a datetime contributes its own date)."""
    if not isinstance(day, dt.date):
        raise InvalidKey(f"session date {day!r} is not a date")
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def normalise_extension(ext: str) -> str:
    """'.MOV' -> 'mov'; anything but 1-10 ASCII letters/digits is refused."""
    norm = ext.strip().removeprefix(".").lower() if isinstance(ext, str) else ""
    if not _EXT.fullmatch(norm):
        raise InvalidKey(f"file extension {ext!r} must be 1-10 letters or digits")
    return norm


def extension_from_filename(filename: str, default: str = "bin") -> str:
    """The safe extension of a user's file name, or ``default`` if it has none we accept."""
    base = re.split(r"[/\\]", filename or "")[-1]
    stem, dot, ext = base.rpartition(".")
    if not dot or not stem:
        return default
    try:
        return normalise_extension(ext)
    except InvalidKey:
        return default


def retention_prefix(kind: ObjectKind | str) -> str:
    """The prefix a lifecycle rule matches for this kind ('' for kinds that are kept)."""
    return RETENTION_PREFIXES.get(ObjectKind(kind), "")


def session_prefix(project_id: str, day: dt.date) -> str:
    """``projects/{project}/{YYYYMMDD}/``: where a session's kept objects live."""
    return f"projects/{safe_project_id(project_id)}/{day_segment(day)}/"


def session_prefixes(project_id: str, day: dt.date) -> tuple[str, ...]:
    """Every prefix under which a session's objects can live (kept and expiring)."""
    base = session_prefix(project_id, day)
    return (base, *(p + base for p in RETENTION_PREFIXES.values()))


def object_key(
    project_id: str,
    day: dt.date,
    kind: ObjectKind | str,
    camera: str | int,
    *,
    version: int = 1,
    ext: str | None = None,
    take: int = 1,
    part: int | None = None,
) -> str:
    """Key of one camera's (take's) original or derived file (``part``: which of several).

    >>> object_key("acme", dt.date(2025, 3, 14), "proxy", "B")
    'projects/acme/20250314/proxies/angle-002_v001.mp4'
    >>> object_key("acme", dt.date(2025, 3, 14), "audio-wav", "A")
    'expiring/audio/projects/acme/20250314/audio/angle-001_v001.wav'
    >>> object_key("acme", dt.date(2025, 3, 14), "proxy", "B", take=3)
    'projects/acme/20250314/proxies/angle-002_t03_v001.mp4'
    >>> object_key("acme", dt.date(2025, 3, 14), "review-clips", "B", part=2)
    'projects/acme/20250314/review-clips/angle-002_v001_p002.mp4'
    """
    try:
        kind = ObjectKind(kind)
    except ValueError:
        raise InvalidKey(f"unknown object kind {kind!r}") from None
    if kind is ObjectKind.SYNC:
        raise InvalidKey("sync artifacts have their own keys: use sync_artifact_key()")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        raise InvalidKey(f"version {version!r} is outside 1..{MAX_VERSION}")
    if ext is None:
        if kind not in DEFAULT_EXTENSIONS:
            raise InvalidKey(f"{kind} needs an explicit extension (see extension_from_filename)")
        ext = DEFAULT_EXTENSIONS[kind]
    if isinstance(take, bool) or not isinstance(take, int) or not 1 <= take <= MAX_TAKE:
        raise InvalidKey(f"take {take!r} is outside 1..{MAX_TAKE}")
    take_part = f"_t{take:02d}" if take > 1 else ""
    if (kind in NUMBERED_KINDS) != (part is not None):
        raise InvalidKey(f"{kind} keys are numbered (part=1..{MAX_PART}) and no others are")
    if part is not None and (isinstance(part, bool) or not 1 <= part <= MAX_PART):
        raise InvalidKey(f"part {part!r} is outside 1..{MAX_PART}")
    part_suffix = f"_p{part:03d}" if part is not None else ""
    name = (
        f"angle-{angle_number(camera):03d}{take_part}_v{version:03d}{part_suffix}"
        f".{normalise_extension(ext)}"
    )
    key = f"{retention_prefix(kind)}{session_prefix(project_id, day)}{FOLDERS[kind]}/{name}"
    return check_key(key)


def sync_artifact_key(
    project_id: str,
    day: dt.date,
    name: str,
    *,
    version: int | None = None,
) -> str:
    """Key of a sync debug artifact: ``projects/{project}/{YYYYMMDD}/sync/{name}[_vNNN].json``.

    ``name`` comes from the engine (``sync-A``, ``sync-summary``), not from users,
    so it is checked rather than rewritten; a ``.json`` suffix is accepted and dropped.
    """
    stem = name.removesuffix(".json") if isinstance(name, str) else ""
    if not _ARTIFACT_NAME.fullmatch(stem):
        raise InvalidKey(f"artifact name {name!r} must be 1-64 of [A-Za-z0-9_-]")
    if version is not None:
        if isinstance(version, bool) or not 1 <= version <= MAX_VERSION:
            raise InvalidKey(f"version {version!r} is outside 1..{MAX_VERSION}")
        stem = f"{stem}_v{version:03d}"
    folder = FOLDERS[ObjectKind.SYNC]
    return check_key(f"{session_prefix(project_id, day)}{folder}/{stem}.json")


@dataclass(frozen=True)
class ObjectKeyParts:
    """What ``object_key`` put into a key.

    ``project`` is the project's key segment (``safe_project_id`` of the id, which
    is the id itself for ids that are already safe), ``angle`` the camera's angle
    number (1 is camera A, see ``angle_number``), ``take`` the camera's take (1 when
    the key has no ``_t`` part).
    """

    project: str
    day: dt.date
    kind: ObjectKind
    angle: int
    version: int
    ext: str
    take: int = 1
    part: int | None = None  # numbered kinds only (NUMBERED_KINDS)

    @property
    def camera(self) -> str | None:
        """The camera label ('A' for angle 1, 'REC' for 100), or None for other angles."""
        if self.angle == RECORDER_ANGLE:
            return RECORDER_LABEL
        return chr(ord("A") + self.angle - 1) if self.angle <= 26 else None


_KINDS_BY_FOLDER: Mapping[str, ObjectKind] = MappingProxyType(
    {folder: kind for kind, folder in FOLDERS.items() if kind is not ObjectKind.SYNC}
)


def parse_object_key(key: str) -> ObjectKeyParts | None:
    """The parts of a key ``object_key`` builds; None for any other key.

    >>> parts = parse_object_key("projects/acme/20250314/proxies/angle-002_v001.mp4")
    >>> parts.project, parts.day, parts.kind, parts.camera, parts.version, parts.ext
    ('acme', datetime.date(2025, 3, 14), <ObjectKind.PROXY: 'proxy'>, 'B', 1, 'mp4')

    Sync artifacts (``sync_artifact_key``), keys of another layout, and keys whose
    retention prefix does not belong to their kind are foreign: None.
    """
    match = _OBJECT_KEY.fullmatch(key) if isinstance(key, str) else None
    if match is None:
        return None
    kind = _KINDS_BY_FOLDER.get(match["folder"])
    if kind is None or (match["retention"] or "") != retention_prefix(kind):
        return None
    angle, version, day = int(match["angle"]), int(match["version"]), match["day"]
    take = int(match["take"]) if match["take"] is not None else 1
    # "_t01" is never written (take 1 has no take part): one key per file.
    take_ok = match["take"] is None or 2 <= take <= MAX_TAKE
    part = int(match["part"]) if match["part"] is not None else None
    # Numbered kinds count from 1; no other kind has a number.
    part_ok = (part is not None and part >= 1) if kind in NUMBERED_KINDS else part is None
    if not (1 <= angle <= MAX_ANGLE and 1 <= version <= MAX_VERSION and take_ok and part_ok):
        return None
    try:
        date = dt.date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        return None
    return ObjectKeyParts(
        project=match["project"],
        day=date,
        kind=kind,
        angle=angle,
        version=version,
        ext=match["ext"],
        take=take,
        part=part,
    )


def is_derived_key_of(
    key: str,
    project_id: str,
    day: dt.date,
    camera: str | int,
    kind: ObjectKind | str,
    take: int = 1,
) -> bool:
    """True when ``key`` is where ``object_key`` puts this camera's (take's) ``kind`` file
    of this session (any version and extension), and ``kind`` is a derived kind.

    A derived-media entry's key is text in Strapi: before the worker deletes the object
    or signs a link to it, the key must name the entry's own file, never an original
    (those are the studio's only copy) or another session's object.
    """
    parts = parse_object_key(key)
    try:
        wanted, angle = ObjectKind(kind), angle_number(camera)
    except (ValueError, InvalidKey):
        return False
    return (
        parts is not None
        and wanted not in (ObjectKind.ORIGINAL, ObjectKind.SYNC)
        and parts.kind is wanted
        and parts.project == safe_project_id(project_id)
        and parts.day == day
        and parts.angle == angle
        and parts.take == take
    )


def is_sync_artifact_key_of(key: str, project_id: str, day: dt.date) -> bool:
    """True when ``key`` is one of this session's sync artifacts (``sync_artifact_key``)."""
    prefix = f"{session_prefix(project_id, day)}{FOLDERS[ObjectKind.SYNC]}/"
    rest = key.removeprefix(prefix) if isinstance(key, str) else ""
    return (
        rest != key
        and rest.endswith(".json")
        and _ARTIFACT_NAME.fullmatch(rest.removesuffix(".json")) is not None
    )
