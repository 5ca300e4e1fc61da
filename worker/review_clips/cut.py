"""Cut short review clips out of an original by seeking: a few seconds each, proxy-like.

Each clip is its own small MP4, encoded like the proxy (exact short GOP, no
B-frames, no audio, ``+faststart``; smaller: ``review_clip_height``) so the review
page treats it as a piece of the proxy that came early. Times are on the camera's *proxy timeline*
(``worker.camera_clock``: 0 is the original's first video frame), which does not
move when an operator nudges the offset.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO

import av
import av.container

from worker.errors import DeriveCancelled, UnreadableMedia
from worker.ingest.config import IngestSettings
from worker.ingest.derive import proxy_spec
from worker.ingest.files import sha256_file
from worker.ingest.probe import main_video_stream
from worker.ingest.video_out import H264Writer, VideoSpec


@dataclass(frozen=True)
class ClipSpan:
    """What to cut: a span of the camera's proxy timeline (ms)."""

    start_ms: float
    end_ms: float


@dataclass(frozen=True)
class CutClip:
    """One review clip on disk; its time 0 is ``proxy_start_ms`` on the proxy timeline."""

    span_index: int  # which of the requested spans it shows
    path: Path
    proxy_start_ms: float
    proxy_end_ms: float
    frames: int
    size_bytes: int
    sha256: str


def cut_clips(
    source: Path | IO[bytes] | io.RawIOBase,
    name: str,
    video_start_ms: float,
    spans: Sequence[ClipSpan],
    out_dir: Path,
    config: IngestSettings,
    cancel: threading.Event | None = None,
) -> list[CutClip]:
    """Cut one clip per span from ``source`` (a path, or a seekable file object).

    :param name: the original's file name, for error messages.
    :param video_start_ms: the original's first video timestamp (the proxy's 0).
    :returns: the clips made, in ``spans`` order (a span with no frame makes none;
        ``CutClip.span_index`` says which span each shows).
    :raises UnreadableMedia: the source cannot be opened or has no video.
    """
    try:
        container = av.open(str(source) if isinstance(source, Path) else source, "r")
    except (av.FFmpegError, ValueError) as exc:
        raise UnreadableMedia(f"{name}: the original could not be opened ({exc}).") from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        video = main_video_stream(container)
        if video is None:
            raise UnreadableMedia(f"{name}: the original has no video stream.")
        for stream in container.streams:
            if stream is not video:
                stream.discard = av.stream.Discard.all
        video.codec_context.thread_type = "AUTO"
        tb = video.time_base or Fraction(1, 90_000)
        rate = video.average_rate or video.guessed_rate or Fraction(30)
        cc = video.codec_context
        sar = video.sample_aspect_ratio
        spec = proxy_spec(cc.width, cc.height, sar, rate, tb, config, config.review_clip_height)
        clips = []
        for i, span in enumerate(spans):
            if cancel is not None and cancel.is_set():
                raise DeriveCancelled(f"{name}: stopped on request")
            path = out_dir / f"clip-{i + 1:02d}.mp4"
            clip = _cut_one(container, video, spec, video_start_ms / 1000.0, span, i, path)
            if clip is not None:
                clips.append(clip)
        return clips
    finally:
        container.close()


def _cut_one(
    container: av.container.InputContainer,
    video: av.VideoStream,
    spec: VideoSpec,
    origin_s: float,
    span: ClipSpan,
    index: int,
    path: Path,
) -> CutClip | None:
    tb = spec.time_base
    start_s = origin_s + span.start_ms / 1000.0
    end_s = origin_s + span.end_ms / 1000.0
    container.seek(max(0, int(start_s / tb)), stream=video, backward=True)
    writer = H264Writer(path, spec)
    first_pts: int | None = None
    first_t = last_t = 0.0
    half_frame = 0.5 / float(spec.rate)
    try:
        for packet in container.demux(video):
            frames = packet.decode()
            done = False
            for frame in frames:
                assert isinstance(frame, av.VideoFrame)
                t = frame.time
                if t is None or t < start_s - half_frame:
                    continue  # the pre-roll from the keyframe the seek landed on
                if t >= end_s - half_frame:
                    done = True
                    break
                if first_pts is None:
                    first_pts = frame.pts if frame.pts is not None else round(t / tb)
                    first_t = t
                pts = (frame.pts if frame.pts is not None else round(t / tb)) - first_pts
                writer.video(frame, pts, t - first_t)
                last_t = t
            if done:
                break
        if first_pts is None:
            writer.abort()
            path.unlink(missing_ok=True)
            return None
        writer.close()
    except BaseException:
        writer.abort()
        path.unlink(missing_ok=True)
        raise
    period = 1.0 / float(spec.rate)
    return CutClip(
        span_index=index,
        path=path,
        proxy_start_ms=(first_t - origin_s) * 1000.0,
        proxy_end_ms=(last_t + period - origin_s) * 1000.0,
        frames=writer.frames_out,
        size_bytes=path.stat().st_size,
        sha256=sha256_file(path),
    )
