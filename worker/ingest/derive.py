"""Every derived file of one source from a single demux and decode pass.

The main thread demuxes and decodes (FFmpeg threads inside the decoder); each
H.264 output (proxy, mezzanine) encodes in its own thread from a bounded queue;
WAV, waveform and poster frame are cheap and are fed inline from the same frames.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.container
import av.stream
import numpy as np
import numpy.typing as npt

from worker.camera_clock import mezzanine_origin_ms, proxy_origin_ms
from worker.errors import (
    DeriveCancelled,
    ImplausibleAudio,
    ImplausibleTimestamps,
    MediaError,
    NoAudioStream,
    NoVideoStream,
    TruncatedMedia,
    UnreadableMedia,
)
from worker.ingest.audio_out import OUTPUT_RATE, AudioConverter, WavWriter, output_channels
from worker.ingest.boxes import check_boxes
from worker.ingest.config import IngestSettings
from worker.ingest.files import ALL_KINDS, DerivedFile, Kind, Staging
from worker.ingest.probe import (
    ProbeResult,
    main_audio_stream,
    main_video_stream,
    open_media,
    truncated_message,
)
from worker.ingest.thumbnail import ThumbnailPicker, write_jpeg
from worker.ingest.video_out import EncoderThread, VideoSpec, scaled_size
from worker.ingest.waveform import PeakAccumulator, waveform_document

ProgressFn = Callable[[float, str], None]


DEFAULT_KINDS: tuple[Kind, ...] = ("audio-wav", "proxy", "waveform", "thumbnail")
AUDIO_KINDS: tuple[Kind, ...] = ("audio-wav", "waveform")
"""What sync and the review's waveforms need: made first, from the audio alone."""
_PROGRESS_EVERY_S = 1.0
_PROGRESS_STEP = 0.01


def planned_kinds(probe: ProbeResult, config: IngestSettings) -> list[Kind]:
    """The kinds an ingest makes: the defaults, plus a mezzanine for VFR (or always)."""
    kinds = list(DEFAULT_KINDS)
    if probe.vfr or config.always_make_mezzanine:
        kinds.append("mezzanine")
    return kinds


def video_kinds(probe: ProbeResult, config: IngestSettings) -> list[Kind]:
    """The planned kinds that need the video decoded (proxy, thumbnail, mezzanine)."""
    return [k for k in planned_kinds(probe, config) if k not in AUDIO_KINDS]


class _Progress:
    """Throttled progress: at most one call a second or per percent."""

    def __init__(self, fn: ProgressFn | None, duration_s: float, share: float) -> None:
        self._fn = fn
        self._duration = duration_s
        self.share = share  # the decode pass is this fraction of the work
        self._last_t = 0.0
        self._last_f = -1.0

    def report(self, fraction: float, message: str, force: bool = False) -> None:
        if self._fn is None:
            return
        now = time.monotonic()
        if force or (
            fraction - self._last_f >= _PROGRESS_STEP and now - self._last_t >= _PROGRESS_EVERY_S
        ):
            self._last_t, self._last_f = now, fraction
            self._fn(min(1.0, max(0.0, fraction)), message)

    def at(self, t: float, what: str) -> None:
        if self._duration > 0:
            frac = min(1.0, t / self._duration)
            self.report(
                self.share * frac,
                f"{what}: {t:.0f} s of {self._duration:.0f} s ({frac * 100:.0f}%)",
            )


def proxy_spec(
    width: int,
    height: int,
    sar: Fraction | None,
    rate: Fraction,
    time_base: Fraction,
    config: IngestSettings,
    short_side: int | None = None,
) -> VideoSpec:
    """How a proxy of this picture is encoded (a review clip: the same at ``short_side``)."""
    side = config.proxy_height if short_side is None else short_side
    w, h = scaled_size(width, height, sar, side, config.proxy_upscale)
    return VideoSpec(
        container_format="mp4",
        width=w,
        height=h,
        preset=config.proxy_preset,
        crf=config.proxy_crf,
        gop=config.proxy_gop,
        bframes=config.proxy_bframes,
        threads=config.encoder_threads,
        scaler=config.proxy_scaler,
        rate=rate,
        time_base=time_base,
        strict_gop=True,
        faststart=True,
    )


