"""A long camera's proxy in segments: planned on keyframe boundaries, encoded apart, joined.

Each segment is a span of the proxy timeline (0 is the original's first frame)
whose length is a whole number of proxy GOPs, so the joined file keeps the exact
keyframe pattern of a proxy made in one pass. A segment is encoded by seeking in
the original (from a path, or a seekable file such as ranged reads from storage)
with the proxy's own settings; its frames are timed from its own first frame, and
``SegmentFacts`` says where that frame lies, so the join only shifts timestamps:
packets are copied, nothing is encoded twice.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO

import av
import av.container
from pydantic import BaseModel, ConfigDict, Field

from worker.errors import DeriveCancelled, UnreadableMedia
from worker.ingest.config import IngestSettings
from worker.ingest.derive import proxy_spec
from worker.ingest.files import sha256_file
from worker.ingest.probe import ProbeResult, main_video_stream
from worker.ingest.thumbnail import ThumbnailPicker, write_jpeg
from worker.ingest.video_out import EncoderThread


@dataclass(frozen=True)
class Segment:
    """One span of the proxy timeline: ``[start_s, end_s)``, the last one open-ended."""

    index: int
    start_s: Fraction
    end_s: Fraction | None


def plan_segments(duration_s: float, rate: Fraction, gop: int, segment_s: float) -> list[Segment]:
    """The segments of a proxy ``duration_s`` long, about ``segment_s`` each (pure).

    Empty when the proxy is shorter than two segments (one pass is then as fast) or
    ``segment_s`` is 0. Every boundary is a multiple of ``gop`` frames at ``rate``,
    and the last segment takes the remainder (at least half a segment).
    """
    if segment_s <= 0 or duration_s < 2 * segment_s or rate <= 0:
        return []
    gops = max(1, round(segment_s * rate / gop))
    length = Fraction(gops * gop) / rate
    count = max(2, math.floor(duration_s / length + 0.5))
    return [
        Segment(i, i * length, (i + 1) * length if i < count - 1 else None) for i in range(count)
    ]


class SegmentFacts(BaseModel):
    """What the join needs of one encoded segment (stored beside it as JSON)."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    index: int = Field(ge=0)
    first_pts: int = Field(alias="firstPts", description="First frame on the proxy timeline.")
    time_base: str = Field(alias="timeBase", description="Of first_pts, as '1/90000'.")
    frames: int = Field(ge=1)
    rotation: int = Field(0, description="Display rotation of the picture (degrees).")
    size_bytes: int = Field(alias="sizeBytes", ge=1)
    sha256: str

    @property
    def first_s(self) -> Fraction:
        return self.first_pts * Fraction(self.time_base)


@dataclass(frozen=True)
class ThumbnailWindow:
    """Where the poster frame is looked for (proxy timeline, s) and how it is written."""

    target_s: float
    give_up_s: float
    path: Path


def thumbnail_window(probe: ProbeResult, config: IngestSettings, path: Path) -> ThumbnailWindow:
    """The one-pass derivation's poster-frame rule (``worker.ingest.derive``), as a window."""
    d = probe.duration_s
    target = config.thumbnail_position * d
    if d > 2 * config.thumbnail_min_time_s:
        target = max(target, config.thumbnail_min_time_s)
    return ThumbnailWindow(target, target + 0.4 * d, path)


def encode_segment(
    source: Path | IO[bytes] | io.RawIOBase,
    name: str,
    probe: ProbeResult,
    segment: Segment,
    out: Path,
    config: IngestSettings,
    *,
    thumbnail: ThumbnailWindow | None = None,
    cancel: threading.Event | None = None,
) -> SegmentFacts:
    """Encode the proxy's ``segment`` of ``source`` into ``out`` (an MP4 starting at pts 0).

    :param thumbnail: also pick the poster frame, when its target lies in this segment
        (the window ends with the segment; its last frame is the fallback).
    :raises UnreadableMedia: the source cannot be opened, or the span holds no frame.
    """
    try:
        container = av.open(str(source) if isinstance(source, Path) else source, "r")
    except (av.FFmpegError, ValueError) as exc:
        raise UnreadableMedia(f"{name}: the original could not be opened ({exc}).") from exc
    try:
        return _encode(container, name, probe, segment, out, config, thumbnail, cancel)
    finally:
        container.close()


