"""The top-level MP4/MOV box walk that finds cut files."""

from __future__ import annotations

import struct
from pathlib import Path

from worker.ingest.boxes import check_boxes


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def test_complete_file(tmp_path: Path) -> None:
    path = tmp_path / "a.mp4"
    path.write_bytes(box(b"ftyp", b"isom" * 3) + box(b"mdat", b"x" * 100) + box(b"moov", b""))
    result = check_boxes(path)
    assert result.is_isobmff and result.problem is None
    assert [b.kind for b in result.boxes] == ["ftyp", "mdat", "moov"]


def test_recording_never_finalised(tmp_path: Path) -> None:
    path = tmp_path / "a.mp4"
    path.write_bytes(box(b"ftyp", b"isom") + box(b"mdat", b"x" * 100))
    assert "no 'moov' index box" in (check_boxes(path).problem or "")


def test_cut_mdat_and_64_bit_sizes(tmp_path: Path) -> None:
    path = tmp_path / "a.mp4"
    big = struct.pack(">I4sQ", 1, b"mdat", 5_000_000_000) + b"x" * 100
    path.write_bytes(box(b"ftyp", b"isom") + box(b"moov", b"") + big)
    problem = check_boxes(path).problem or ""
    assert "'mdat' box declares 5.0 GB" in problem


def test_not_isobmff(tmp_path: Path) -> None:
    path = tmp_path / "a.mkv"
    path.write_bytes(b"\x1aE\xdf\xa3" + b"\0" * 100)
    result = check_boxes(path)
    assert not result.is_isobmff and result.problem is None
