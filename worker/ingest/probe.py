"""What a source file is: duration, frame rate and VFR, picture and sound facts.

Cheap whatever the length: MP4/MOV frame times come from the sample table that
FFmpeg reads at open (``stream.index_entries``); other containers are sampled at a
few seek points. Nothing is decoded.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.stream
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from worker.errors import (
    MediaOverLimit,
    NoAudioStream,
    NoVideoStream,
    TruncatedMedia,
    UnreadableMedia,
)
from worker.ingest.boxes import check_boxes
from worker.ingest.config import IngestSettings
from worker.ingest.framerate import FrameTiming, analyze_frame_times

# Sampled containers: seek points (fractions of the duration) and packets per point.
_SAMPLE_POINTS = (0.0, 0.2, 0.4, 0.6, 0.8)
_SAMPLE_PACKETS = 64


class ProbeResult(BaseModel):
    """Facts about a source, as stored on its media-asset."""

    model_config = ConfigDict(frozen=True)

    duration_ms: int = Field(description="Container duration (ms).")
    container_format: str = Field(description="FFmpeg demuxer, e.g. 'mov,mp4,m4a,3gp,3g2,mj2'.")
    bit_rate: int | None = Field(None, description="Overall bit rate (bit/s) if known.")
    size_bytes: int = Field(description="File size.")
    # Picture (a sound recorder's file has none: has_picture False, sizes and rates 0)
    has_picture: bool = True
    width: int
    height: int
    resolution: str = Field(description="'1920x1080' (coded size, before any rotation).")
    fps: float = Field(description="Nominal frame rate (the camera's target).")
    frame_rate: str = Field(description="Nominal rate as an exact fraction, '30000/1001'.")
    vfr: bool = Field(description="Frame intervals vary (phone-style variable frame rate).")
    frame_count: int | None = Field(None, description="Frames, when the container says.")
    video_codec: str
    pix_fmt: str | None = None
    video_bit_rate: int | None = None
    video_start_ms: float = Field(0.0, description="First video timestamp (ms).")
    # Sound (first audio stream; None when there is none and strict=False)
    audio_codec: str | None = None
    audio_sample_rate: int | None = None
    audio_channels: int | None = None
    audio_stream_count: int = 0
    audio_bit_rate: int | None = None
    audio_start_ms: float = Field(0.0, description="First audio timestamp (ms).")

    @property
    def rate(self) -> Fraction:
        return Fraction(self.frame_rate)

    @property
    def duration_s(self) -> float:
        return self.duration_ms / 1000.0


def truncated_message(name: str, problem: str) -> str:
    return (
        f"{name}: the file is incomplete: {problem}. It was probably cut by an "
        f"interrupted upload or copy; upload the complete original again."
    )


def open_media(path: Path) -> av.container.InputContainer:
    """Open ``path`` for reading, as an UnreadableMedia when FFmpeg cannot."""
    if not path.is_file():
        raise UnreadableMedia(f"{path.name}: the file does not exist or is not a regular file.")
    if path.stat().st_size == 0:
        raise UnreadableMedia(f"{path.name}: the file is empty (0 bytes).")
    try:
        return av.open(str(path), mode="r")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise UnreadableMedia(
            f"{path.name}: not a readable video file; it may be damaged or in a format "
            f"FFmpeg does not know ({exc})."
        ) from exc


def main_video_stream(container: av.container.InputContainer) -> av.VideoStream | None:
    """The first real video stream (cover art and thumbnails are not video)."""
    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    return None


def main_audio_stream(container: av.container.InputContainer) -> av.AudioStream | None:
    """The default audio stream, else the first one."""
    streams = list(container.streams.audio)
    for stream in streams:
        if stream.disposition & av.stream.Disposition.default:
            return stream
    return streams[0] if streams else None


def _seconds(value: int | None, time_base: Fraction | None) -> float | None:
    if value is None or time_base is None:
        return None
    return float(value * time_base)


def _index_times(stream: av.VideoStream) -> list[np.ndarray] | None:
    """Every frame's timestamp from the MP4/MOV sample table (None if there is none)."""
    entries = stream.index_entries
    if stream.time_base is None or len(entries) < 2:
        return None
    ts = np.fromiter((e.timestamp for e in entries if not e.is_discard), dtype=np.int64)
    return [ts * float(stream.time_base)]


