"""Top-level ISO BMFF (MP4/MOV) box walk: finds a cut file before any decoding.

A camera or phone file cut short (an interrupted upload, a recording never
finalised) either lost its ``moov`` box (written last by default) or has an
``mdat`` box that declares more bytes than the file holds. Both show in the
top-level box headers, read in microseconds even for an hour of video.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

# First boxes a QuickTime/MP4 file can start with (old QuickTime may skip ftyp).
_LEADING = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"}


@dataclass(frozen=True)
class Box:
    kind: str
    offset: int
    size: int


@dataclass(frozen=True)
class BoxCheck:
    """The result of the walk: ``problem`` is None for a complete file."""

    is_isobmff: bool
    boxes: tuple[Box, ...]
    problem: str | None


def _mb(n: int) -> str:
    """A size for people: 912 bytes, 48.2 kB, 1.3 GB."""
    if n < 1000:
        return f"{n} bytes"
    for unit, scale in (("kB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if n < scale * 1000 or unit == "GB":
            return f"{n / scale:.1f} {unit}"
    raise AssertionError("unreachable")


def check_boxes(path: Path, max_boxes: int = 10_000) -> BoxCheck:
    """Walk the top-level boxes of ``path``; say what is missing or cut, if anything."""
    file_size = path.stat().st_size
    boxes: list[Box] = []
    with path.open("rb") as fh:
        head = fh.read(8)
        if len(head) < 8 or head[4:8] not in _LEADING:
            return BoxCheck(False, (), None)
        offset = 0
        while offset < file_size and len(boxes) < max_boxes:
            fh.seek(offset)
            header = fh.read(16)
            if len(header) < 8:
                return BoxCheck(
                    True, tuple(boxes), f"the file ends inside a box header at {_mb(offset)}"
                )
            size, kind_raw = struct.unpack(">I4s", header[:8])
            kind = kind_raw.decode("latin-1")
            if size == 1:
                if len(header) < 16:
                    return BoxCheck(
                        True, tuple(boxes), f"the file ends inside a box header at {_mb(offset)}"
                    )
                size = struct.unpack(">Q", header[8:16])[0]
            elif size == 0:  # "extends to the end of the file"
                size = file_size - offset
            if size < 8:
                return BoxCheck(
                    True, tuple(boxes), f"invalid box size {size} for '{kind}' at {_mb(offset)}"
                )
            boxes.append(Box(kind, offset, size))
            if offset + size > file_size:
                return BoxCheck(
                    True,
                    tuple(boxes),
                    f"its '{kind}' box declares {_mb(size)} but the file ends "
                    f"{_mb(offset + size - file_size)} short of that",
                )
            offset += size
    kinds = {b.kind for b in boxes}
    if "moov" not in kinds and "moof" not in kinds:
        return BoxCheck(
            True,
            tuple(boxes),
            "it has no 'moov' index box (a recording that was never finalised, "
            "or a file cut before its end)",
        )
    return BoxCheck(True, tuple(boxes), None)
