"""The poster frame: picked from the decoded frames as they pass, written as a JPEG."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from worker.ingest.video_out import even

# Like FFmpeg's blackdetect: a frame is black when 98% of its pixels are darker
# than 10% of the luma range above black (16 + 0.1 * 219).
_BLACK_LUMA = 38
_BLACK_RATIO = 0.98
_SUBSAMPLE = 8  # look at every 8th pixel of every 8th row: plenty for a black test


def is_black(frame: av.VideoFrame) -> bool:
    """True for a (nearly) black picture; reads the luma plane in place."""
    plane = frame.planes[0]
    rows = np.frombuffer(memoryview(plane), np.uint8).reshape(-1, plane.line_size)
    luma = rows[: frame.height : _SUBSAMPLE, : frame.width : _SUBSAMPLE]
    # Full-range (yuvj) luma starts at 0, limited range at 16.
    threshold = int(255 * 0.1) if frame.format.name.startswith("yuvj") else _BLACK_LUMA
    return bool(np.count_nonzero(luma < threshold) >= _BLACK_RATIO * luma.size)


class ThumbnailPicker:
    """Keeps the first non-black frame at or after ``target_s``.

    Black frames are skipped until ``give_up_s``; then (or at the end of the
    stream) the last frame seen is used rather than nothing.
    """

    def __init__(self, target_s: float, give_up_s: float) -> None:
        self.target_s = target_s
        self.give_up_s = max(give_up_s, target_s)
        self.frame: av.VideoFrame | None = None
        self.time_s: float | None = None
        self._last: tuple[av.VideoFrame, float] | None = None
        self._planar_yuv: bool | None = None

    @property
    def done(self) -> bool:
        return self.frame is not None

    def offer(self, frame: av.VideoFrame, t: float) -> None:
        """Look at a decoded frame (``t`` in seconds from the start of the video)."""
        if self.done:
            return
        self._last = (frame, t)
        if t < self.target_s:
            return
        if self._planar_yuv is None:
            self._planar_yuv = frame.format.name.startswith("yuv")
        if t >= self.give_up_s or not self._planar_yuv or not is_black(frame):
            self.frame, self.time_s = frame, t

    def finish(self) -> None:
        """End of stream: fall back to the last frame seen."""
        if not self.done and self._last is not None:
            self.frame, self.time_s = self._last


def write_jpeg(
    frame: av.VideoFrame, path: Path, width: int, quality: int, sar: Fraction | None = None
) -> tuple[int, int]:
    """Scale ``frame`` to ``width`` (display aspect, rotation applied) and save as JPEG."""
    display_w = frame.width * float(sar) if sar else float(frame.width)
    quarter_turns = round(-frame.rotation / 90) % 4  # display matrix is counter-clockwise
    src_w, src_h = (display_w, frame.height)
    if quarter_turns % 2:
        out_h = even(width * src_w / src_h)
        scaled_w, scaled_h = out_h, width  # scale before turning
    else:
        out_h = even(width * src_h / src_w)
        scaled_w, scaled_h = width, out_h
    if quarter_turns:
        rgb = frame.reformat(scaled_w, scaled_h, "rgb24", interpolation="BICUBIC").to_ndarray()
        turned: npt.NDArray[np.uint8] = np.ascontiguousarray(np.rot90(rgb, k=-quarter_turns))
        picture = av.VideoFrame.from_ndarray(turned, format="rgb24").reformat(format="yuvj420p")
    else:
        picture = frame.reformat(scaled_w, scaled_h, "yuvj420p", interpolation="BICUBIC")
    encoder = av.CodecContext.create("mjpeg", "w")
    encoder.width, encoder.height = picture.width, picture.height
    encoder.pix_fmt = "yuvj420p"
    encoder.time_base = Fraction(1, 25)
    # Fixed quantiser (qscale) instead of a bit rate: the quality setting is direct.
    encoder.flags |= av.codec.context.Flags.qscale
    encoder.global_quality = quality * 118  # FF_QP2LAMBDA
    packets = encoder.encode(picture) + encoder.encode(None)
    if not packets:
        raise RuntimeError("the JPEG encoder produced nothing")
    path.write_bytes(bytes(packets[0]))
    return picture.width, picture.height
