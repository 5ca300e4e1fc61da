"""The worker's scratch space: names, sweeping after crashes, the kept original, free space."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from worker.jobs import workdir


def test_a_downloaded_original_is_named_as_the_operator_knows_it() -> None:
    assert workdir.local_name("camA.MP4", "mp4") == "camA.mp4"
    assert workdir.local_name("../../etc/passwd", "mov") == "passwd.mov"
    assert workdir.local_name("Interview (take 2).mov", "mov") == "Interview_take_2.mov"
    assert workdir.local_name("Интервью 1.mp4", "mp4") == "Интервью_1.mp4"
    assert workdir.local_name(None, "mkv") == workdir.local_name("...", "mkv") == "original.mkv"


def test_the_sweep_removes_dead_processes_folders_only(tmp_path: Path) -> None:
    mine = workdir.job_dir(str(tmp_path), "ingest-a1")
    # A folder made by a process that has exited since (as after SIGKILL or the OOM killer).
    code = (
        "import sys; from worker.jobs import workdir; "
        f"print(workdir.job_dir({str(tmp_path)!r}, 'ingest-a2'))"
    )
    dead = Path(
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
    )
    (dead / "original.mp4").write_bytes(b"x" * 1000)
    assert dead.is_dir() and mine.is_dir()
    removed = workdir.sweep(str(tmp_path), keep_s=3600)
    assert removed == [dead.name]
    assert not dead.exists() and mine.is_dir()  # a live process's folder stays


def test_a_kept_original_is_linked_to_the_video_job_and_swept_when_old(tmp_path: Path) -> None:
    url = "s3://bucket/projects/p/20261130/originals/angle-001_v001.mp4"
    src = workdir.job_dir(str(tmp_path), "ingest-a1") / "camA.mp4"
    src.write_bytes(b"y" * 2048)
    assert workdir.keep_original(str(tmp_path), "a1", url, src, reserve_mb=0)
    assert not src.exists()  # handed over by a rename
    into = workdir.job_dir(str(tmp_path), "video-a1") / "camA.mp4"
    assert not workdir.take_original(str(tmp_path), "a1", url, 999, into)  # not that file
    src.write_bytes(b"y" * 2048)
    assert workdir.keep_original(str(tmp_path), "a1", url, src, reserve_mb=0)
    assert workdir.take_original(str(tmp_path), "a1", url, 2048, into)
    assert into.read_bytes() == b"y" * 2048
    # The kept name stays (a link, no copy) for the review clips while the encode runs.
    kept_a1 = workdir.kept_original(str(tmp_path), "a1", url, 2048)
    assert kept_a1 is not None and kept_a1.stat().st_ino == into.stat().st_ino
    assert workdir.kept_original(str(tmp_path), "a1", url, 999) is None  # not that file
    workdir.drop_original(str(tmp_path), "a1", url)  # the video job ends
    assert workdir.kept_original(str(tmp_path), "a1", url, 2048) is None
    assert into.read_bytes() == b"y" * 2048
    assert not workdir.take_original(str(tmp_path), "a1", url, 2048, into)
    # One nobody took is removed by the sweep once older than keep_s.
    src.write_bytes(b"z")
    assert workdir.keep_original(str(tmp_path), "a2", url, src, reserve_mb=0)
    kept = next((tmp_path / workdir.ORIGINALS).iterdir())
    old = time.time() - 7200
    os.utime(kept, (old, old))
    assert workdir.sweep(str(tmp_path), keep_s=3600) == [f"{workdir.ORIGINALS}/{kept.name}"]


def test_a_download_that_would_fill_the_disk_waits(tmp_path: Path) -> None:
    workdir.ensure_free(str(tmp_path), 1024, reserve_mb=0)
    with pytest.raises(workdir.DiskSpaceLow, match="waiting for disk space"):
        workdir.ensure_free(str(tmp_path), 1 << 60, reserve_mb=0)  # an exabyte
