"""The timeline in the editors' formats, written by the OpenTimelineIO adapters.

``otio`` (OpenTimelineIO JSON: Resolve, and everything through OTIO), ``fcpxml``
(Final Cut Pro X, Resolve), ``xml`` (Final Cut 7 XML: Premiere, Resolve), ``edl``
(CMX 3600: one video track per list, so one EDL per camera, zipped) and ``mlt``
(MLT XML: melt, Shotcut). No XML is written by hand here.
"""

from __future__ import annotations

import contextlib
import copy
import io
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urlparse

import opentimelineio as otio

from worker.errors import NotWritable, UnknownFormat


class TimelineFormat(StrEnum):
    OTIO = "otio"
    FCPXML = "fcpxml"
    XML = "xml"
    EDL = "edl"
    MLT = "mlt"


@dataclass(frozen=True)
class FormatInfo:
    adapter: str
    suffix: str  # of the file handed out (the EDLs come zipped)
    media_type: str


FORMATS: dict[TimelineFormat, FormatInfo] = {
    TimelineFormat.OTIO: FormatInfo("otio_json", ".otio", "application/json"),
    TimelineFormat.FCPXML: FormatInfo("fcpx_xml", ".fcpxml", "application/xml"),
    TimelineFormat.XML: FormatInfo("fcp_xml", ".xml", "application/xml"),
    TimelineFormat.EDL: FormatInfo("cmx_3600", ".zip", "application/zip"),
    TimelineFormat.MLT: FormatInfo("mlt_xml", ".mlt", "application/xml"),
}


# The FCPXML adapter looks a rate up in a table keyed by 23.98, 29.97, 59.94 (and whole
# rates), so the exact NTSC rates the builder uses would miss; their entries are the same.
_NTSC_KEYS = {24000 / 1001: 23.98, 30000 / 1001: 29.97, 60000 / 1001: 59.94}


def _fcpxml_rates(rate: float) -> None:
    table: dict[float, str] = otio.adapters.from_name("fcpx_xml").module().FRAMERATE_FRAMEDURATION
    for exact, key in _NTSC_KEYS.items():
        if key in table:
            table.setdefault(exact, table[key])
    if rate not in table:
        known = ", ".join(f"{r:g}" for r in sorted(set(table) - set(_NTSC_KEYS)))
        raise NotWritable(
            f"FCPXML cannot carry a {rate:g} fps session through the "
            f"adapter (it knows {known} fps): use otio or xml"
        )


def format_of_path(path: Path) -> TimelineFormat:
    """The format a file name asks for: by its extension (``.edl`` and ``.zip``: EDLs)."""
    suffix = path.suffix.lower()
    if suffix == ".edl":
        return TimelineFormat.EDL
    for fmt, info in FORMATS.items():
        if info.suffix == suffix:
            return fmt
    known = ", ".join(sorted({i.suffix for i in FORMATS.values()} | {".edl"}))
    raise UnknownFormat(
        f"{path.name}: unknown timeline format {suffix or '(none)'}; use one of {known}"
    )


def _quietly(adapter: str, timeline: otio.schema.Timeline, **options: str) -> str:
    # Some adapters print warnings on stdout, which is the CLI's --json output.
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return str(otio.adapters.write_to_string(timeline, adapter_name=adapter, **options))
    except (ValueError, otio.exceptions.OTIOError) as exc:
        # e.g. SMPTE timecode (EDL, FCP 7 XML) has no 10 fps: say so, not a traceback.
        rate = timeline.global_start_time.rate
        raise NotWritable(
            f"the {adapter} adapter cannot write this {rate:g} fps timeline ({exc}): use otio"
        ) from exc


def camera_timelines(timeline: otio.schema.Timeline) -> dict[str, otio.schema.Timeline]:
    """One timeline per camera (its video and audio tracks) for the one-video-track
    formats, keyed ``B`` (``B-2`` for an extra lane of overlapping takes). Tracks with no
    picture beside them (a sound recorder's) get none: CMX 3600 lists picture events."""
    groups: dict[str, list[otio.schema.Track]] = {}
    for track in timeline.tracks:
        label, _, rest = track.name.partition("-")
        lane = rest.partition("-")[2]
        groups.setdefault(f"{label}-{lane}" if lane else label, []).append(track)
    out: dict[str, otio.schema.Timeline] = {}
    for key, tracks in groups.items():
        if not any(t.kind == otio.schema.TrackKind.Video for t in tracks):
            continue
        own = out[key] = otio.schema.Timeline(
            name=f"{timeline.name} {key}",
            global_start_time=timeline.global_start_time,
            metadata=copy.deepcopy(dict(timeline.metadata)),
        )
        for marker in timeline.tracks.markers:
            own.tracks.markers.append(copy.deepcopy(marker))
        for track in tracks:
            own.tracks.append(copy.deepcopy(track))
    return out


def _file_paths(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """A copy whose file:// references are plain paths: MLT hands its resources to
    FFmpeg, which reads file:// without undoing the URL's %-escapes (a space is %20)."""
    out = copy.deepcopy(timeline)
    for clip in out.find_clips():
        ref = clip.media_reference
        if isinstance(ref, otio.schema.ExternalReference) and ref.target_url.startswith("file://"):
            ref.target_url = unquote(urlparse(ref.target_url).path)
    return out


def write_timeline(timeline: otio.schema.Timeline, fmt: TimelineFormat) -> bytes:
    """The file's bytes in ``fmt``."""
    info = FORMATS[fmt]
    if fmt is TimelineFormat.FCPXML:
        _fcpxml_rates(timeline.global_start_time.rate)
    if fmt is TimelineFormat.MLT:
        # MLT has no title: the profile's description carries the name ("DRAFT ...").
        return _quietly(info.adapter, _file_paths(timeline), description=timeline.name).encode()
    if fmt is not TimelineFormat.EDL:
        return _quietly(info.adapter, timeline).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for label, own in camera_timelines(timeline).items():
            archive.writestr(f"camera-{label}.edl", _quietly(info.adapter, own))
    return buffer.getvalue()


def read_timelines(
    data: bytes, fmt: TimelineFormat, rate: float
) -> dict[str, otio.schema.Timeline]:
    """Read back what ``write_timeline`` wrote (per camera for EDL, else under "").

    An EDL does not say its frame rate: ``rate`` is the session's.
    """
    info = FORMATS[fmt]
    if fmt is not TimelineFormat.EDL:
        return {"": otio.adapters.read_from_string(data.decode(), adapter_name=info.adapter)}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removeprefix("camera-").removesuffix(".edl"): otio.adapters.read_from_string(
                archive.read(name).decode(), adapter_name=info.adapter, rate=rate
            )
            for name in archive.namelist()
        }
