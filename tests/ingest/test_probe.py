"""probe(): facts about a source without decoding it."""

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
from worker.ingest import probe


@pytest.mark.parametrize("key", ["mp4", "mov", "mkv", "faststart"])
def test_probe_camera_file(media: dict[str, Path], key: str) -> None:
    result = probe(media[key])
    assert result.width == 320 and result.height == 180 and result.resolution == "320x180"
    assert result.fps == 25.0 and result.frame_rate == "25/1" and not result.vfr
    assert abs(result.duration_ms - 3000) <= 60
    assert result.video_codec == "h264" and result.pix_fmt == "yuv420p"
    assert result.audio_codec == "aac" and result.audio_sample_rate == 48000
    assert result.audio_channels == 2 and result.audio_stream_count == 1
    assert result.size_bytes == media[key].stat().st_size
    assert result.bit_rate and result.bit_rate > 0
    if key != "mkv":
        assert result.frame_count == 75
        assert result.container_format.startswith("mov")
    else:
        assert result.container_format == "matroska,webm"


@pytest.mark.parametrize("key", ["vfr_mp4", "vfr_mkv"])
def test_probe_detects_vfr(media: dict[str, Path], key: str) -> None:
    result = probe(media[key])
    assert result.vfr
    assert result.fps == 25.0  # the most common interval (40 ms)


def test_probe_channels(media: dict[str, Path]) -> None:
    assert probe(media["mono"]).audio_channels == 1
    assert probe(media["surround"]).audio_channels == 6


def test_probe_not_strict_reports_missing_audio(media: dict[str, Path]) -> None:
    result = probe(media["video_only"], strict=False)
    assert result.audio_codec is None and result.audio_stream_count == 0


@pytest.mark.parametrize(
    ("key", "error", "words"),
    [
        ("corrupt", UnreadableMedia, "not a readable video file"),
        ("empty", UnreadableMedia, "empty"),
        ("video_only", NoAudioStream, "no audio stream"),
        ("audio_only", NoVideoStream, "no video stream"),
        ("truncated", TruncatedMedia, "incomplete"),
        ("truncated_faststart", TruncatedMedia, "'mdat' box declares"),
    ],
)
def test_probe_errors(
    media: dict[str, Path], key: str, error: type[MediaError], words: str
) -> None:
    with pytest.raises(error) as info:
        probe(media[key])
    message = str(info.value)
    assert words in message and media[key].name in message
    assert isinstance(info.value, MediaError)


def test_probe_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableMedia, match="does not exist"):
        probe(tmp_path / "nope.mp4")
