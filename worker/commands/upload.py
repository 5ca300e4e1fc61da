"""``multicam upload``: send one camera's original to a session through the /v2 API.

    multicam upload --session <documentId> --camera A camA.mp4

The file goes straight to storage with presigned URLs (one PUT, or S3 multipart
for large files, several parts at once). Checksums: the file's SHA-256 is
declared up front and recorded on the object (ingestion verifies the bytes
against it); every part's ETag is checked against its MD5 as it lands; the
assembled object's ETag and size are checked at the end. Run the same command
again after an interruption: it resumes, re-checking the parts already stored.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mimetypes
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from strapi_client.enums import CameraLabel
from worker.errors import UploadFailed
from worker.progress import ProgressBar
from worker.settings import Settings
from worker.storage.hashing import CHUNK, file_sha256, multipart_etag, normalise_etag

# Completing a multipart upload joins its parts in the store: S3 documents that this
# can take minutes for a large object, and the API answers only when it is done.
COMPLETE_TIMEOUT_S = 900.0

HELP = """\
Upload one camera's recording to a recording session: presigned multipart upload
straight to storage, with a progress bar on stderr, checksum verification and
resume (run the same command again after an interruption). Prints the API's
answer (asset, storage key, state) as JSON on stdout.

The API base URL and bearer token come from --api-url/--token or the
MULTICAM_API_URL / MULTICAM_API_TOKEN environment variables.
"""
URL_BATCH = 100  # part URLs asked for at once (they expire, so not all up front)
PART_ATTEMPTS = 4


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "upload",
        help="upload a camera's original to a session",
        description=HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--session", required=True, help="the recording session's documentId")
    p.add_argument(
        "--camera", required=True, choices=[c.value for c in CameraLabel], help="camera label"
    )
    p.add_argument("file", type=Path, help="the recording to upload")
    p.add_argument("--api-url", help="API base URL (default MULTICAM_API_URL)")
    p.add_argument("--token", help="API bearer token (default MULTICAM_API_TOKEN)")
    p.add_argument("--content-type", help="MIME type (default: guessed from the name)")
    p.add_argument(
        "--restart",
        action="store_true",
        help="discard an unfinished upload of this camera and start over",
    )
    p.add_argument("--jobs", type=int, default=4, help="parts sent at once (default 4)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run_upload)


def _cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "multicam" / "upload-sha256.json"


def cached_file_sha256(path: Path, progress: Callable[[float], None]) -> str:
    """SHA-256 of the file, cached by path, size and mtime so a resume does not re-read it."""
    stat = path.stat()
    ident = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    cache_path = _cache_file()
    try:
        cache: dict[str, str] = json.loads(cache_path.read_text())
    except (OSError, ValueError):
        cache = {}
    if isinstance(cache.get(ident), str):
        progress(1.0)
        return cache[ident]
    done = 0

    def read(nbytes: int) -> None:
        nonlocal done
        done += nbytes
        progress(done / max(1, stat.st_size))

    value = file_sha256(path, on_read=read)
    cache[ident] = value
    try:
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        cache_path.write_text(json.dumps(dict(list(cache.items())[-200:])))
    except OSError:
        pass  # the cache only saves time
    progress(1.0)
    return value


def _read(path: Path, offset: int, length: int) -> bytes:
    with path.open("rb") as fh:
        fh.seek(offset)
        data = fh.read(length)
    if len(data) != length:
        raise UploadFailed(f"{path} changed while uploading (short read at byte {offset})")
    return data


def _file_md5(path: Path) -> str:
    md5 = hashlib.md5()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            md5.update(block)
    return md5.hexdigest()


class Uploader:
    """One file to one camera of one session, through the API client ``api``."""

    def __init__(
        self, api: httpx.Client, storage: httpx.Client, bar: ProgressBar, jobs: int = 4
    ) -> None:
        self._api = api
        self._storage = storage
        self._bar = bar
        self._jobs = max(1, jobs)
        self._lock = threading.Lock()
        self._sent = 0
        self._size = 1

    # -- API -----------------------------------------------------------------

    def _call(
        self,
        path: str,
        body: dict[str, Any],
        timeout: float | httpx._client.UseClientDefault = httpx.USE_CLIENT_DEFAULT,
    ) -> dict[str, Any]:
        try:
            response = self._api.post(path, json=body, timeout=timeout)
        except httpx.HTTPError as exc:
            raise UploadFailed(f"API unreachable ({exc})") from exc
        if response.is_success:
            data: dict[str, Any] = response.json()
            return data
        try:
            error = response.json()["error"]
            detail = f"{error['code']}: {error['message']}"
        except (ValueError, KeyError, TypeError):
            detail = response.text[:300]
        raise UploadFailed(f"API answered {response.status_code} to {path}: {detail}")

    # -- progress ------------------------------------------------------------

    def _advance(self, nbytes: int) -> None:
        with self._lock:
            self._sent += nbytes
            self._bar.update("upload", self._sent / self._size)

    # -- the upload ----------------------------------------------------------

    def run(
        self, session: str, camera: str, path: Path, content_type: str, resume: bool = True
    ) -> dict[str, Any]:
        self._size = max(1, path.stat().st_size)
        sha256 = cached_file_sha256(path, lambda f: self._bar.update("sha256", f))
        ticket = self._call(
            f"/v2/sessions/{session}/assets/init-upload",
            {
                "cameraLabel": camera,
                "filename": path.name,
                "contentType": content_type,
                "sizeBytes": path.stat().st_size,
                "sha256": sha256,
                "resume": resume,
            },
        )
        if ticket["mode"] == "single":
            expected = self._put_single(path, ticket)
            parts: list[dict[str, Any]] = []
        else:
            parts, expected = self._put_parts(session, path, ticket)
        done = self._call(
            ticket["completePath"],
            {"uploadId": ticket["uploadId"], "parts": parts},
            timeout=COMPLETE_TIMEOUT_S,
        )
        if done.get("sizeBytes") != path.stat().st_size:
            raise UploadFailed(
                f"storage holds {done.get('sizeBytes')} bytes, the file has {path.stat().st_size}"
            )
        if normalise_etag(done.get("etag")) not in (None, expected):
            raise UploadFailed(
                f"checksum mismatch: storage ETag {done['etag']}, expected {expected}"
            )
        self._bar.update("upload", 1.0)
        return done

    def _send_file(
        self, url: str, headers: dict[str, str], path: Path
    ) -> tuple[httpx.Response, str, int]:
        """One PUT of the whole file: the response, the MD5 and the bytes sent."""
        md5 = hashlib.md5()
        sent = 0

        def body() -> Iterator[bytes]:
            nonlocal sent
            with path.open("rb") as fh:
                while block := fh.read(CHUNK):
                    md5.update(block)
                    sent += len(block)
                    self._advance(len(block))
                    yield block

        try:
            response = self._storage.request("PUT", url, headers=headers, content=body())
        except httpx.TransportError:
            self._advance(-sent)  # they are sent again
            raise
        return response, md5.hexdigest(), sent

    def _put_single(self, path: Path, ticket: dict[str, Any]) -> str:
        """PUT the whole file to the ticket's URL; returns its MD5 (the single-PUT ETag)."""
        size = path.stat().st_size
        url = ticket["url"]
        headers = {**url["headers"], "Content-Length": str(size)}
        for attempt in range(1, PART_ATTEMPTS + 1):
            try:
                response, md5, sent = self._send_file(url["url"], headers, path)
            except httpx.TransportError as exc:
                if attempt == PART_ATTEMPTS:
                    raise UploadFailed(f"storage unreachable: {exc}") from exc
                continue
            if response.status_code == 412 and (attempt > 1 or ticket.get("resumed")):
                # The URL only creates its object (If-None-Match: *): an earlier attempt,
                # or run, left the bytes there, and complete checks they are this file.
                self._advance(size - sent)
                return _file_md5(path)
            if not response.is_success:
                raise UploadFailed(
                    f"storage refused the upload: HTTP {response.status_code} {response.text[:300]}"
                )
            if normalise_etag(response.headers.get("etag")) not in (None, "", md5):
                raise UploadFailed("checksum mismatch: storage received other bytes than sent")
            return md5
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _verified(self, path: Path, ticket: dict[str, Any]) -> dict[int, tuple[str, bytes]]:
        """Parts storage already holds whose ETag matches the local bytes (resume)."""
        good: dict[int, tuple[str, bytes]] = {}
        part_size = int(ticket["partSizeBytes"])
        for part in ticket.get("uploadedParts", []):
            number = int(part["partNumber"])
            offset = (number - 1) * part_size
            length = min(part_size, int(ticket["sizeBytes"]) - offset)
            digest = hashlib.md5(_read(path, offset, length)).digest()
            if normalise_etag(part["etag"]) == digest.hex():
                good[number] = (part["etag"], digest)
                self._advance(length)
        if ticket.get("resumed"):
            print(
                f"multicam upload: resuming: {len(good)} of {ticket['partCount']} parts "
                "already in storage (checked)",
                file=sys.stderr,
            )
        return good

    def _put_parts(
        self, session: str, path: Path, ticket: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], str]:
        part_size, count = int(ticket["partSizeBytes"]), int(ticket["partCount"])
        size = int(ticket["sizeBytes"])
        done = self._verified(path, ticket)
        urls = {int(p["partNumber"]): p["url"] for p in ticket["parts"]}
        missing = [n for n in range(1, count + 1) if n not in done]
        parts_path = f"/v2/sessions/{session}/assets/{ticket['assetId']}/part-urls"

        def fresh_urls(numbers: list[int]) -> None:
            answer = self._call(
                parts_path, {"uploadId": ticket["uploadId"], "partNumbers": numbers}
            )
            urls.update({int(p["partNumber"]): p["url"] for p in answer["parts"]})

        def send(number: int) -> tuple[int, str, bytes]:
            offset = (number - 1) * part_size
            data = _read(path, offset, min(part_size, size - offset))
            digest = hashlib.md5(data).digest()
            for attempt in range(1, PART_ATTEMPTS + 1):
                try:
                    response = self._storage.put(urls[number], content=data)
                except httpx.TransportError as exc:
                    if attempt == PART_ATTEMPTS:
                        raise UploadFailed(f"part {number}: {exc}") from exc
                    continue
                if response.status_code == 403 and attempt < PART_ATTEMPTS:
                    fresh_urls([number])  # the URL expired: ask for a new one
                    continue
                if (
                    response.is_success
                    and normalise_etag(response.headers.get("etag")) == digest.hex()
                ):
                    self._advance(len(data))
                    return number, response.headers["etag"], digest
                if response.is_success:
                    continue  # storage got other bytes than sent: send the part again
                if attempt == PART_ATTEMPTS or response.status_code < 500:
                    raise UploadFailed(
                        f"part {number}: HTTP {response.status_code} {response.text[:300]}"
                    )
            raise UploadFailed(f"part {number}: checksum mismatch after {PART_ATTEMPTS} tries")

        with ThreadPoolExecutor(self._jobs) as pool:
            for start in range(0, len(missing), URL_BATCH):
                batch = missing[start : start + URL_BATCH]
                need = [n for n in batch if n not in urls]
                if need:
                    fresh_urls(need)
                for number, etag, digest in pool.map(send, batch):
                    done[number] = (etag, digest)
        ordered = sorted(done.items())
        parts = [{"partNumber": n, "etag": etag} for n, (etag, _) in ordered]
        return parts, multipart_etag([digest for _, (_, digest) in ordered])


