"""Writing (and, for the tests, decoding) media files with PyAV.

Audio is given as float arrays shaped (n, channels) in [-1, 1]; the encoders get
frames of whatever size is convenient and PyAV's encoder-side resampler re-frames
them (no rate or layout conversion ever happens there: the caller's rate must be one
the codec supports, checked here, so no resampling delay can sneak into the truth).

Decoder delays (measured by ``tests/test_corpus.py``, PyAV 18.1 / FFmpeg 8.1):
AAC priming (1024 samples) is written as an edit list (mp4/mov/m4a), libmp3lame's
delay is written in the LAME/Xing header, and Opus pre-skip is the Matroska
CodecDelay. FFmpeg's decoders drop all of these, so the first decoded sample is the
first sample that was given to the encoder (measured |shift| < 0.1 us for every
codec and rate); see ``CODEC_DECODED_SHIFT_S``. Two things to know when decoding:

- MP3: the first decoded frame's pts (and the stream's start_time) is 23.02 ms at
  48 kHz (1105 samples = encoder delay 576 + decoder delay 529), although decoded
  sample 0 *is* encoded sample 0. Count decoded samples; do not place audio by pts.
- AAC: decoded audio is longer than what was encoded (up to one 1024-sample frame of
  trailing padding); the start is exact. Opus/FLAC/PCM/MP3 lengths are exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import cast

import av
import numpy as np

# container -> audio codecs we write into it (first is the default)
CONTAINER_CODECS: dict[str, tuple[str, ...]] = {
    "mp4": ("aac",),
    "m4a": ("aac",),
    "mov": ("pcm_s16le", "aac"),
    "mkv": ("flac", "opus"),
    "webm": ("opus",),
    "wav": ("pcm_s16le", "pcm_f32le"),
    "mp3": ("mp3",),
}
# FFmpeg muxer names and the video codec each video-capable container gets.
_FORMAT = {
    "mp4": "mp4",
    "m4a": "ipod",
    "mov": "mov",
    "mkv": "matroska",
    "webm": "webm",
    "wav": "wav",
    "mp3": "mp3",
}
VIDEO_CODEC: dict[str, str] = {
    "mp4": "libx264",
    "mov": "libx264",
    "mkv": "libx264",
    "webm": "libvpx",
}
# Encoder names and the sample format we hand them (s16 ones are quantised here).
_ENCODER = {
    "aac": ("aac", "fltp"),
    "mp3": ("libmp3lame", "fltp"),
    "opus": ("libopus", "flt"),
    "flac": ("flac", "s16"),
    "pcm_s16le": ("pcm_s16le", "s16"),
    "pcm_f32le": ("pcm_f32le", "flt"),
}
_RATES: dict[str, tuple[int, ...]] = {
    "aac": (8000, 16000, 22050, 32000, 44100, 48000),
    "mp3": (32000, 44100, 48000, 16000, 22050, 8000),
    # libopus takes 8/12/16/24/48 kHz but FFmpeg's decoder always returns 48 kHz;
    # keep 48 kHz only so decoded sample n is encoded sample n.
    "opus": (48000,),
}
_BITRATE = {"aac": 128_000, "mp3": 128_000, "opus": 96_000}
# Faster encoder settings (the defaults cost 3-5x more CPU for no benefit here).
_ENC_OPTIONS = {
    "aac": {"aac_coder": "fast"},
    "mp3": {"compression_level": "7"},
    "opus": {"compression_level": "5"},
}
# Residual shift of the first decoded sample relative to the first encoded one,
# seconds (positive: decoded audio starts later). Measured as zero (< 1 us) for every
# codec with this PyAV/FFmpeg build, kept as a hook so the truth stays the decoded one.
CODEC_DECODED_SHIFT_S: dict[str, float] = {c: 0.0 for c in _ENCODER}


def supported_rates(audio_codec: str) -> tuple[int, ...] | None:
    """Sample rates ``audio_codec`` accepts here (None: any rate)."""
    return _RATES.get(audio_codec)


def check_combo(container: str, audio_codec: str, sample_rate: int) -> None:
    """Raise ValueError for a container/codec/rate combination we cannot write exactly."""
    if container not in CONTAINER_CODECS:
        raise ValueError(f"unknown container {container!r}")
    if audio_codec not in CONTAINER_CODECS[container]:
        raise ValueError(f"{container} does not take {audio_codec}")
    rates = _RATES.get(audio_codec)
    if rates is not None and sample_rate not in rates:
        raise ValueError(f"{audio_codec} does not support {sample_rate} Hz")


def _open_out(path: Path, container: str) -> av.container.OutputContainer:
    # bitexact: no random Matroska UIDs / encoder version strings, so files are
    # byte-identical for the same input.
    out = av.open(str(path), "w", format=_FORMAT[container], options={"fflags": "+bitexact"})
    return out


def _add_video(
    out: av.container.OutputContainer, container: str, fps: int, size: tuple[int, int]
) -> av.video.stream.VideoStream:
    codec = VIDEO_CODEC[container]
    opts = (
        {"preset": "ultrafast", "tune": "zerolatency", "threads": "1"}
        if codec == "libx264"
        else {"deadline": "realtime", "cpu-used": "8", "threads": "1"}
    )
    vs = cast(av.video.stream.VideoStream, out.add_stream(codec, rate=fps, options=opts))
    vs.width, vs.height = size
    vs.pix_fmt = "yuv420p"
    vs.bit_rate = 100_000
    vs.codec_context.flags |= av.codec.context.Flags.bitexact
    return vs


def _video_frame(i: int, fps: int, size: tuple[int, int]) -> av.VideoFrame:
    """A cheap, changing test picture: a scrolling pattern, a moving box, a time bar."""
    w, h = size
    img = _base_picture(w, h).copy()
    luma = img[:h]
    luma[:] = np.roll(luma, i % w, axis=1)
    bx, by = (3 * i) % (w - 16), (2 * i) % (h - 12)
    luma[by : by + 12, bx : bx + 16] = 235
    luma[h - 4 :, : (i // fps) % w] = 16 + (i % fps) * 8
    frame = av.VideoFrame.from_ndarray(img, format="yuv420p")
    frame.pts = i
    return frame


@lru_cache(maxsize=4)
def _base_picture(w: int, h: int) -> np.ndarray:
    x = np.arange(w)[None, :]
    y = np.arange(h)[:, None]
    luma = (110 + 60 * np.sin(x / 9.0) + 40 * np.cos(y / 7.0)).astype(np.uint8)
    chroma = np.full((h // 2, w // 2), 128, np.uint8)
    chroma[:, : w // 4] = 100
    return np.concatenate([luma, chroma.reshape(h // 4, w), chroma[::-1].reshape(h // 4, w)])


def _quantise_s16(x: np.ndarray) -> np.ndarray:
    # Same mapping FFmpeg uses for flt->s16 (x*32768, rounded, clipped), so a decoded
    # s16 sample /32768 is the nearest representable value of the input.
    return np.clip(np.rint(x * 32768.0), -32768, 32767).astype(np.int16)


def _audio_frame(block: np.ndarray, fmt: str, layout: str, rate: int, pts: int) -> av.AudioFrame:
    block = np.clip(block, -1.0, 1.0)
    if fmt == "fltp":
        arr = np.ascontiguousarray(block.T, dtype=np.float32)
    elif fmt == "flt":
        arr = np.ascontiguousarray(block, dtype=np.float32).reshape(1, -1)
    else:  # s16 packed
        arr = _quantise_s16(block).reshape(1, -1)
    frame = av.AudioFrame.from_ndarray(arr, format=fmt, layout=layout)
    frame.sample_rate = rate
    frame.pts = pts
    frame.time_base = Fraction(1, rate)
    return frame


def write_media_chunks(
    path: str | Path,
    chunks: Iterable[np.ndarray],
    sample_rate: int,
    channels: int,
    *,
    container: str,
    audio_codec: str,
    video: bool = True,
    duration_s: float | None = None,
    fps: int = 10,
    size: tuple[int, int] = (160, 96),
) -> Path:
    """Stream audio chunks (each (n, channels) float) into a media file.

    Video (if the container has it and ``video``) is interleaved as the audio
    advances and padded to ``duration_s`` (default: the audio duration) at the end.
    """
    path = Path(path)
    check_combo(container, audio_codec, sample_rate)
    enc, fmt = _ENCODER[audio_codec]
    layout = "mono" if channels == 1 else "stereo"
    out = _open_out(path, container)
    try:
        a = cast(
            av.audio.stream.AudioStream,
            out.add_stream(
                enc, rate=sample_rate, layout=layout, options=_ENC_OPTIONS.get(audio_codec, {})
            ),
        )
        if audio_codec in _BITRATE:
            a.bit_rate = _BITRATE[audio_codec] * channels // 2 + 32_000
        a.codec_context.flags |= av.codec.context.Flags.bitexact
        vs = _add_video(out, container, fps, size) if video and container in VIDEO_CODEC else None
        n_done, vi = 0, 0
        for chunk in chunks:
            chunk = np.asarray(chunk, dtype=np.float64).reshape(len(chunk), channels)
            if len(chunk) == 0:
                continue
            out.mux(a.encode(_audio_frame(chunk, fmt, layout, sample_rate, n_done)))
            n_done += len(chunk)
            if vs is not None:  # keep video roughly abreast of the audio for interleaving
                while vi < n_done * fps // sample_rate:
                    out.mux(vs.encode(_video_frame(vi, fps, size)))
                    vi += 1
        out.mux(a.encode(None))
        if vs is not None:
            total = duration_s if duration_s is not None else n_done / sample_rate
            while vi < max(1, round(total * fps)):
                out.mux(vs.encode(_video_frame(vi, fps, size)))
                vi += 1
            out.mux(vs.encode(None))
    finally:
        out.close()
    return path


def write_media(
    path: str | Path,
    audio: np.ndarray,
    sample_rate: int,
    *,
    container: str,
    audio_codec: str,
    video: bool = True,
    duration_s: float | None = None,
    fps: int = 10,
) -> Path:
    """Write ``audio`` ((n, channels) or (n,) float in [-1, 1]) into a media file."""
    audio = np.asarray(audio)
    if audio.ndim == 1:
        audio = audio[:, None]
    block = 1 << 16
    chunks = (audio[i : i + block] for i in range(0, len(audio), block))
    return write_media_chunks(
        path,
        chunks,
        sample_rate,
        audio.shape[1],
        container=container,
        audio_codec=audio_codec,
        video=video,
        duration_s=duration_s,
        fps=fps,
    )


def write_video_only(
    path: str | Path,
    duration_s: float,
    *,
    container: str = "mp4",
    fps: int = 10,
    size: tuple[int, int] = (160, 96),
) -> Path:
    """A file with a video stream and no audio stream (the "no audio" control)."""
    path = Path(path)
    out = _open_out(path, container)
    try:
        vs = _add_video(out, container, fps, size)
        for i in range(max(1, round(duration_s * fps))):
            out.mux(vs.encode(_video_frame(i, fps, size)))
        out.mux(vs.encode(None))
    finally:
        out.close()
    return path


def iter_decoded(path: str | Path) -> Iterator[tuple[np.ndarray, int]]:
    """Decoded audio of the first audio stream as float32 (n, channels) blocks + rate."""
    with av.open(str(path)) as inp:
        stream = inp.streams.audio[0]
        for frame in inp.decode(stream):
            arr = frame.to_ndarray()
            fmt = frame.format
            arr = arr.T if fmt.is_planar else arr.reshape(-1, len(frame.layout.channels))
            if fmt.name.startswith("s16"):
                arr = arr.astype(np.float32) / 32768.0
            elif fmt.name.startswith("s32"):
                arr = arr.astype(np.float32) / 2147483648.0
            yield arr.astype(np.float32, copy=False), frame.sample_rate


def decode_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """Whole decoded first audio stream as float32 (n, channels) and its sample rate."""
    blocks, rate = [], 0
    for arr, r in iter_decoded(path):
        blocks.append(arr)
        rate = r
    if not blocks:
        return np.zeros((0, 1), np.float32), rate
    return np.concatenate(blocks), rate