def _sampled_times(
    container: av.container.InputContainer, stream: av.VideoStream, duration_s: float
) -> list[np.ndarray]:
    """Timestamps of runs of packets at a few seek points (no full index)."""
    if stream.time_base is None:
        return []
    tb = float(stream.time_base)
    for other in container.streams:
        if other is not stream:
            other.discard = av.stream.Discard.all
    windows = []
    points = _SAMPLE_POINTS if duration_s > 10 else (0.0,)
    for point in points:
        try:
            container.seek(int(point * duration_s * 1_000_000), backward=True)
        except av.FFmpegError:
            break
        pts: list[int] = []
        try:
            for packet in container.demux(stream):
                if packet.pts is not None:
                    pts.append(packet.pts)
                if len(pts) >= _SAMPLE_PACKETS:
                    break
        except av.FFmpegError:
            pass
        if pts:
            windows.append(np.asarray(pts, dtype=np.float64) * tb)
    return windows


def _frame_timing(
    container: av.container.InputContainer, stream: av.VideoStream, duration_s: float
) -> tuple[FrameTiming, int | None]:
    fallback = stream.average_rate or stream.guessed_rate or Fraction(30)
    is_isobmff = container.format.name.startswith("mov")
    windows = _index_times(stream) if is_isobmff else None
    if windows is not None:
        return analyze_frame_times(windows, Fraction(fallback)), len(windows[0])
    timing = analyze_frame_times(_sampled_times(container, stream, duration_s), Fraction(fallback))
    return timing, (stream.frames or None)


def _setting(name: str) -> str:
    prefix = IngestSettings.model_config.get("env_prefix", "")
    return f"{prefix}{name}".upper()


def _over(path: Path, what: str, limit: str, setting: str) -> MediaOverLimit:
    return MediaOverLimit(
        f"{path.name}: {what}, over the limit of {limit} this service accepts "
        f"({_setting(setting)}). Upload a file within it, or raise the limit if the file is "
        f"genuine."
    )


def check_stream_count(path: Path, count: int, limits: IngestSettings) -> None:
    if count > limits.max_streams:
        raise _over(
            path, f"the file holds {count} streams", f"{limits.max_streams} streams", "max_streams"
        )


def check_limits(
    path: Path,
    *,
    width: int,
    height: int,
    duration_s: float,
    audio_channels: list[int],
    limits: IngestSettings,
) -> None:
    """Raise MediaOverLimit when a fact is beyond what ``limits`` accept."""
    if max(width, height) > limits.max_frame_side:
        raise _over(
            path,
            f"the picture is {width}x{height} pixels",
            f"{limits.max_frame_side} pixels a side",
            "max_frame_side",
        )
    if width * height > limits.max_frame_pixels:
        raise _over(
            path,
            f"the picture is {width}x{height} pixels ({width * height:,})",
            f"{limits.max_frame_pixels:,} pixels",
            "max_frame_pixels",
        )
    if duration_s > limits.max_duration_s:
        raise _over(
            path,
            f"the file declares a duration of {duration_s:,.1f} s",
            f"{limits.max_duration_s:,.0f} s",
            "max_duration_s",
        )
    widest = max(audio_channels, default=0)
    if widest > limits.max_audio_channels:
        raise _over(
            path,
            f"an audio stream has {widest} channels",
            f"{limits.max_audio_channels} channels",
            "max_audio_channels",
        )


