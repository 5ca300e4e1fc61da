"""Checksums: SHA-256 (what we record) and MD5 ETags (what S3, R2 and moto compute)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_MD5_HEX = re.compile(r"[0-9a-f]{32}")


def normalise_sha256(value: str) -> str:
    """Lower-case hex SHA-256, or ValueError (a checksum from Strapi or a client is input)."""
    norm = value.strip().lower() if isinstance(value, str) else ""
    if not _SHA256_HEX.fullmatch(norm):
        raise ValueError(f"{value!r} is not a hex SHA-256 digest")
    return norm


def normalise_etag(etag: str | None) -> str | None:
    """ETags arrive quoted ('"abc"'); compare them bare and lower-case."""
    return etag.strip().strip('"').lower() if etag else None


def content_md5(digest: bytes) -> str:
    """The Content-MD5 header value: base64 of the raw MD5."""
    return base64.b64encode(digest).decode("ascii")


def multipart_etag(part_md5s: Sequence[bytes]) -> str:
    """S3's multipart ETag: MD5 of the concatenated raw part MD5s, '-', part count."""
    return f"{hashlib.md5(b''.join(part_md5s)).hexdigest()}-{len(part_md5s)}"


def multipart_etag_from_part_etags(etags: Sequence[str]) -> str | None:
    """The completed object's ETag implied by its parts' ETags (None if one is not an MD5)."""
    digests = []
    for etag in etags:
        bare = normalise_etag(etag) or ""
        if not _MD5_HEX.fullmatch(bare):
            return None
        digests.append(bytes.fromhex(bare))
    return multipart_etag(digests)


def file_sha256(
    path: Path, chunk: int = CHUNK, *, on_read: Callable[[int], None] | None = None
) -> str:
    """SHA-256 of a file, read in chunks (blocking: call through asyncio.to_thread).

    ``on_read`` is called with the size of every chunk read (for a progress bar).
    """
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
            if on_read is not None:
                on_read(len(block))
    return h.hexdigest()


def read_part(fh: BinaryIO, length: int, running: hashlib._Hash) -> tuple[bytes, bytes]:
    """Read one part, feed the whole-file SHA-256, return (bytes, raw MD5) (blocking)."""
    data = fh.read(length)
    running.update(data)
    return data, hashlib.md5(data).digest()