def run_upload(args: argparse.Namespace) -> int:
    settings = Settings()
    token = args.token or settings.api_token.get_secret_value()
    path: Path = args.file
    if not token:
        print("multicam upload: no API token (--token or MULTICAM_API_TOKEN)", file=sys.stderr)
        return 2
    if not path.is_file():
        print(f"multicam upload: {path} is not a file", file=sys.stderr)
        return 2
    content_type = (
        args.content_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )
    bar = ProgressBar(f"camera {args.camera}", ["sha256", "upload"], enabled=not args.no_progress)
    api = httpx.Client(
        base_url=(args.api_url or settings.api_url).rstrip("/"),
        headers={"Authorization": f"Bearer {token}"},
        timeout=60.0,
    )
    # Parts are large and links may be slow: no read timeout shorter than a part needs.
    storage = httpx.Client(timeout=httpx.Timeout(30.0, read=600.0, write=600.0))
    try:
        done = Uploader(api, storage, bar, args.jobs).run(
            args.session, args.camera, path, content_type, resume=not args.restart
        )
    except UploadFailed as exc:
        bar.close()
        print(f"multicam upload: {exc}", file=sys.stderr)
        return 1
    finally:
        api.close()
        storage.close()
    bar.close()
    print(
        f"multicam upload: {path.name} is camera {args.camera} of session {args.session} "
        f"({done['key']}); the asset is {done['state']}",
        file=sys.stderr,
    )
    print(json.dumps(done))
    return 0