def _h264_specs(
    probe: ProbeResult,
    config: IngestSettings,
    kinds: Collection[Kind],
    video: av.VideoStream,
    channels: int,
) -> dict[Kind, VideoSpec]:
    tb = video.time_base or Fraction(1, 90_000)
    sar = video.sample_aspect_ratio
    specs: dict[Kind, VideoSpec] = {}
    if "proxy" in kinds:
        specs["proxy"] = proxy_spec(probe.width, probe.height, sar, probe.rate, tb, config)
    if "mezzanine" in kinds:
        origin = mezzanine_origin_ms(probe.video_start_ms, probe.audio_start_ms) / 1000.0
        specs["mezzanine"] = VideoSpec(
            # Full size (4:2:0 needs even sizes: an odd last row or column is dropped).
            container_format="mov",
            width=probe.width & ~1,
            height=probe.height & ~1,
            sar=sar,
            preset=config.mezzanine_preset,
            crf=config.mezzanine_crf,
            gop=max(1, round(config.mezzanine_gop_s * probe.fps)),
            bframes=0,
            threads=config.encoder_threads,
            scaler=config.proxy_scaler,
            rate=probe.rate,
            time_base=tb,
            cfr=True,
            origin_s=origin,
            audio=config.mezzanine_audio,
            audio_channels=channels,
        )
    return specs


def _check_complete(
    what: str, decoded_s: float, declared_s: float | None, config: IngestSettings, name: str
) -> None:
    """Raise TruncatedMedia when decoding ended well before the declared duration."""
    if not declared_s or declared_s <= 0:
        return
    tolerance = max(config.truncation_tolerance_s, config.truncation_tolerance_ratio * declared_s)
    if declared_s - decoded_s > tolerance:
        raise TruncatedMedia(
            f"{name}: the file is truncated: its {what} stops at {decoded_s:.1f} s but the "
            f"file declares {declared_s:.1f} s. It was probably cut by an interrupted upload "
            f"or copy; upload the complete original again."
        )


def _declared_s(stream: av.stream.Stream, container: av.container.InputContainer) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000
    return None


def _packets(
    container: av.container.InputContainer, streams: Sequence[av.stream.Stream], name: str
) -> Iterator[av.Packet[Any]]:
    """Demux, turning a read error into a truncation (late) or unreadable (early) error."""
    it = container.demux(*streams)
    seen = 0
    while True:
        try:
            packet = next(it)
        except StopIteration:
            return
        except av.FFmpegError as exc:
            if seen:
                raise TruncatedMedia(
                    f"{name}: the file could not be read to its end ({exc}); "
                    f"it is probably truncated or damaged."
                ) from exc
            raise UnreadableMedia(f"{name}: the file could not be read ({exc}).") from exc
        seen += 1
        yield packet


def _video_shift(kind: str, probe: ProbeResult, video: av.VideoStream) -> tuple[int, float]:
    """How far (source ticks, seconds) a copy-timed output's frames move to start at 0.

    The proxy keeps each frame's own timing, minus its origin; the mezzanine is
    re-timed to a constant rate from its own origin (``VideoSpec.origin_s``).
    """
    if kind != "proxy":
        return 0, 0.0
    origin_s = proxy_origin_ms(probe.video_start_ms, probe.audio_start_ms) / 1000.0
    tb = video.time_base or Fraction(1, 90_000)
    ticks = round(origin_s / tb)
    return ticks, float(ticks * tb)


