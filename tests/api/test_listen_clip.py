"""The listen check without a server: WAV headers, window maths, sample placement, the clip,
and that only the needed frames of a (large) WAV are read."""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from worker.api.v2.routes.listen import read_side
from worker.errors import NoAudio, WavError
from worker.review.listen import (
    OUTPUT_RATE,
    WavLayout,
    Window,
    frames_needed,
    parse_wav_header,
    place,
    source_positions,
    stereo_wav,
)
from worker.storage.local import LocalObjectStore

Signal = npt.NDArray[np.int16]


def wav_bytes(samples: Signal, rate: int = OUTPUT_RATE) -> bytes:
    """A WAV as ingest writes it (Python's wave module); samples shaped (n, channels)."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return buf.getvalue()


def clicks(
    seconds: float,
    at_s: list[float],
    rate: int = OUTPUT_RATE,
    channels: int = 1,
    level: int = 20_000,
    seed: int = 0,
) -> Signal:
    """Quiet noise with one-sample clicks at the given times."""
    rng = np.random.default_rng(seed)
    out = rng.integers(-30, 30, size=(round(seconds * rate), channels)).astype(np.int16)
    for t in at_s:
        out[round(t * rate), :] = level
    return out


def loudest(signal: npt.NDArray[np.float64]) -> int:
    return int(np.argmax(np.abs(signal)))


def _clip(
    master: bytes, camera: bytes, at_ms: float, seconds: float, offset_ms: float, ppm: float = 0.0
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    window = Window.around(at_ms, seconds)
    sides = []
    for data, off, drift in ((master, 0.0, 0.0), (camera, offset_ms, ppm)):
        layout = parse_wav_header(data[:4096], len(data))
        positions = source_positions(window, layout.rate, off, drift)
        needed = frames_needed(positions, layout)
        if needed is None:
            sides.append(place(b"", 0, layout, positions))
            continue
        start, length = layout.byte_range(*needed)
        sides.append(place(data[start : start + length], needed[0], layout, positions))
    return sides[0], sides[1]


# -- WAV headers --------------------------------------------------------------------------


def test_header_of_an_ingest_wav() -> None:
    data = wav_bytes(clicks(1.0, [], channels=2))
    layout = parse_wav_header(data[:100], len(data))
    assert layout == WavLayout(data_offset=44, frames=48_000, channels=2, rate=48_000)
    assert layout.byte_range(10, 5) == (44 + 40, 20)


def _chunk(name: bytes, body: bytes) -> bytes:
    return name + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) % 2 else b"")


def _riff(*chunks: bytes) -> bytes:
    body = b"WAVE" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


FMT_MONO = struct.pack("<HHIIHH", 1, 1, 44_100, 88_200, 2, 16)


def test_header_with_other_chunks_odd_sizes_and_unknown_data_size() -> None:
    data = _riff(
        _chunk(b"fmt ", FMT_MONO),
        _chunk(b"LIST", b"abc"),  # padded to 4
        _chunk(b"data", b"\x01\x00" * 10),
    )
    layout = parse_wav_header(data, len(data))
    assert (layout.frames, layout.rate, layout.channels) == (10, 44_100, 1)
    assert data[layout.data_offset : layout.data_offset + 2] == b"\x01\x00"
    # A streamed WAV that never wrote its data size: the file's length says it.
    unknown = data[: layout.data_offset - 4] + b"\xff\xff\xff\xff" + data[layout.data_offset :]
    assert parse_wav_header(unknown, len(unknown)).frames == 10
    # A file cut short has the frames it has.
    assert parse_wav_header(data, len(data) - 6).frames == 7


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"RIFF\x00\x00\x00\x00AVI ",
        _riff(
            _chunk(b"fmt ", struct.pack("<HHIIHH", 3, 1, 48_000, 192_000, 4, 32)),
            _chunk(b"data", b"\x00" * 8),
        ),  # float samples
        _riff(_chunk(b"data", b"\x00" * 8), _chunk(b"fmt ", FMT_MONO)),
        _riff(_chunk(b"fmt ", FMT_MONO)),  # no data chunk
    ],
)
def test_headers_that_are_refused(data: bytes) -> None:
    with pytest.raises(WavError):
        parse_wav_header(data, len(data))


# -- window and placement -----------------------------------------------------------------


def test_window_around_a_time() -> None:
    w = Window.around(12_000.0, 4.0)
    assert (w.start_ms, w.frames) == (10_000.0, 4 * OUTPUT_RATE)
    times = w.master_times_ms()
    assert times[0] == 10_000.0 and times[OUTPUT_RATE] == pytest.approx(11_000.0)
    for bad in ((float("nan"), 4.0), (0.0, 0.4), (0.0, 10.5)):
        with pytest.raises(ValueError):
            Window.around(*bad)


def test_positions_follow_offset_and_drift() -> None:
    w = Window(start_ms=10_000.0, frames=3)
    # A camera that started 1.5 s after the master: master 10 s is its 8.5 s.
    assert source_positions(w, 48_000, 1_500.0)[0] == pytest.approx(8.5 * 48_000)
    # Its own rate counts: 44.1 kHz.
    assert source_positions(w, 44_100, 1_500.0)[0] == pytest.approx(8.5 * 44_100)
    # +100 ppm: its clock has counted 0.85 ms more by then.
    assert source_positions(w, 48_000, 1_500.0, 100.0)[0] == pytest.approx(8.5 * 1.0001 * 48_000)


def test_a_right_placement_is_one_sound_and_a_frame_off_is_an_echo() -> None:
    master = wav_bytes(clicks(10.0, [2.0, 5.0]))
    # Camera C started 1.5 s after the master, heard the same clicks, in stereo.
    camera = wav_bytes(clicks(8.0, [0.5, 3.5], channels=2, seed=1))
    left, right = _clip(master, camera, 5_000.0, 2.0, 1_500.0)
    assert len(left) == len(right) == 2 * OUTPUT_RATE
    assert loudest(left) == loudest(right) == OUTPUT_RATE  # both at 5.0 s, mid-window
    assert right[OUTPUT_RATE] == pytest.approx(20_000, abs=1)  # stereo averaged, not summed
    # One 30 fps frame too late: the camera's click comes 33.3 ms (1600 samples) after.
    _, late = _clip(master, camera, 5_000.0, 2.0, 1_500.0 + 1000 / 30)
    assert loudest(late) - OUTPUT_RATE == 1600
    # A sub-sample offset lands between two samples, shared by both.
    _, half = _clip(master, camera, 5_000.0, 2.0, 1_500.0 + 500 / OUTPUT_RATE)
    assert half[OUTPUT_RATE] == pytest.approx(10_000, abs=60)
    assert half[OUTPUT_RATE + 1] == pytest.approx(10_000, abs=60)


def test_drift_and_other_rates_are_followed() -> None:
    # A 44.1 kHz camera whose clock runs 200 ppm fast, started 0.5 s after the master:
    # master 6 s is its (6 - 0.5) * 1.0002 s.
    ppm, off = 200.0, 500.0
    camera_s = (6.0 - 0.5) * (1 + ppm * 1e-6)
    master = wav_bytes(clicks(10.0, [6.0]))
    camera = wav_bytes(clicks(8.0, [camera_s], rate=44_100), rate=44_100)
    left, right = _clip(master, camera, 6_000.0, 1.0, off, ppm)
    assert abs(loudest(right) - loudest(left)) <= 1
    _, ignored = _clip(master, camera, 6_000.0, 1.0, off)  # drift left out: 1.1 ms off
    assert abs(loudest(ignored) - loudest(left) - round(5.5 * 200e-6 * 48_000)) <= 1


def test_silence_where_a_camera_has_no_sound() -> None:
    master = wav_bytes(clicks(10.0, [1.0]))
    camera = wav_bytes(clicks(2.0, [0.5]))
    # The camera starts 5 s in: at master 1 s there is nothing of it yet.
    left, right = _clip(master, camera, 1_000.0, 2.0, 5_000.0)
    assert loudest(left) == OUTPUT_RATE and not right.any()
    # Half the window before its first sample: that half silent, the rest its sound.
    _, edge = _clip(master, camera, 5_000.0, 2.0, 5_000.0)
    assert not edge[: OUTPUT_RATE - 1].any() and edge[OUTPUT_RATE + 10 :].any()
    # After its last sample: silent again.
    _, after = _clip(master, camera, 9_000.0, 1.0, 5_000.0)
    assert not after.any()


def test_the_clip_is_a_48k_stereo_wav() -> None:
    left = np.linspace(-40_000, 40_000, 480)
    data = stereo_wav(left, -left)
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth(), w.getnframes()) == (
            2,
            48_000,
            2,
            480,
        )
        pcm = np.frombuffer(w.readframes(480), "<i2").reshape(480, 2)
    assert pcm[0, 0] == -32768 and pcm[-1, 0] == 32767 and pcm[-1, 1] == -32768  # clipped


# -- reading from storage -----------------------------------------------------------------


class CountingStore(LocalObjectStore):
    """A local store that counts the bytes read, and refuses whole-object reads."""

    read = 0

    async def read_range(self, key: str, start: int, length: int) -> bytes:
        data = await super().read_range(key, start, length)
        self.read += len(data)
        return data

    async def get_file(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        raise AssertionError("the listen check must not download a whole WAV")

    async def get_bytes(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        raise AssertionError("the listen check must not download a whole WAV")


async def test_only_the_needed_frames_are_read(tmp_path: Path) -> None:
    store = CountingStore(tmp_path)
    data = wav_bytes(clicks(120.0, [61.0], channels=2))  # 23 MB
    key = "projects/p/20261120/audio/angle-001_v001.wav"
    await store.put_bytes(key, data, "audio/wav")
    side = await read_side(store, key, Window.around(61_000.0, 2.0))
    assert loudest(side) == OUTPUT_RATE
    assert store.read < 64 * 1024 + 2 * OUTPUT_RATE * 4 + 16  # header + 2 s of frames
    with pytest.raises(NoAudio):
        await read_side(
            store, "projects/p/20261120/audio/angle-002_v001.wav", Window.around(1_000.0, 1.0)
        )
    await store.put_bytes("projects/p/20261120/audio/angle-003_v001.wav", b"not a wav", "audio/wav")
    with pytest.raises(NoAudio):
        await read_side(
            store, "projects/p/20261120/audio/angle-003_v001.wav", Window.around(1_000.0, 1.0)
        )
