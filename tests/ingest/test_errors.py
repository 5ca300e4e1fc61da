"""Every unusable source raises the matching MediaError and leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.errors import (
    MediaError,
    NoAudioStream,
    NoVideoStream,
    TruncatedMedia,
    UnreadableMedia,
)
from worker.ingest import IngestSettings, derive_all, probe


@pytest.mark.parametrize(
    ("key", "error", "words"),
    [
        ("corrupt", UnreadableMedia, "not a readable video file"),
        ("empty", UnreadableMedia, "empty"),
        ("video_only", NoAudioStream, "no audio stream"),
        ("audio_only", NoVideoStream, "no video stream"),
        ("truncated", TruncatedMedia, "'mdat' box declares"),
        ("truncated_faststart", TruncatedMedia, "'mdat' box declares"),
        ("truncated_mkv", TruncatedMedia, "truncated"),
    ],
)
def test_derive_errors_leave_out_dir_empty(
    media: dict[str, Path],
    config: IngestSettings,
    tmp_path: Path,
    key: str,
    error: type[MediaError],
    words: str,
) -> None:
    # The probe of a good file: derive_all must judge the file itself, not trust it.
    good = probe(media["vfr_mp4"])  # VFR: the mezzanine is attempted too
    out_dir = tmp_path / "out"
    with pytest.raises(error) as info:
        derive_all(media[key], out_dir, good, config)
    assert words in str(info.value) and media[key].name in str(info.value)
    assert not out_dir.exists() or list(out_dir.iterdir()) == []


def test_truncated_mkv_probes_but_does_not_derive(
    media: dict[str, Path], config: IngestSettings, tmp_path: Path
) -> None:
    result = probe(media["truncated_mkv"])  # the header is intact
    with pytest.raises(TruncatedMedia, match=r"stops at \d+\.\d s but the file declares 3\.0 s"):
        derive_all(media["truncated_mkv"], tmp_path, result, config)
    assert list(tmp_path.iterdir()) == []


def test_encoder_failure_is_an_ingest_error(media: dict[str, Path], tmp_path: Path) -> None:
    config = IngestSettings(proxy_height=120, proxy_preset="no-such-preset")
    with pytest.raises(MediaError, match="making the proxy failed"):
        derive_all(media["mp4"], tmp_path, probe(media["mp4"]), config)
    assert list(tmp_path.iterdir()) == []


def test_progress_callback_failure_cleans_up(
    media: dict[str, Path], config: IngestSettings, tmp_path: Path
) -> None:
    def boom(fraction: float, message: str) -> None:
        if fraction > 0.5:
            raise KeyboardInterrupt  # e.g. the job is cancelled

    with pytest.raises(KeyboardInterrupt):
        derive_all(media["mp4"], tmp_path, probe(media["mp4"]), config, boom)
    assert list(tmp_path.iterdir()) == []


def test_unknown_kind(media: dict[str, Path], config: IngestSettings, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown derived kinds"):
        derive_all(media["mp4"], tmp_path, probe(media["mp4"]), config, kinds=["proxy", "gif"])  # type: ignore[list-item]
