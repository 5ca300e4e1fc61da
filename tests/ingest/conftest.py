"""Tiny generated media for the ingest tests (a few seconds, 320x180), made with PyAV."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest

from tests.support.vfr import vfr_frame_times
from worker.ingest import IngestSettings

W, H = 320, 180
FPS = 25
RATE = 48_000
DURATION_S = 3.0
BLACK_UNTIL_S = 1.4  # the picture is black at first: the poster frame must skip it


def envelope(t: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Loudness over time: silent, loud, quiet (the waveform must follow it)."""
    return np.where(t < 1.0, 0.0, np.where(t < 2.0, 0.8, 0.1))


def tone(n: int, channels: int, start: int = 0) -> npt.NDArray[np.float32]:
    t = (start + np.arange(n)) / RATE
    mono = envelope(t) * np.sin(2 * np.pi * 440 * t)
    return np.repeat(mono[:, None], channels, axis=1).astype(np.float32)


def picture(i: int, t: float, size: tuple[int, int] = (W, H)) -> av.VideoFrame:
    w, h = size
    if t < BLACK_UNTIL_S:
        luma = np.full((h, w), 16, np.uint8)
    else:
        x = np.arange(w)[None, :]
        y = np.arange(h)[:, None]
        luma = (120 + 60 * np.sin((x + 3 * i) / 11.0) + 40 * np.cos((y - i) / 7.0)).astype(np.uint8)
    chroma = np.full((h // 2, w), 128, np.uint8)
    return av.VideoFrame.from_ndarray(np.concatenate([luma, chroma]), format="yuv420p")


def write_media(
    path: Path,
    *,
    video: bool = True,
    audio: bool = True,
    channels: int = 2,
    layout: str | None = None,
    frame_times: Iterable[float] | None = None,
    fmt: str | None = None,
    faststart: bool = False,
    rotation: int = 0,
    sar: Fraction | None = None,
    duration_s: float = DURATION_S,
) -> Path:
    """H.264 (+ AAC) test file; ``frame_times`` (s) gives irregular (VFR) timestamps."""
    times = (
        list(frame_times)
        if frame_times is not None
        else [i / FPS for i in range(round(duration_s * FPS))]
    )
    options = {"movflags": "+faststart"} if faststart else {}
    out = av.open(str(path), "w", format=fmt, options=options)
    vs = None
    if video:
        vs = out.add_stream("libx264", rate=FPS, options={"preset": "ultrafast"})
        vs.width, vs.height, vs.pix_fmt = W, H, "yuv420p"
        vs.codec_context.time_base = Fraction(1, 1000)
        vs.time_base = Fraction(1, 1000)
        if rotation:
            vs.set_display_rotation(rotation)
        if sar:
            vs.codec_context.sample_aspect_ratio = sar
    as_ = None
    if audio:
        lay = layout or ("mono" if channels == 1 else "stereo")
        as_ = out.add_stream("aac", rate=RATE, layout=lay)
        as_.bit_rate = 96_000
    a_next = 0
    total_audio = round(duration_s * RATE)
    for i, t in enumerate(times):
        if vs is not None:
            frame = picture(i, t)
            frame.pts = round(t * 1000)
            frame.time_base = Fraction(1, 1000)
            out.mux(vs.encode(frame))
        while as_ is not None and a_next < min(total_audio, round((t + 0.1) * RATE)):
            n = min(1024, total_audio - a_next)
            nch = as_.codec_context.channels
            block = np.ascontiguousarray(tone(n, nch, a_next).T)
            af = av.AudioFrame.from_ndarray(block, format="fltp", layout=as_.layout.name)
            af.sample_rate, af.pts, af.time_base = RATE, a_next, Fraction(1, RATE)
            out.mux(as_.encode(af))
            a_next += n
    while as_ is not None and a_next < total_audio:
        n = min(1024, total_audio - a_next)
        block = np.ascontiguousarray(tone(n, as_.codec_context.channels, a_next).T)
        af = av.AudioFrame.from_ndarray(block, format="fltp", layout=as_.layout.name)
        af.sample_rate, af.pts, af.time_base = RATE, a_next, Fraction(1, RATE)
        out.mux(as_.encode(af))
        a_next += n
    if vs is not None:
        out.mux(vs.encode())
    if as_ is not None:
        out.mux(as_.encode())
    out.close()
    return path


def vfr_times(duration_s: float = DURATION_S) -> list[float]:
    return vfr_frame_times(duration_s)


def cut_in_half(src: Path, dst: Path) -> Path:
    data = src.read_bytes()
    dst.write_bytes(data[: len(data) // 2])
    return dst


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("ingest-media")
    files = {
        "mp4": write_media(d / "camera.mp4"),
        "faststart": write_media(d / "faststart.mp4", faststart=True),
        "mov": write_media(d / "camera.mov"),
        "mkv": write_media(d / "camera.mkv"),
        "vfr_mp4": write_media(d / "phone.mp4", frame_times=vfr_times()),
        "vfr_mkv": write_media(d / "phone.mkv", frame_times=vfr_times()),
        "mono": write_media(d / "mono.mp4", channels=1),
        "surround": write_media(d / "surround.mp4", layout="5.1"),
        "rotated": write_media(d / "portrait.mp4", rotation=-90),
        "video_only": write_media(d / "video_only.mp4", audio=False),
        "audio_only": write_media(d / "audio_only.m4a", video=False, fmt="ipod"),
    }
    rng = np.random.default_rng(1234)
    files["corrupt"] = d / "corrupt.mp4"
    files["corrupt"].write_bytes(rng.integers(0, 256, 200_000, dtype=np.uint8).tobytes())
    files["empty"] = d / "empty.mov"
    files["empty"].write_bytes(b"")
    files["truncated"] = cut_in_half(files["mp4"], d / "truncated.mp4")
    files["truncated_faststart"] = cut_in_half(files["faststart"], d / "truncated_fs.mp4")
    files["truncated_mkv"] = cut_in_half(files["mkv"], d / "truncated.mkv")
    return files


@pytest.fixture
def config() -> IngestSettings:
    """Small outputs for small sources."""
    return IngestSettings(
        proxy_height=120,
        thumbnail_width=160,
        waveform_samples_per_pixel=480,
        proxy_preset="ultrafast",
        mezzanine_preset="ultrafast",
    )
