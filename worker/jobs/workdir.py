"""The worker's scratch space: job folders, the kept originals, free-space checks.

A job folder is named after the host and process that made it, so a worker
starting up removes the folders of dead processes on its host (a SIGKILL or the
OOM killer skips every ``finally``) and never those of a live neighbour sharing
the same work dir.

A downloaded original can be *kept* for the later jobs of the same asset: the
audio ingest hands it over by renaming it into ``multicam-originals/``; the video
job takes it if it runs on the same machine (a hard link into its folder, so the
kept name stays for the review clips, which read it in place while the encode
runs) and forgets the kept name when it ends; anything not taken within
``keep_s`` is removed by the sweep. A job elsewhere reads the file from storage
again; nothing depends on the hand-over.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import tempfile
import time
from pathlib import Path

from worker.errors import DiskSpaceLow
from worker.logging import get_logger

JOB_PREFIX = "multicam-job-"
ORIGINALS = "multicam-originals"


def local_name(filename: str | None, ext: str) -> str:
    """The name a downloaded original gets: the operator's file name, made safe.

    Media errors start with the file's name, and the operator knows ``camA.MP4``,
    not the worker's ``original.mp4``.
    """
    stem = Path(filename or "").stem
    safe = re.sub(r"[^\w.-]+", "_", stem).strip("._")[:100]
    return f"{safe or 'original'}.{ext}"


def root(work_dir: str) -> Path:
    return Path(work_dir or tempfile.gettempdir())


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def job_dir(work_dir: str, label: str) -> Path:
    """A fresh folder for one job attempt, owned by this host and process."""
    base = root(work_dir)
    base.mkdir(parents=True, exist_ok=True)
    return Path(
        tempfile.mkdtemp(prefix=f"{JOB_PREFIX}{_host_tag()}-{os.getpid()}-{label}-", dir=base)
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(work_dir: str, keep_s: float) -> list[str]:
    """Remove dead processes' job folders and kept originals older than ``keep_s``.

    :returns: the names removed.
    """
    base = root(work_dir)
    removed: list[str] = []
    if not base.is_dir():
        return removed
    tag = _host_tag()
    for path in base.glob(f"{JOB_PREFIX}{tag}-*"):
        parts = path.name[len(JOB_PREFIX) :].split("-")
        pid = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        if pid is not None and pid != os.getpid() and not _pid_alive(pid):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    kept = base / ORIGINALS
    now = time.time()
    for path in kept.glob("*") if kept.is_dir() else []:
        try:
            age = now - path.stat().st_mtime
        except FileNotFoundError:
            continue
        if age > keep_s:
            path.unlink(missing_ok=True)
            removed.append(f"{ORIGINALS}/{path.name}")
    if removed:
        get_logger().info("work_dir_swept", removed=removed)
    return removed


def ensure_free(work_dir: str, need_bytes: int, reserve_mb: int) -> None:
    """Raise :class:`DiskSpaceLow` unless ``need_bytes`` fit with ``reserve_mb`` to spare."""
    base = root(work_dir)
    base.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(base).free
    reserve = reserve_mb * 1024 * 1024
    if free - need_bytes < reserve:
        raise DiskSpaceLow(
            f"waiting for disk space: the work dir {base} has {free / 2**30:.1f} GiB free, "
            f"this file needs {need_bytes / 2**30:.1f} GiB plus "
            f"{reserve / 2**30:.1f} GiB kept free (MULTICAM_MIN_FREE_DISK_MB)"
        )


def _kept_path(work_dir: str, asset_id: str, original_url: str) -> Path:
    digest = hashlib.sha256(original_url.encode()).hexdigest()[:16]
    return root(work_dir) / ORIGINALS / f"{asset_id}-{digest}"


def keep_original(
    work_dir: str, asset_id: str, original_url: str, source: Path, reserve_mb: int
) -> bool:
    """Hand ``source`` over to this asset's video job (a rename, no copy)."""
    target = _kept_path(work_dir, asset_id, original_url)
    try:
        # Kept files must not starve the next download of the disk.
        if shutil.disk_usage(source.parent).free < reserve_mb * 1024 * 1024:
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
    except OSError as exc:
        get_logger().warning("original_not_kept", error=str(exc))
        return False
    return True


def take_original(work_dir: str, asset_id: str, original_url: str, size: int, into: Path) -> bool:
    """Link the kept original of this asset and file to ``into``, if it is here.

    The kept name stays until :func:`drop_original` (the review clips may read it
    meanwhile); where a link cannot be made the file is moved, as before.
    """
    kept = _kept_path(work_dir, asset_id, original_url)
    try:
        if kept.stat().st_size != size:
            kept.unlink(missing_ok=True)
            return False
        try:
            os.link(kept, into)
        except OSError:
            os.replace(kept, into)
    except OSError:
        return False
    return True


def kept_original(work_dir: str, asset_id: str, original_url: str, size: int) -> Path | None:
    """The kept original of this asset and file, to read in place (None: not here)."""
    kept = _kept_path(work_dir, asset_id, original_url)
    try:
        return kept if kept.stat().st_size == size else None
    except OSError:
        return None


def drop_original(work_dir: str, asset_id: str, original_url: str) -> None:
    """Forget a kept original (its asset failed or was replaced)."""
    _kept_path(work_dir, asset_id, original_url).unlink(missing_ok=True)