def _encode(
    container: av.container.InputContainer,
    name: str,
    probe: ProbeResult,
    segment: Segment,
    out: Path,
    config: IngestSettings,
    thumbnail: ThumbnailWindow | None,
    cancel: threading.Event | None,
) -> SegmentFacts:
    video = main_video_stream(container)
    if video is None:
        raise UnreadableMedia(f"{name}: the original has no video stream.")
    for stream in container.streams:
        if stream is not video:
            stream.discard = av.stream.Discard.all
    video.codec_context.thread_type = "AUTO"
    video.codec_context.thread_count = config.decoder_threads
    tb = video.time_base or Fraction(1, 90_000)
    spec = proxy_spec(probe.width, probe.height, video.sample_aspect_ratio, probe.rate, tb, config)
    origin_s = Fraction(probe.video_start_ms) / 1000
    origin_ticks = round(origin_s / tb)  # as the one-pass proxy (derive._video_shift)
    half = Fraction(1, 2) / probe.rate
    start_s = origin_s + segment.start_s - half
    end_s = origin_s + segment.end_s - half if segment.end_s is not None else None
    if segment.index > 0:
        container.seek(max(0, int(start_s / tb)), stream=video, backward=True)
    picker = None
    if thumbnail is not None:
        picker = ThumbnailPicker(thumbnail.target_s, thumbnail.give_up_s)
    encoder = EncoderThread("proxy", out, spec, config.queue_frames)
    encoder.start()
    first: int | None = None
    rotation = 0
    try:
        for frame, pts in _span_frames(container, video, name, start_s, end_s, cancel):
            if first is None:
                first, rotation = pts, frame.rotation
            if picker is not None and not picker.done:
                picker.offer(frame, float(pts * tb - origin_s))
            encoder.put_video(frame, pts - first, float((pts - first) * tb))
        if first is None:
            raise UnreadableMedia(
                f"{name}: no frame in the proxy's segment {segment.index + 1} "
                f"(from {float(segment.start_s):.1f} s)."
            )
        encoder.finish()
    except BaseException:
        encoder.abort()
        out.unlink(missing_ok=True)
        raise
    if picker is not None and thumbnail is not None:
        picker.finish()
        assert picker.frame is not None
        write_jpeg(
            picker.frame,
            thumbnail.path,
            config.thumbnail_width,
            config.thumbnail_quality,
            video.sample_aspect_ratio,
        )
    return SegmentFacts(
        index=segment.index,
        first_pts=first - origin_ticks,
        time_base=f"{tb.numerator}/{tb.denominator}",
        frames=encoder.frames_out,
        rotation=rotation,
        size_bytes=out.stat().st_size,
        sha256=sha256_file(out),
    )


def _span_frames(
    container: av.container.InputContainer,
    video: av.VideoStream,
    name: str,
    start_s: Fraction,
    end_s: Fraction | None,
    cancel: threading.Event | None,
) -> Iterator[tuple[av.VideoFrame, int]]:
    """The decoded frames (with their pts) timed in ``[start_s, end_s)``, source seconds."""
    tb = video.time_base or Fraction(1, 90_000)
    for packet in container.demux(video):
        if cancel is not None and cancel.is_set():
            raise DeriveCancelled(f"{name}: stopped on request")
        for frame in packet.decode():
            assert isinstance(frame, av.VideoFrame)
            if frame.pts is None:
                continue  # no source in the tests has one; the one-pass proxy guesses
            t = frame.pts * tb
            if t < start_s:
                continue  # the pre-roll from the keyframe the seek landed on
            if end_s is not None and t >= end_s:
                return
            yield frame, frame.pts


def join_segments(parts: Sequence[tuple[Path, SegmentFacts]], out: Path) -> int:
    """Join encoded segments, in order, into one proxy MP4 (``+faststart``) by copying.

    :returns: the frames written.
    :raises UnreadableMedia: a segment cannot be read.
    """
    if not parts:
        raise ValueError("no segments to join")
    frames = 0
    last_dts: int | None = None
    output = av.open(str(out), "w", format="mp4", options={"movflags": "+faststart"})
    try:
        target: av.VideoStream | None = None
        first_shape: tuple[int, int] = (0, 0)
        first_extradata: bytes | None = None
        for path, facts in parts:
            try:
                source = av.open(str(path), "r")
            except (av.FFmpegError, ValueError) as exc:
                raise UnreadableMedia(f"proxy segment {facts.index + 1}: {exc}") from exc
            with source:
                stream = source.streams.video[0]
                tb = stream.time_base or Fraction(facts.time_base)
                shape = (stream.codec_context.width, stream.codec_context.height)
                if target is None:
                    target = output.add_stream_from_template(stream)
                    target.time_base = tb
                    first_shape, first_extradata = shape, stream.codec_context.extradata
                    if facts.rotation:
                        target.set_display_rotation(facts.rotation)
                elif (shape, stream.codec_context.extradata) != (first_shape, first_extradata):
                    # Workers with other proxy settings: copying would make a broken file.
                    raise UnreadableMedia(
                        f"proxy segment {facts.index + 1} was encoded with other settings "
                        f"({shape[0]}x{shape[1]}) than the first ({first_shape[0]}x"
                        f"{first_shape[1]}): give every video worker the same "
                        f"MULTICAM_INGEST_PROXY_* settings"
                    )
                shift = round(facts.first_s / tb)
                for packet in source.demux(stream):
                    if packet.dts is None:
                        continue  # the demuxer's end-of-stream marker
                    packet.dts += shift
                    if packet.pts is not None:
                        packet.pts += shift
                    if last_dts is not None and packet.dts <= last_dts:
                        raise UnreadableMedia(
                            f"proxy segment {facts.index + 1} overlaps the one before it"
                        )
                    last_dts = packet.dts
                    packet.stream = target
                    output.mux(packet)
                    frames += 1
    except BaseException:
        output.close()
        out.unlink(missing_ok=True)
        raise
    output.close()
    return frames
