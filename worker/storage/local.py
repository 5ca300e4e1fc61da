"""Local-folder backend: the embedded default, and the shape of the data on a laptop.

Objects are plain files under the root; their SHA-256 and content type sit in
``.multicam/meta/{key}.json`` (the S3 backend keeps them in object metadata).
Writes go to ``.multicam/tmp/`` and are renamed into place, so a key never shows
a half-written file. Symlinks anywhere under the root are refused, so nothing
can lead a key or URL outside it.

Not a ``DirectUploadStore``: clients cannot reach a folder, so there are no presigned
URLs or multipart uploads (``direct_uploads`` says so, naming the operation).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from .base import (
    DEFAULT_CONTENT_TYPE,
    NEEDS_S3,
    MultipartUpload,
    ObjectInfo,
    ObjectStore,
    StoredObject,
    check_content_type,
    check_range,
)
from .errors import (
    ChecksumMismatch,
    ForeignUrlError,
    InvalidKey,
    ObjectNotFound,
    StorageError,
    UnsupportedOperation,
)
from .hashing import CHUNK, normalise_sha256
from .keys import check_key, check_prefix
from .urls import file_url, key_from_file_url

INTERNAL_DIR = ".multicam"


def _copy_synced(source: BinaryIO, path: Path) -> tuple[str, int]:
    """Copy ``source`` to ``path`` durably; returns its SHA-256 and size."""
    h = hashlib.sha256()
    size = 0
    with path.open("wb") as out:
        while chunk := source.read(CHUNK):
            h.update(chunk)
            out.write(chunk)
            size += len(chunk)
        out.flush()
        os.fsync(out.fileno())
    return h.hexdigest(), size


@contextlib.contextmanager
def _os_errors(key: str) -> Iterator[None]:
    try:
        yield
    except OSError as exc:
        raise StorageError(f"local storage failed for {key!r}: {exc}") from exc


class LocalObjectStore(ObjectStore):
    """Objects as files under one folder."""

    backend = "local"

    def __init__(self, root: Path) -> None:
        root = Path(root).expanduser()
        root.mkdir(parents=True, exist_ok=True)
        self._root = root.resolve()
        self._meta = self._root / INTERNAL_DIR / "meta"
        self._tmp = self._root / INTERNAL_DIR / "tmp"
        self._meta.mkdir(parents=True, exist_ok=True)
        self._tmp.mkdir(parents=True, exist_ok=True)

    @property
    def root(self) -> Path:
        return self._root

    def _path(self, key: str) -> Path:
        path = self._root / check_key(key)
        if path.resolve() != path:
            raise InvalidKey(f"{key!r} passes through a symlink; the local store refuses links")
        return path

    def _meta_path(self, key: str) -> Path:
        return self._meta / f"{key}.json"

    def _read_meta(self, key: str) -> dict[str, Any]:
        try:
            data = json.loads(self._meta_path(key).read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _write_meta(self, key: str, meta: dict[str, Any]) -> None:
        path = self._meta_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._tmp / f"{uuid.uuid4().hex}.json"
        tmp.write_text(json.dumps(meta))
        os.replace(tmp, path)

    def _prune(self, start: Path, stop: Path) -> None:
        """Remove now-empty folders from ``start`` up to (not including) ``stop``."""
        while start != stop and start.is_relative_to(stop):
            try:
                start.rmdir()
            except OSError:
                return
            start = start.parent

    # -- writing ---------------------------------------------------------------

    def _store(
        self, key: str, source: BinaryIO, content_type: str, sha256: str | None
    ) -> StoredObject:
        dest = self._path(key)
        tmp = self._tmp / uuid.uuid4().hex
        try:
            digest, size = _copy_synced(source, tmp)
            if sha256 is not None and normalise_sha256(sha256) != digest:
                raise ChecksumMismatch(key, "sha256 of the local file", sha256, digest)
            stored = tmp.stat().st_size
            if stored != size:
                raise ChecksumMismatch(key, "stored size", size, stored)
            dest.parent.mkdir(parents=True, exist_ok=True)
            self._write_meta(key, {"sha256": digest, "content_type": content_type, "size": size})
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        return StoredObject(
            key=key, url=self.url_for(key), size=size, sha256=digest, content_type=content_type
        )

    def _put_file(
        self, key: str, path: Path, content_type: str, sha256: str | None
    ) -> StoredObject:
        with path.open("rb") as source, _os_errors(key):  # a missing source is the caller's
            return self._store(key, source, content_type, sha256)

    async def put_file(
        self,
        key: str,
        path: Path,
        content_type: str,
        *,
        sha256: str | None = None,
    ) -> StoredObject:
        check_content_type(content_type)
        self._path(key)
        return await asyncio.to_thread(self._put_file, key, Path(path), content_type, sha256)

    def _put_bytes(self, key: str, data: bytes, content_type: str) -> StoredObject:
        with _os_errors(key):
            return self._store(key, io.BytesIO(data), content_type, None)

    async def put_bytes(self, key: str, data: bytes, content_type: str) -> StoredObject:
        check_content_type(content_type)
        self._path(key)
        return await asyncio.to_thread(self._put_bytes, key, bytes(data), content_type)

    # -- reading ---------------------------------------------------------------

    def _open(self, key: str) -> tuple[BinaryIO, int, dict[str, Any]]:
        path = self._path(key)
        try:
            fh = path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(key) from None
        except OSError as exc:
            raise StorageError(f"local storage failed for {key!r}: {exc}") from exc
        return fh, os.fstat(fh.fileno()).st_size, self._read_meta(key)

    @staticmethod
    def _wanted(key: str, expected: str | None, meta: dict[str, Any]) -> str | None:
        recorded = meta.get("sha256")
        if expected is not None:
            expected = normalise_sha256(expected)
            if recorded and recorded != expected:
                raise ChecksumMismatch(key, "sha256 recorded on the object", expected, recorded)
            return expected
        return str(recorded) if recorded else None

    def _get_file(self, key: str, dest: Path, expected: str | None) -> StoredObject:
        fh, length, meta = self._open(key)
        with fh, _os_errors(key):
            wanted = self._wanted(key, expected, meta)
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.{uuid.uuid4().hex[:12]}.part")
            try:
                digest, size = _copy_synced(fh, tmp)
                if size != length:
                    raise ChecksumMismatch(key, "read size", length, size)
                if wanted is not None and digest != wanted:
                    raise ChecksumMismatch(key, "sha256 of the read bytes", wanted, digest)
                os.replace(tmp, dest)
            finally:
                tmp.unlink(missing_ok=True)
        return StoredObject(
            key=key,
            url=self.url_for(key),
            size=size,
            sha256=digest,
            content_type=str(meta.get("content_type") or DEFAULT_CONTENT_TYPE),
        )

    async def get_file(
        self,
        key: str,
        dest: Path,
        *,
        expected_sha256: str | None = None,
    ) -> StoredObject:
        return await asyncio.to_thread(self._get_file, key, Path(dest), expected_sha256)

    def _get_bytes(self, key: str, expected: str | None, max_size: int) -> bytes:
        fh, length, meta = self._open(key)
        with fh, _os_errors(key):
            wanted = self._wanted(key, expected, meta)
            if length > max_size:
                raise StorageError(f"{key!r} is {length} bytes, over the {max_size} asked for")
            data = fh.read(max_size + 1)
        digest = hashlib.sha256(data).hexdigest()
        if len(data) != length:
            raise ChecksumMismatch(key, "read size", length, len(data))
        if wanted is not None and digest != wanted:
            raise ChecksumMismatch(key, "sha256 of the read bytes", wanted, digest)
        return data

    async def get_bytes(
        self,
        key: str,
        *,
        expected_sha256: str | None = None,
        max_size: int = 64 * 1024**2,
    ) -> bytes:
        return await asyncio.to_thread(self._get_bytes, key, expected_sha256, max_size)

    def _read_range(self, key: str, start: int, length: int) -> bytes:
        fh, _size, _meta = self._open(key)
        with fh, _os_errors(key):
            fh.seek(start)
            return fh.read(length)

    async def read_range(self, key: str, start: int, length: int) -> bytes:
        check_range(start, length)
        return await asyncio.to_thread(self._read_range, key, start, length)

    def _info(self, key: str, path: Path, with_meta: bool) -> ObjectInfo:
        st = path.stat()
        meta = self._read_meta(key) if with_meta else {}
        return ObjectInfo(
            key=key,
            size=st.st_size,
            last_modified=dt.datetime.fromtimestamp(st.st_mtime, dt.UTC),
            content_type=meta.get("content_type"),
            sha256=meta.get("sha256"),
        )

    def _head(self, key: str) -> ObjectInfo | None:
        path = self._path(key)
        with _os_errors(key):
            if not path.is_file():
                return None
            return self._info(key, path, with_meta=True)

    async def head(self, key: str) -> ObjectInfo | None:
        return await asyncio.to_thread(self._head, key)

    def _delete(self, key: str) -> None:
        path = self._path(key)
        with _os_errors(key):
            if path.is_dir():  # a folder is not an object: nothing to delete
                return
            path.unlink(missing_ok=True)
            self._meta_path(key).unlink(missing_ok=True)
            self._prune(path.parent, self._root)
            self._prune(self._meta_path(key).parent, self._meta)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._delete, key)

    async def delete_prefix(self, prefix: str) -> int:
        check_prefix(prefix)
        keys = [info.key async for info in self.list_objects(prefix)]
        for key in keys:
            await self.delete(key)
        return len(keys)

    def _list(self, prefix: str) -> list[ObjectInfo]:
        folder = prefix.rpartition("/")[0]
        start = self._root / folder if folder else self._root
        if not start.is_dir() or start.resolve() != start:
            return []
        found: list[ObjectInfo] = []
        for dirpath, dirnames, filenames in os.walk(start):  # never follows symlinks
            # Dot-folders hold no keys (check_key refuses them); this skips .multicam/.
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                path = Path(dirpath) / name
                key = path.relative_to(self._root).as_posix()
                if not key.startswith(prefix) or path.is_symlink() or not path.is_file():
                    continue
                try:
                    check_key(key)
                except InvalidKey:
                    continue
                found.append(self._info(key, path, with_meta=False))
        # S3 lists in UTF-8 byte order; match it.
        return sorted(found, key=lambda info: info.key.encode())

    async def list_objects(self, prefix: str = "") -> AsyncIterator[ObjectInfo]:
        if prefix:
            check_prefix(prefix)
        with _os_errors(prefix):
            infos = await asyncio.to_thread(self._list, prefix)
        for info in infos:
            yield info

    # -- URLs ------------------------------------------------------------------

    def url_for(self, key: str) -> str:
        return file_url(PurePosixPath(self._root), key)

    def key_from_url(self, url: str) -> str:
        key = key_from_file_url(url, PurePosixPath(self._root))
        try:
            self._path(key)
        except InvalidKey as exc:
            raise ForeignUrlError(url, str(exc)) from None
        return key

    # -- uploads: no presigning or multipart here (not a DirectUploadStore) ---

    async def list_multipart_uploads(self, prefix: str = "") -> list[MultipartUpload]:
        return []  # there are never any, so callers sweeping for stale uploads just work

    # -- lifecycle -------------------------------------------------------------

    async def get_lifecycle_rules(self) -> list[dict[str, Any]]:
        raise UnsupportedOperation(
            "the local backend has no lifecycle rules; `multicam storage sweep-expired` "
            "applies the same policy by deleting expired files"
        )

    async def put_lifecycle_rules(self, rules: Sequence[dict[str, Any]]) -> None:
        await self.get_lifecycle_rules()

    # -- CORS: browsers upload to a bucket, never to this folder ---------------

    async def get_cors_rules(self) -> list[dict[str, Any]]:
        raise UnsupportedOperation(NEEDS_S3.format("bucket CORS (browser uploads)"))

    async def put_cors_rules(self, rules: Sequence[dict[str, Any]]) -> None:
        await self.get_cors_rules()

    async def ping(self) -> None:
        if not self._root.is_dir() or not os.access(self._root, os.W_OK):
            raise StorageError(f"storage folder {str(self._root)!r} is missing or read-only")
