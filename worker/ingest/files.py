"""Derived files: their kinds, names, checksums, and all-or-nothing staging."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal, get_args

Kind = Literal["audio-wav", "proxy", "waveform", "thumbnail", "mezzanine"]
ALL_KINDS: tuple[Kind, ...] = get_args(Kind)

# kind -> (file name in out_dir, content type, extension)
_LAYOUT: dict[Kind, tuple[str, str, str]] = {
    "audio-wav": ("audio.wav", "audio/wav", "wav"),
    "proxy": ("proxy.mp4", "video/mp4", "mp4"),
    "waveform": ("waveform.json", "application/json", "json"),
    "thumbnail": ("thumbnail.jpg", "image/jpeg", "jpg"),
    "mezzanine": ("mezzanine.mov", "video/quicktime", "mov"),
}
_HASH_CHUNK = 4 << 20


@dataclass(frozen=True)
class DerivedFile:
    """One finished output of an ingest, ready to upload."""

    kind: Kind
    path: Path
    size_bytes: int
    sha256: str
    content_type: str
    extension: str


def file_name(kind: Kind) -> str:
    return _LAYOUT[kind][0]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def describe(kind: Kind, path: Path) -> DerivedFile:
    """Size and checksum of a finished file."""
    _, content_type, ext = _LAYOUT[kind]
    return DerivedFile(
        kind=kind,
        path=path,
        size_bytes=path.stat().st_size,
        sha256=sha256_file(path),
        content_type=content_type,
        extension=ext,
    )


class Staging:
    """Outputs are written in a hidden folder inside ``out_dir`` and moved in only when
    every one is complete; on any failure the folder (and anything moved) goes away.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._tmp: Path | None = None

    def __enter__(self) -> Staging:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._tmp = Path(tempfile.mkdtemp(prefix=".ingest-partial-", dir=self.out_dir))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def path(self, kind: Kind) -> Path:
        """Where ``kind`` is written while in progress."""
        assert self._tmp is not None, "Staging used outside its with block"
        return self._tmp / file_name(kind)

    def commit(self, kinds: Iterable[Kind]) -> list[DerivedFile]:
        """Describe the staged files of ``kinds`` and move them into ``out_dir``."""
        staged = [(kind, self.path(kind)) for kind in kinds]
        for kind, path in staged:
            if not path.is_file():
                raise FileNotFoundError(f"{kind} output was not written")
        described = [describe(kind, path) for kind, path in staged]
        done: list[Path] = []
        try:
            for item in described:
                final = self.out_dir / item.path.name
                os.replace(item.path, final)
                done.append(final)
        except BaseException:
            for final in done:
                final.unlink(missing_ok=True)
            raise
        return [
            DerivedFile(
                kind=d.kind,
                path=self.out_dir / d.path.name,
                size_bytes=d.size_bytes,
                sha256=d.sha256,
                content_type=d.content_type,
                extension=d.extension,
            )
            for d in described
        ]