class _Pass:
    """One demux/decode pass feeding every requested output."""

    def __init__(
        self,
        source: Path,
        staging: Staging,
        probe: ProbeResult,
        config: IngestSettings,
        kinds: Collection[Kind],
        progress: ProgressFn | None,
        cancel: threading.Event | None = None,
    ) -> None:
        self.source, self.staging, self.probe, self.config = source, staging, probe, config
        self.cancel = cancel
        self.kinds = set(kinds)
        self.name = source.name
        self.encode_video = bool({"proxy", "mezzanine"} & self.kinds)
        self.progress = _Progress(progress, probe.duration_s, 0.97 if self.encode_video else 0.9)
        self.bad_packets = 0
        self.encoders: list[EncoderThread] = []
        self.mezzanine: EncoderThread | None = None
        self.wav: WavWriter | None = None
        self.peaks: PeakAccumulator | None = None
        self.converter: AudioConverter | None = None
        self.picker: ThumbnailPicker | None = None
        self.audio_samples = 0
        # Video timing as decoded: first and last frame times (s), nominal frame period.
        self.first_v: float | None = None
        self.last_v = 0.0
        self.period = 1.0 / probe.fps if probe.fps > 0 else 1 / 30

    def run(self) -> None:
        container = open_media(self.source)
        try:
            self._run(container)
        finally:
            for enc in self.encoders:
                enc.abort()
            if self.wav is not None:
                self.wav.close()
            container.close()

    def _decode(self, stream: av.stream.Stream, packet: av.Packet[Any]) -> list[av.frame.Frame]:
        try:
            return list(packet.decode())
        except av.FFmpegError as exc:
            self.bad_packets += 1
            if self.bad_packets > self.config.max_bad_packets:
                raise UnreadableMedia(
                    f"{self.name}: the {stream.type} stream is damaged: more than "
                    f"{self.config.max_bad_packets} packets could not be decoded "
                    f"(last error: {exc})."
                ) from exc
            return []

    def _audio_block(self, block: npt.NDArray[np.int16]) -> None:
        assert self.converter is not None
        if self.wav is not None:
            self.wav.write(block)
        if self.peaks is not None:
            self.peaks.add(block)
        if self.mezzanine is not None:
            start = (self.converter.first_time_s or 0.0) + self.audio_samples / OUTPUT_RATE
            self.mezzanine.put_audio(block, start)
        self.audio_samples += len(block)

    def _setup(
        self, container: av.container.InputContainer
    ) -> tuple[av.VideoStream | None, av.AudioStream]:
        name, probe, config, kinds = self.name, self.probe, self.config, self.kinds
        # A sound recorder's file: its audio is all there is to make (or it has none).
        video = main_video_stream(container) if probe.has_picture else None
        audio = main_audio_stream(container)
        if video is None and (probe.has_picture or not kinds <= set(AUDIO_KINDS)):
            raise NoVideoStream(
                f"{name}: the file has no video stream (audio only); "
                f"upload the camera's video file."
            )
        if audio is None:
            raise NoAudioStream(
                f"{name}: the video has no audio stream, so it cannot be "
                f"synced by sound; check the camera's audio settings."
            )
        for stream in container.streams:
            if stream is not video and stream is not audio:
                stream.discard = av.stream.Discard.all
        for stream in (s for s in (video, audio) if s is not None):
            stream.codec_context.thread_type = "AUTO"
            stream.codec_context.thread_count = config.decoder_threads
        channels = output_channels(probe.audio_channels or audio.codec_context.channels)
        if {"audio-wav", "waveform", "mezzanine"} & kinds:
            self.converter = AudioConverter(channels, _declared_s(audio, container))
        else:
            audio.discard = av.stream.Discard.all
        if "audio-wav" in kinds:
            self.wav = WavWriter(self.staging.path("audio-wav"), channels)
        if "waveform" in kinds:
            self.peaks = PeakAccumulator(config.waveform_samples_per_pixel)
        if video is not None:
            self._setup_picture(container, video, channels)
        return video, audio

    def _setup_picture(
        self, container: av.container.InputContainer, video: av.VideoStream, channels: int
    ) -> None:
        probe, config, kinds = self.probe, self.config, self.kinds
        if "thumbnail" in kinds:
            d = probe.duration_s
            target = config.thumbnail_position * d
            if d > 2 * config.thumbnail_min_time_s:
                target = max(target, config.thumbnail_min_time_s)
            self.picker = ThumbnailPicker(target, target + 0.4 * d)
            if not self.encode_video and self.converter is None and target > 2.0:
                # Only the poster frame is wanted: jump near it instead of decoding all.
                seek_s = probe.video_start_ms / 1000.0 + target - 1.0
                with contextlib.suppress(av.FFmpegError):  # unseekable: decode from the start
                    container.seek(int(seek_s * 1_000_000), backward=True)
        elif not self.encode_video:
            video.discard = av.stream.Discard.all
        for kind, spec in _h264_specs(probe, config, kinds, video, channels).items():
            enc = EncoderThread(kind, self.staging.path(kind), spec, config.queue_frames)
            self.encoders.append(enc)
            enc.start()
            if kind == "mezzanine":
                self.mezzanine = enc

    def _run(self, container: av.container.InputContainer) -> None:
        video, audio = self._setup(container)
        present = [s for s in (video, audio) if s is not None]
        streams = [s for s in present if s.discard != av.stream.Discard.all]
        shifts = (
            {enc.name: _video_shift(enc.name, self.probe, video) for enc in self.encoders}
            if video is not None
            else {}
        )
        for packet in _packets(container, streams, self.name):
            if self.cancel is not None and self.cancel.is_set():
                raise DeriveCancelled(f"{self.name}: stopped on request")
            if video is not None and packet.stream is video:
                if video.discard != av.stream.Discard.all and self._video_packet(
                    video, packet, shifts
                ):
                    break  # the poster frame was all we needed
            elif self.converter is not None:
                self._audio_packet(audio, packet)
        if self.converter is not None:
            for block in self.converter.flush():
                self._audio_block(block)
            if self.wav is not None:
                self.wav.close()
                self.wav = None
        declared_video = _declared_s(video, container) if video is not None else None
        self._check_ends(declared_video, _declared_s(audio, container))
        self._finish_files(video)

    def _video_packet(
        self, video: av.VideoStream, packet: av.Packet[Any], shifts: dict[str, tuple[int, float]]
    ) -> bool:
        """Feed one video packet's frames to every consumer; True: stop demuxing."""
        video_start = self.probe.video_start_ms / 1000.0
        what = "encoding video" if self.encode_video else "decoding"
        picker = self.picker
        for vframe in self._decode(video, packet):
            assert isinstance(vframe, av.VideoFrame)
            t = vframe.time if vframe.time is not None else self.last_v + self.period
            if self.first_v is None:
                self.first_v = t
            self.last_v = t
            if picker is not None and not picker.done:
                picker.offer(vframe, t - video_start)
            for enc in self.encoders:
                ticks, seconds = shifts[enc.name]
                pts = vframe.pts - ticks if vframe.pts is not None else None
                enc.put_video(vframe, pts, t - seconds)
            self.progress.at(t - video_start, what)
        if picker is not None and picker.done and not self.encode_video:
            if self.converter is None:
                return True
            video.discard = av.stream.Discard.all
        return False

    def _audio_packet(self, audio: av.AudioStream, packet: av.Packet[Any]) -> None:
        assert self.converter is not None
        for aframe in self._decode(audio, packet):
            assert isinstance(aframe, av.AudioFrame)
            for block in self.converter.push(aframe):
                self._audio_block(block)
            if not self.encode_video and aframe.time is not None:
                self.progress.at(aframe.time, "decoding audio")

    def _check_ends(self, declared_video: float | None, declared_audio: float | None) -> None:
        """Every stream decoded to its end must reach its declared end."""
        name, config = self.name, self.config
        if self.encode_video:
            if self.first_v is None:
                raise UnreadableMedia(f"{name}: no video frame could be decoded.")
            _check_complete(
                "video", self.last_v - self.first_v + self.period, declared_video, config, name
            )
        if self.converter is not None:
            if self.converter.samples_out == 0:
                raise NoAudioStream(f"{name}: the audio stream holds no decodable sound.")
            _check_complete("audio", self.converter.duration_s, declared_audio, config, name)

    def _finish_files(self, video: av.VideoStream | None) -> None:
        config = self.config
        self.progress.report(self.progress.share, "finishing files", force=True)
        for enc in self.encoders:
            enc.finish()
        if self.picker is not None:
            self.picker.finish()
            if self.picker.frame is None or video is None:
                raise UnreadableMedia(f"{self.name}: no video frame could be decoded.")
            write_jpeg(
                self.picker.frame,
                self.staging.path("thumbnail"),
                config.thumbnail_width,
                config.thumbnail_quality,
                video.sample_aspect_ratio,
            )
        if self.peaks is not None:
            mins, maxs = self.peaks.finish()
            doc = waveform_document(
                mins,
                maxs,
                sample_rate=OUTPUT_RATE,
                samples_per_pixel=config.waveform_samples_per_pixel,
            )
            self.staging.path("waveform").write_text(json.dumps(doc, separators=(",", ":")))


