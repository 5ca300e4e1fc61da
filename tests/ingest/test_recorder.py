"""A sound recorder's file (label REC): probed and derived as sound only."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from worker.errors import NoAudioStream, NoVideoStream
from worker.ingest import IngestSettings, derive_all, probe
from worker.ingest.derive import AUDIO_KINDS


def _wav(path: Path, seconds: float = 3.0, rate: int = 48_000) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    tone = (0.3 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.repeat(tone, 2).tobytes())
    return path


@pytest.mark.parametrize("source", ["wav", "m4a"])
def test_a_recorder_file_is_probed_and_derived_as_sound_only(
    media: dict[str, Path], config: IngestSettings, tmp_path: Path, source: str
) -> None:
    path = _wav(tmp_path / "ZOOM0001.WAV") if source == "wav" else media["audio_only"]
    facts = probe(path, audio_only=True)
    assert not facts.has_picture and facts.audio_sample_rate and facts.audio_channels
    assert facts.duration_ms > 0
    files = derive_all(path, tmp_path / "out", facts, config, kinds=list(AUDIO_KINDS))
    assert [f.kind for f in files] == list(AUDIO_KINDS)
    with wave.open(str(files[0].path)) as w:
        assert w.getnframes() / w.getframerate() == pytest.approx(
            facts.duration_ms / 1000, abs=0.05
        )
    assert json.loads(files[1].path.read_text())["length"] > 0  # the waveform's peaks


def test_a_recorder_file_needs_sound_and_gets_no_picture(
    media: dict[str, Path], config: IngestSettings, tmp_path: Path
) -> None:
    with pytest.raises(NoAudioStream, match="must hold audio"):
        probe(media["video_only"], audio_only=True)
    facts = probe(media["mp4"], audio_only=True)  # a camera file given as the recorder's
    assert not facts.has_picture
    with pytest.raises(NoVideoStream):
        derive_all(media["mp4"], tmp_path / "out", facts, config, kinds=["audio-wav", "proxy"])
    # Its sound alone is fine: the picture is ignored.
    made = derive_all(media["mp4"], tmp_path / "ok", facts, config, kinds=list(AUDIO_KINDS))
    assert [f.kind for f in made] == list(AUDIO_KINDS)
