"""H.264 outputs (proxy, mezzanine): one writer per file, each in its own thread.

The writer owns its output container; the thread lets x264 and the scaler work
while the main thread demuxes and decodes (PyAV releases the GIL in both).
"""

from __future__ import annotations

import contextlib
import queue
import threading
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import av.container
import numpy as np
import numpy.typing as npt
from av.video.reformatter import VideoReformatter

from worker.errors import MediaError
from worker.ingest.audio_out import OUTPUT_RATE
from worker.ingest.framerate import CfrScheduler

_END = object()


def even(x: float) -> int:
    """Nearest even integer, at least 2 (4:2:0 needs even sizes)."""
    return max(2, round(x / 2) * 2)


def scaled_size(
    width: int, height: int, sar: Fraction | None, short_side: int, upscale: bool
) -> tuple[int, int]:
    """Square-pixel size whose shorter side is ``short_side``, keeping the display aspect."""
    display_w = width * float(sar) if sar else float(width)
    shorter = min(display_w, float(height))
    scale = short_side / shorter if (upscale or shorter > short_side) else 1.0
    return even(display_w * scale), even(height * scale)


@dataclass(frozen=True)
class VideoSpec:
    """How one H.264 output is made."""

    container_format: Literal["mp4", "mov"]
    width: int
    height: int
    preset: str
    crf: float
    gop: int
    bframes: int
    threads: int
    scaler: str
    rate: Fraction
    time_base: Fraction
    strict_gop: bool = False
    faststart: bool = False
    cfr: bool = False
    origin_s: float = 0.0
    audio: Literal["pcm", "aac"] | None = None
    audio_channels: int = 2
    sar: Fraction | None = None  # pixel aspect of the output (None: square)


class H264Writer:
    """Scales, encodes and muxes frames into one file (not thread-safe: one thread)."""

    def __init__(self, path: Path, spec: VideoSpec) -> None:
        self.spec = spec
        self.frames_out = 0
        options = {"movflags": "+faststart"} if spec.faststart else {}
        self._out = av.open(str(path), "w", format=spec.container_format, options=options)
        x264_opts = {"preset": spec.preset, "crf": f"{spec.crf:g}"}
        if spec.strict_gop:
            # No scene-cut keyframes: the keyframe pattern is exactly every gop frames.
            x264_opts["x264-params"] = "scenecut=0"
        self._vs = self._out.add_stream("libx264", rate=spec.rate, options=x264_opts)
        cc = self._vs.codec_context
        cc.width, cc.height, cc.pix_fmt = spec.width, spec.height, "yuv420p"
        cc.gop_size = spec.gop
        cc.max_b_frames = spec.bframes
        cc.thread_count = spec.threads
        if spec.sar:
            cc.sample_aspect_ratio = spec.sar
        self._tb = Fraction(1) / spec.rate if spec.cfr else spec.time_base
        cc.time_base = self._tb
        self._vs.time_base = self._tb
        self._as: av.AudioStream | None = None
        if spec.audio is not None:
            layout = "mono" if spec.audio_channels == 1 else "stereo"
            codec = "pcm_s16le" if spec.audio == "pcm" else "aac"
            stream = self._out.add_stream(codec, rate=OUTPUT_RATE, layout=layout)
            assert isinstance(stream, av.AudioStream)
            if spec.audio == "aac":
                stream.bit_rate = 256_000
            self._as = stream
        self._reformatter = VideoReformatter()
        self._cfr: CfrScheduler[av.VideoFrame] | None = (
            CfrScheduler(spec.rate) if spec.cfr else None
        )
        self._last_pts: int | None = None
        self._started = False
        self._held_audio: list[tuple[npt.NDArray[np.int16], float]] = []

    def _start(self, frame: av.VideoFrame) -> None:
        # Rotation is known from the first frame; it must be set before the header.
        if frame.rotation:
            self._vs.set_display_rotation(frame.rotation)
        self._started = True
        for block, t in self._held_audio:
            self.audio(block, t)
        self._held_audio.clear()

    def _scale(self, frame: av.VideoFrame) -> av.VideoFrame:
        out = self._reformatter.reformat(
            frame,
            self.spec.width,
            self.spec.height,
            "yuv420p",
            interpolation=self.spec.scaler.upper(),
        )
        if out is frame:
            # The decoded frame is shared with other outputs: never retime it in place.
            out = av.VideoFrame.from_ndarray(frame.to_ndarray(), format="yuv420p")
        return out

    def _encode(self, frame: av.VideoFrame | None) -> None:
        self._out.mux(self._vs.encode(frame))

    def video(self, frame: av.VideoFrame, pts: int | None, t: float) -> None:
        """Add a decoded frame: ``pts`` in the source time base, ``t`` in seconds."""
        if not self._started:
            self._start(frame)
        if self._cfr is not None:
            scaled = self._scale(frame)
            for slot, item in self._cfr.push(scaled, t - self.spec.origin_s):
                self._emit(item, slot)
            return
        if pts is None:
            pts = round(t / self._tb)
        if self._last_pts is not None and pts <= self._last_pts:
            pts = self._last_pts + 1  # the muxer refuses equal or falling timestamps
        self._last_pts = pts
        self._emit(self._scale(frame), pts)

    def _emit(self, frame: av.VideoFrame, pts: int) -> None:
        frame.pts = pts
        frame.time_base = self._tb
        # A scaled frame keeps the decoder's picture type, and libx264 turns a source
        # I-frame into a keyframe: clear it so the GOP is the spec's, not the camera's.
        frame.pict_type = av.video.frame.PictureType.NONE
        self._encode(frame)
        self.frames_out += 1

    def audio(self, block: npt.NDArray[np.int16], t: float) -> None:
        """Add 48 kHz int16 samples ``(n, channels)`` starting at source time ``t``."""
        if self._as is None:
            return
        if not self._started:
            self._held_audio.append((block, t))
            return
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(block).reshape(1, -1), format="s16", layout=self._as.layout.name
        )
        frame.sample_rate = OUTPUT_RATE
        frame.time_base = Fraction(1, OUTPUT_RATE)
        frame.pts = round((t - self.spec.origin_s) * OUTPUT_RATE)
        self._out.mux(self._as.encode(frame))

    def close(self) -> None:
        """Flush the encoders and finish the file (with +faststart, moves the index)."""
        try:
            if self._cfr is not None:
                for slot, item in self._cfr.finish():
                    self._emit(item, slot)
            if self._started:
                self._encode(None)
                if self._as is not None:
                    self._out.mux(self._as.encode(None))
        finally:
            self._out.close()

    def abort(self) -> None:
        """Close without flushing (the file is thrown away)."""
        with contextlib.suppress(av.FFmpegError, OSError):
            self._out.close()


