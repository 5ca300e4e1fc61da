"""Streaming audio decode with PyAV: one mono int16 track at the analysis rate.

This is the only I/O in the sync engine. FFmpeg's filter graph does the
downmix, resampling, conversion to 16-bit and re-blocking in C, so Python
touches each compressed frame only once; an hour of 48 kHz audio ends up as
58 MB at 8 kHz instead of ~1.4 GB of float32 at the source rate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av
import av.filter
import numpy as np
import numpy.typing as npt

from worker.errors import ImplausibleAudio, ImplausibleTimestamps, NoAudioStream, UnreadableMedia
from worker.errors import MediaError as MediaError
from worker.timestamp_gaps import MAX_BAD_PACKETS, GapFiller

ANALYSIS_RATE = 8000
# Frames are re-blocked to this many samples so Python handles few, large arrays.
_OUT_BLOCK = 65536

ProgressFn = Callable[[float], None]


# The media errors are worker.errors' (one vocabulary with ingest). The engine catches
# NoAudioStream first (the camera is left out) and then MediaError (the sync stops).


@dataclass(frozen=True)
class AudioInfo:
    """What the decoder learned about the source audio stream."""

    codec: str
    sample_rate: int
    channels: int
    duration_s: float  # the source's own length (``_trailing_padding`` left out)
    gaps_filled: int
    bad_packets: int


@dataclass(frozen=True)
class DecodedAudio:
    """Mono int16 samples at ``rate`` (full scale 32768); sample 0 is the stream's
    first decoded sample."""

    samples: npt.NDArray[np.int16]
    rate: int
    info: AudioInfo
    scale: float = 1.0 / 32768.0

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate


def _open(path: Path) -> av.container.InputContainer:
    if not path.exists():
        raise UnreadableMedia(f"{path}: file not found")
    if not path.is_file():
        raise UnreadableMedia(f"{path}: not a regular file")
    try:
        return av.open(str(path), mode="r")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise UnreadableMedia(f"{path}: not a readable media file ({exc})") from exc


def _stream_duration_s(container: av.container.InputContainer, stream: av.AudioStream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return 0.0


class _Collector:
    """Grows one preallocated int16 buffer instead of keeping a list of blocks."""

    def __init__(self, expected: int) -> None:
        self._buf = np.empty(max(expected, _OUT_BLOCK), dtype=np.int16)
        self._n = 0

    def add(self, block: npt.NDArray[np.int16]) -> None:
        need = self._n + len(block)
        if need > len(self._buf):
            grown = np.empty(max(need, int(len(self._buf) * 1.5)), dtype=np.int16)
            grown[: self._n] = self._buf[: self._n]
            self._buf = grown
        self._buf[self._n : need] = block
        self._n = need

    def result(self) -> npt.NDArray[np.int16]:
        return self._buf[: self._n].copy() if self._n < len(self._buf) else self._buf


def _build_graph(
    stream: av.AudioStream, rate: int
) -> tuple[av.filter.Graph, av.filter.FilterContext]:
    """The decode graph and its source: downmix first, so the resampler runs on one channel."""
    graph = av.filter.Graph()
    src = graph.add_abuffer(template=stream)
    mono = graph.add("aformat", "sample_fmts=fltp:channel_layouts=mono")
    # Half FFmpeg's default filter length: a third less decode CPU on 48 kHz
    # sources; the wider transition band only touches the top 5 % of the band.
    resample = graph.add("aresample", f"{rate}:filter_size=16")
    # 16 bits keep ~96 dB of range: far more than correlation needs, at half the memory.
    fmt = graph.add("aformat", "sample_fmts=s16:channel_layouts=mono")
    block = graph.add("asetnsamples", f"n={_OUT_BLOCK}:p=0")
    sink = graph.add("abuffersink")
    src.link_to(mono)
    mono.link_to(resample)
    resample.link_to(fmt)
    fmt.link_to(block)
    block.link_to(sink)
    graph.configure()
    return graph, src


def _drain(graph: av.filter.Graph, out: _Collector) -> None:
    while True:
        try:
            frame = graph.pull()
        except (av.BlockingIOError, av.EOFError):
            return
        out.add(frame.to_ndarray()[0])


_SAMPLE_DTYPES = {
    "u8": np.uint8,
    "s16": np.int16,
    "s32": np.int32,
    "s64": np.int64,
    "flt": np.float32,
    "dbl": np.float64,
}


def _silence_like(frame: av.AudioFrame, samples: int) -> av.AudioFrame:
    fmt = frame.format
    channels = frame.layout.nb_channels
    shape = (channels, samples) if fmt.is_planar else (1, samples * channels)
    dtype = _SAMPLE_DTYPES[fmt.name.removesuffix("p")]
    silent = av.AudioFrame.from_ndarray(
        np.zeros(shape, dtype=dtype), format=fmt.name, layout=frame.layout.name
    )
    silent.sample_rate = frame.sample_rate
    return silent


def _trailing_padding(frame: av.AudioFrame, tb: float) -> int:
    """Samples at the end of ``frame`` past its packet's stated duration.

    An encoder pads its last frame to a whole frame (AAC: 1024 samples) and says
    how much is real in the packet's duration; the decoder still outputs the whole
    frame. The padding is not recorded sound: a split recording's next file starts
    where the real audio ends. Time bases coarser than a sample (Matroska's
    milliseconds) cannot say it, so nothing is trimmed by them.
    """
    rate = frame.sample_rate
    if not frame.duration or not tb or not rate or tb > 1.0 / rate:
        return 0
    return max(0, frame.samples - round(frame.duration * tb * rate))


def decode_audio(
    path: str | Path,
    *,
    rate: int = ANALYSIS_RATE,
    progress: ProgressFn | None = None,
    max_bad_packets: int = MAX_BAD_PACKETS,
) -> DecodedAudio:
    """Decode the first audio stream of ``path`` to mono 16-bit samples at ``rate``.

    :param path: any file FFmpeg can demux.
    :param rate: output sample rate (analysis rate).
    :param progress: called with the decoded fraction in [0, 1] now and then.
    :param max_bad_packets: undecodable packets tolerated before the stream is damaged
        (the same default as ingest's ``MULTICAM_INGEST_MAX_BAD_PACKETS``).
    :raises MediaError: file missing or not media (``UnreadableMedia``), or timestamps
        that cannot be trusted (``ImplausibleAudio``).
    :raises NoAudioStream: media without a decodable audio stream.
    """
    path = Path(path)
    container = _open(path)
    try:
        if not container.streams.audio:
            raise NoAudioStream("no audio stream in the file")
        stream = container.streams.audio[0]
        for other in container.streams:
            if other is not stream:
                # Without this the demuxer still parses every video packet.
                other.discard = av.stream.Discard.all
        duration = _stream_duration_s(container, stream)
        out = _Collector(int(duration * rate) + rate if duration > 0 else 60 * rate)
        graph, source = _build_graph(stream, rate)

        src_rate = stream.rate or stream.codec_context.sample_rate or 0
        tb = float(stream.time_base) if stream.time_base is not None else 0.0
        # Dropped audio is filled with silence so later samples keep their true time,
        # within the caps of worker.timestamp_gaps.
        gaps = GapFiller(duration)
        bad = 0
        pushed = 0
        source_samples = padding = 0  # at the source rate, for the exact length
        finished = False
        while not finished:
            # container.decode runs its demux/decode loop in C: a third less CPU
            # than packet.decode() per packet from Python. A bad packet ends the
            # generator; a new one resumes at the demuxer's position after it.
            try:
                for frame in container.decode(stream):
                    pts = frame.pts
                    start = pts * tb if pts is not None and tb else None
                    gap = gaps.silence_before(start, frame.samples / frame.sample_rate)
                    if gap > 0:
                        filled = round(gap * frame.sample_rate)
                        source.push(_silence_like(frame, filled))
                        source_samples += filled
                    padding = _trailing_padding(frame, tb)
                    source_samples += frame.samples
                    source.push(frame)
                    pushed += 1
                    if pushed % 256 == 0:
                        _drain(graph, out)
                        if progress is not None and duration > 0:
                            progress(min(1.0, gaps.decoded_s / duration))
                finished = True
            except av.FFmpegError as exc:
                bad += 1
                if bad > max_bad_packets:
                    raise NoAudioStream(
                        f"audio stream is corrupt ({bad} undecodable packets: {exc})"
                    ) from None
        source.push(None)
        _drain(graph, out)
        samples = out.result()
    except ImplausibleTimestamps as exc:
        raise ImplausibleAudio(f"{path}: {exc}") from None
    except av.FFmpegError as exc:
        raise NoAudioStream(f"audio could not be decoded ({exc})") from exc
    finally:
        container.close()

    if len(samples) == 0:
        raise NoAudioStream("audio stream holds no decodable samples")
    if progress is not None:
        progress(1.0)
    info = AudioInfo(
        codec=stream.codec_context.name,
        sample_rate=int(src_rate),
        channels=int(stream.codec_context.channels or 0),
        duration_s=(source_samples - padding) / src_rate if src_rate else len(samples) / rate,
        gaps_filled=gaps.gaps,
        bad_packets=bad,
    )
    return DecodedAudio(samples=samples, rate=rate, info=info)


@dataclass(frozen=True)
class AudioProbe:
    """What opening a file tells before decoding it (for the parallel schedule)."""

    duration_s: float  # 0.0 when unknown
    decode_cost: float  # CPU cost of decoding its audio, in seconds of compressed audio
    picture: bool = False  # a video stream that is not just cover art


# An hour of 48 kHz stereo PCM takes about a third of the decode CPU of AAC or FLAC.
_PCM_COST = 0.35


def probe_audio(path: str | Path) -> AudioProbe:
    """Duration, relative decode cost and whether ``path`` has a picture (zeros and
    False when it cannot be opened)."""
    try:
        with av.open(str(path)) as container:
            audio = container.streams.audio[0] if container.streams.audio else None
            if container.duration is not None:
                duration = container.duration / 1_000_000
            else:
                duration = _stream_duration_s(container, audio) if audio is not None else 0.0
            pcm = audio is not None and audio.codec_context.name.startswith("pcm_")
            # An MP3's or M4A's cover image is a video stream too: not a picture.
            picture = any(
                not v.disposition & av.stream.Disposition.attached_pic
                for v in container.streams.video
            )
    except (av.FFmpegError, OSError):
        return AudioProbe(0.0, 0.0)
    return AudioProbe(duration, duration * (_PCM_COST if pcm else 1.0), picture)
