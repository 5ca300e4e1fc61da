"""Where picture and sound start: probed, kept by the proxy's timing, and the maths a player
uses to line a camera's proxy up with the master (worker/camera_clock.py)."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest

from tests.support.flash_clap import RATE, FlashClap, make_flash_clap_clip
from worker.camera_clock import (
    camera_time_ms,
    master_time_from_proxy_ms,
    mezzanine_origin_ms,
    proxy_origin_ms,
    proxy_time_ms,
)
from worker.ingest import IngestSettings, derive_all, probe


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> FlashClap:
    return make_flash_clap_clip(tmp_path_factory.mktemp("flash") / "flash.mp4")


def _flash_times(path: Path) -> list[float]:
    """Times (s, in the file's own timeline) of frames that are mostly white."""
    with av.open(str(path)) as container:
        return [
            float(f.time)
            for f in container.decode(video=0)
            if f.time is not None and f.to_ndarray(format="gray").mean() > 128
        ]


def test_the_clip_is_what_it_says(clip: FlashClap) -> None:
    assert _flash_times(clip.path) == pytest.approx([clip.clap_at_s], abs=1e-6)
    with av.open(str(clip.path)) as container:
        audio = np.concatenate([f.to_ndarray()[0] for f in container.decode(audio=0)])
    onset = int(np.argmax(np.abs(audio) > 0.5))
    assert onset == clip.clap_sample
    # Cached by its parameters: asking again gives the same bytes without rebuilding.
    again = make_flash_clap_clip(clip.path.with_name("again.mp4"))
    assert again.path.read_bytes() == clip.path.read_bytes()
    other = make_flash_clap_clip(video_delay_ms=120)
    assert other.path.read_bytes() != clip.path.read_bytes()


def test_probe_sees_the_picture_start_after_the_sound(clip: FlashClap) -> None:
    facts = probe(clip.path)
    assert facts.video_start_ms - facts.audio_start_ms == pytest.approx(200.0, abs=1.0)
    assert facts.audio_start_ms == pytest.approx(0.0, abs=1.0)


def test_the_proxy_starts_with_its_first_frame_and_the_formula_finds_the_flash(
    clip: FlashClap, tmp_path: Path
) -> None:
    facts = probe(clip.path)
    config = IngestSettings(proxy_height=120, proxy_preset="ultrafast")
    files = {
        f.kind: f
        for f in derive_all(clip.path, tmp_path, facts, config, kinds=["proxy", "audio-wav"])
    }
    origin = proxy_origin_ms(facts.video_start_ms, facts.audio_start_ms)
    assert origin == facts.video_start_ms
    with av.open(str(files["proxy"].path)) as proxy:
        stream = proxy.streams.video[0]
        assert stream.start_time == 0  # no leading gap for a player to interpret
        assert not proxy.streams.audio
    # The clap is at its sample in the WAV (sample 0 = the first audio sample) ...
    with wave.open(str(files["audio-wav"].path)) as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), "<i2")
    assert int(np.argmax(np.abs(samples) > 16_000)) == clip.clap_sample
    wav_ms = 1000.0 * clip.clap_sample / RATE
    # ... and the flash where the player's formula puts that instant in the proxy.
    proxy_ms = facts.audio_start_ms - origin + wav_ms
    assert _flash_times(files["proxy"].path) == pytest.approx([proxy_ms / 1000.0], abs=1e-3)
    assert proxy_ms == pytest.approx(1000.0 * clip.clap_at_s - 200.0, abs=1.0)


def test_master_time_to_camera_time() -> None:
    # A camera that started 1.5 s after the master: master 10 s is its 8.5 s.
    assert camera_time_ms(10_000.0, 1_500.0) == 8_500.0
    # Before it started: negative (no sound of it yet).
    assert camera_time_ms(1_000.0, 1_500.0) == -500.0
    # A fast clock (+100 ppm) has counted 100 µs more per second.
    assert camera_time_ms(1_000_000.0, 0.0, 100.0) == pytest.approx(1_000_100.0)
    assert mezzanine_origin_ms(200.0, -21.3) == -21.3
    assert proxy_origin_ms(3_600_000.0, 3_599_990.0) == 3_600_000.0


def test_proxy_time_and_its_inverse() -> None:
    # Camera placed at +1.5 s whose picture starts 200 ms after its sound: master 10 s
    # is its file's 8.5 s, which is 8.3 s into its proxy (time 0 is the first frame).
    assert proxy_time_ms(10_000.0, 1_500.0, 0.0, 0.0, 200.0) == pytest.approx(8_300.0)
    for proxy_ms in (0.0, 8_300.0, 3_600_000.0):
        master = master_time_from_proxy_ms(proxy_ms, 1_500.0, 80.0, 21.3, 200.0)
        assert proxy_time_ms(master, 1_500.0, 80.0, 21.3, 200.0) == pytest.approx(proxy_ms)