def probe(
    path: str | Path,
    *,
    strict: bool = True,
    limits: IngestSettings | None = None,
    audio_only: bool = False,
) -> ProbeResult:
    """Probe ``path`` without decoding.

    :param strict: raise NoVideoStream / NoAudioStream when a stream is missing
        (False: report audio fields as None; a file without video always raises).
    :param audio_only: a sound recorder's file: its audio is all that is used, any
        picture is ignored (``has_picture`` False); it must have audio.
    :param limits: what is accepted (max_frame_side, max_frame_pixels, max_duration_s,
        max_audio_channels, max_streams); default: IngestSettings from the environment.
    :raises UnreadableMedia: missing, empty or not media.
    :raises TruncatedMedia: an MP4/MOV whose boxes show it was cut.
    :raises MediaOverLimit: beyond one of ``limits``.
    """
    limits = limits if limits is not None else IngestSettings()
    path = Path(path)
    if path.is_file() and path.stat().st_size > 0:
        boxes = check_boxes(path)
        if boxes.problem is not None:
            raise TruncatedMedia(truncated_message(path.name, boxes.problem))
    container = open_media(path)
    try:
        check_stream_count(path, len(container.streams), limits)
        video = main_video_stream(container)
        audio = main_audio_stream(container)
        if audio_only:
            if audio is None:
                raise NoAudioStream(
                    f"{path.name}: a sound recorder's file must hold audio; this one has none."
                )
            return _probe_audio_only(path, container, audio, limits)
        if video is None:
            if audio is None:
                raise UnreadableMedia(f"{path.name}: the file holds neither video nor audio.")
            raise NoVideoStream(
                f"{path.name}: the file has no video stream (audio only); "
                f"upload the camera's video file."
            )
        if audio is None and strict:
            raise NoAudioStream(
                f"{path.name}: the video has no audio stream, so it cannot "
                f"be synced by sound; check the camera's audio settings."
            )
        # Read every stream fact before the container closes.
        if container.duration is not None:
            duration_s = container.duration / 1_000_000
        else:
            duration_s = _seconds(video.duration, video.time_base) or 0.0
        vcc = video.codec_context
        width, height = int(vcc.width), int(vcc.height)
        if width <= 0 or height <= 0:
            raise UnreadableMedia(
                f"{path.name}: the video stream has no picture size; the file is damaged."
            )
        video_codec = vcc.name
        pix_fmt = vcc.pix_fmt
        video_bit_rate = video.bit_rate or None
        video_start = _seconds(video.start_time, video.time_base) or 0.0
        audio_count = len(container.streams.audio)
        audio_codec: str | None = None
        audio_rate = audio_channels = audio_bit_rate = None
        audio_start = 0.0
        if audio is not None:
            acc = audio.codec_context
            audio_codec = acc.name
            audio_rate = int(acc.sample_rate or 0) or None
            audio_channels = int(acc.channels or 0) or None
            audio_bit_rate = audio.bit_rate or None
            audio_start = _seconds(audio.start_time, audio.time_base) or 0.0
        check_limits(
            path,
            width=width,
            height=height,
            duration_s=duration_s,
            audio_channels=[int(s.codec_context.channels or 0) for s in container.streams.audio],
            limits=limits,
        )
        format_name = container.format.name
        bit_rate = container.bit_rate or None
        timing, frame_count = _frame_timing(container, video, duration_s)
    except av.FFmpegError as exc:
        raise UnreadableMedia(f"{path.name}: the file could not be read ({exc}).") from exc
    finally:
        container.close()
    return ProbeResult(
        duration_ms=round(duration_s * 1000),
        container_format=format_name,
        bit_rate=bit_rate,
        size_bytes=path.stat().st_size,
        width=width,
        height=height,
        resolution=f"{width}x{height}",
        fps=round(timing.fps, 6),
        frame_rate=f"{timing.rate.numerator}/{timing.rate.denominator}",
        vfr=timing.vfr,
        frame_count=frame_count,
        video_codec=video_codec,
        pix_fmt=pix_fmt,
        video_bit_rate=video_bit_rate,
        video_start_ms=1000.0 * video_start,
        audio_codec=audio_codec,
        audio_sample_rate=audio_rate,
        audio_channels=audio_channels,
        audio_stream_count=audio_count,
        audio_bit_rate=audio_bit_rate,
        audio_start_ms=1000.0 * audio_start,
    )


def _probe_audio_only(
    path: Path,
    container: av.container.InputContainer,
    audio: av.AudioStream,
    limits: IngestSettings,
) -> ProbeResult:
    """A sound recorder's file: the audio facts, no picture (the caller closes)."""
    if container.duration is not None:
        duration_s = container.duration / 1_000_000
    else:
        duration_s = _seconds(audio.duration, audio.time_base) or 0.0
    check_limits(
        path,
        width=1,
        height=1,
        duration_s=duration_s,
        audio_channels=[int(s.codec_context.channels or 0) for s in container.streams.audio],
        limits=limits,
    )
    acc = audio.codec_context
    return ProbeResult(
        duration_ms=round(duration_s * 1000),
        container_format=container.format.name,
        bit_rate=container.bit_rate or None,
        size_bytes=path.stat().st_size,
        has_picture=False,
        width=0,
        height=0,
        resolution="",
        fps=0.0,
        frame_rate="0/1",
        vfr=False,
        video_codec="",
        audio_codec=acc.name,
        audio_sample_rate=int(acc.sample_rate or 0) or None,
        audio_channels=int(acc.channels or 0) or None,
        audio_stream_count=len(container.streams.audio),
        audio_bit_rate=audio.bit_rate or None,
        audio_start_ms=1000.0 * (_seconds(audio.start_time, audio.time_base) or 0.0),
    )