def derive_all(
    source: str | Path,
    out_dir: str | Path,
    probe: ProbeResult,
    config: IngestSettings | None = None,
    progress: ProgressFn | None = None,
    *,
    kinds: Collection[Kind] | None = None,
    cancel: threading.Event | None = None,
) -> list[DerivedFile]:
    """Make every derived file of ``source`` in ``out_dir`` from one decoding pass.

    :param probe: the source's :func:`~worker.ingest.probe.probe` result.
    :param progress: ``progress(fraction, message)``, called about once a second.
    :param kinds: what to make (default :func:`planned_kinds`: WAV, proxy, waveform,
        thumbnail, and a mezzanine for VFR sources or when configured).
    :param cancel: set from another thread to stop the pass (:class:`DeriveCancelled`).
    :returns: the files made, in ``kinds`` order, with size and sha256.
    :raises MediaError: the source cannot be ingested; ``out_dir`` holds nothing new.
    """
    config = config or IngestSettings()
    source, out_dir = Path(source), Path(out_dir)
    chosen: list[Kind] = list(kinds) if kinds is not None else planned_kinds(probe, config)
    unknown = [k for k in chosen if k not in ALL_KINDS]
    if unknown:
        raise ValueError(f"unknown derived kinds {unknown}")
    boxes = check_boxes(source) if source.is_file() and source.stat().st_size else None
    if boxes is not None and boxes.problem is not None:
        raise TruncatedMedia(truncated_message(source.name, boxes.problem))
    with Staging(out_dir) as staging:
        work = _Pass(source, staging, probe, config, chosen, progress, cancel)
        try:
            work.run()
        except MediaError:
            raise
        except ImplausibleTimestamps as exc:
            raise ImplausibleAudio(f"{source.name}: {exc}.") from exc
        except av.FFmpegError as exc:
            raise UnreadableMedia(
                f"{source.name}: the file could not be processed ({exc})."
            ) from exc
        work.progress.report(0.99, "computing checksums", force=True)
        files = staging.commit(chosen)
    if progress is not None:
        progress(1.0, "done")
    return files