class EncoderThread:
    """Feeds an :class:`H264Writer` from a bounded queue in a worker thread."""

    def __init__(self, name: str, path: Path, spec: VideoSpec, queue_size: int) -> None:
        self.name = name
        self._path = path
        self._spec = spec
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_size)
        self._error: BaseException | None = None
        self._aborting = False
        self._thread = threading.Thread(target=self._run, name=f"ingest-{name}", daemon=True)
        self.frames_out = 0

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        writer: H264Writer | None = None
        item: object = None
        try:
            writer = H264Writer(self._path, self._spec)
            while (item := self._queue.get()) is not _END:
                if self._aborting:
                    continue
                if isinstance(item, tuple) and item[0] == "v":
                    writer.video(item[1], item[2], item[3])
                elif isinstance(item, tuple):
                    writer.audio(item[1], item[2])
            if self._aborting:
                writer.abort()
            else:
                writer.close()
                self.frames_out = writer.frames_out
            writer = None
        except BaseException as exc:
            self._error = exc
            if writer is not None:
                writer.abort()
            # Keep taking items so the producer never blocks on a dead consumer.
            while item is not _END:
                item = self._queue.get()

    def _check(self) -> None:
        if self._error is None:
            return
        if isinstance(self._error, MediaError):
            raise self._error
        # Not the source's fault as such (settings, disk): still an operator-readable error.
        raise MediaError(f"making the {self.name} failed: {self._error}") from self._error

    def put_video(self, frame: av.VideoFrame, pts: int | None, t: float) -> None:
        self._check()
        self._queue.put(("v", frame, pts, t))

    def put_audio(self, block: npt.NDArray[np.int16], t: float) -> None:
        self._check()
        self._queue.put(("a", block, t))

    def finish(self) -> None:
        """Wait for the file to be complete; raise the worker's error if it failed."""
        self._queue.put(_END)
        self._thread.join()
        self._check()

    def abort(self) -> None:
        """Stop after the current item; the caller deletes the file."""
        self._aborting = True
        if self._thread.is_alive():
            # Drop what is queued so the worker reaches the end marker quickly.
            try:
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
            self._queue.put(_END)
            self._thread.join()
