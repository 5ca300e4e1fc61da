"""The sync decoder on damaged streams: bad packets are skipped and counted, the
rest of the audio still comes out, and a stream that is all damage is refused."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from tests.support.jumpy_audio import write_jumpy_audio
from worker.errors import MediaError, NoAudioStream
from worker.sync.decode import decode_audio

RATE = 48_000


def _write_adts(path: Path, seconds: float) -> None:
    t = np.arange(int(RATE * seconds)) / RATE
    rng = np.random.default_rng(3)
    # Tone bursts over noise: something the decoder has to work for.
    x = (
        0.3 * np.sin(2 * np.pi * 440 * t) * (np.sin(2 * np.pi * 0.5 * t) > 0)
        + 0.05 * rng.standard_normal(len(t))
    ).astype(np.float32)
    with av.open(str(path), "w", format="adts") as out:
        stream = out.add_stream("aac", rate=RATE, layout="mono")
        for i in range(0, len(x), 1024):
            frame = av.AudioFrame.from_ndarray(x[None, i : i + 1024], format="fltp", layout="mono")
            frame.sample_rate = RATE
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def _damage(path: Path, at: list[float], size: int = 200) -> None:
    data = bytearray(path.read_bytes())
    rng = np.random.default_rng(7)
    for frac in at:
        pos = int(len(data) * frac)
        data[pos : pos + size] = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))


def test_corrupt_packets_are_skipped_and_the_rest_decodes(tmp_path: Path) -> None:
    clean = tmp_path / "clean.aac"
    _write_adts(clean, 20.0)
    whole = decode_audio(clean)
    assert whole.info.bad_packets == 0

    damaged = tmp_path / "damaged.aac"
    damaged.write_bytes(clean.read_bytes())
    _damage(damaged, [0.3 + 0.01 * k for k in range(20)])
    decoded = decode_audio(damaged)
    assert decoded.info.bad_packets > 0
    # Only the damaged stretch is lost; audio after it is still there.
    assert decoded.duration_s > 0.9 * whole.duration_s
    tail = decoded.samples[-8000:].astype(np.float64)
    assert np.sqrt(np.mean(tail**2)) > 100


def test_a_stream_that_is_all_damage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ruined.aac"
    _write_adts(path, 20.0)
    _damage(path, [0.02 + 0.0049 * k for k in range(200)], size=60)
    with pytest.raises(NoAudioStream):
        decode_audio(path)


def test_thousands_of_timestamp_jumps_are_refused(tmp_path: Path) -> None:
    source = tmp_path / "jumpy.mkv"
    jumps_s = write_jumpy_audio(source, frames=3000, jump_s=0.4)
    assert jumps_s > 1000  # today's main decoded it to 21 minutes of mostly silence
    with pytest.raises(
        MediaError,
        match=r"audio timestamps jump forward \d{3} times, "
        r".* s of gaps in a .* s file .*: refusing",
    ):
        decode_audio(source)


def test_a_few_real_dropouts_are_still_filled(tmp_path: Path) -> None:
    source = tmp_path / "dropouts.mkv"
    write_jumpy_audio(source, frames=200, jump_s=0.05)
    decoded = decode_audio(source)
    assert decoded.info.gaps_filled == 199
    assert decoded.duration_s == pytest.approx(200 * (1024 / 48_000) + 199 * 0.05, abs=0.05)
