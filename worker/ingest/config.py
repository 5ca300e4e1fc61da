"""Ingest settings (environment variables prefixed ``MULTICAM_INGEST_``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from worker.settings import ENV_FILE
from worker.timestamp_gaps import MAX_BAD_PACKETS

Scaler = Literal["fast_bilinear", "bilinear", "bicubic", "area", "lanczos"]


class IngestSettings(BaseSettings):
    """How the derived files of one asset are made."""

    model_config = SettingsConfigDict(
        env_prefix="MULTICAM_INGEST_", extra="ignore", env_file=ENV_FILE, env_file_encoding="utf-8"
    )

    proxy_height: int = Field(
        720,
        ge=16,
        description="Proxy size as its shorter side in pixels (720 = 720p; a portrait source "
        "gets this width). Width follows the display aspect, rounded to even.",
    )
    proxy_upscale: bool = Field(
        False, description="Scale sources smaller than proxy_height up (false: keep their size)."
    )
    # Proxy GOP and CRF are chosen by benchmarks/preview_bench.py (seek-to-frame and
    # start-up in Chromium against size; figures in docs/ingest.md).
    proxy_preset: str = Field("veryfast", description="libx264 preset of the proxy.")
    proxy_crf: float = Field(
        26.0,
        ge=0,
        le=51,
        description="libx264 CRF of the proxy (26: on grainy camera footage about half the "
        "size of CRF 23, and browser seeks are faster because there are fewer "
        "bits to decode; it gives up about 1 dB of luma PSNR, mostly fine "
        "texture and grain: see docs/ingest.md).",
    )
    proxy_gop: int = Field(
        15,
        ge=1,
        description="Proxy keyframe interval in frames, exact (15: 0.5 s at 30 fps; a browser "
        "seek decodes from the keyframe before the target, about 9 frames on "
        "average; at CRF 26 that lands faster than the old GOP 2 at CRF 23, "
        "whose proxy was 6x the size).",
    )
    proxy_bframes: int = Field(
        0,
        ge=0,
        le=16,
        description="B-frames in the proxy (0: none; frames decode in presentation order).",
    )
    proxy_scaler: Scaler = Field(
        "bicubic",
        description="swscale algorithm for proxy and mezzanine scaling "
        "(bicubic is FFmpeg's scale filter default).",
    )
    review_clip_height: int = Field(
        360,
        ge=16,
        description="Review clips' shorter side in pixels (360: enough to see a clap and "
        "lips move; a quarter of the 720p proxy's encoding work, so every camera's clips "
        "are ready within seconds while the proxies take minutes).",
    )
    waveform_samples_per_pixel: int = Field(
        256,
        ge=32,
        description="Audio samples (at 48 kHz) per waveform point; peaks.js zooms out from "
        "this, never in.",
    )
    thumbnail_width: int = Field(640, ge=16, description="Poster frame width in pixels.")
    thumbnail_position: float = Field(
        0.1,
        ge=0,
        le=0.95,
        description="Poster frame position as a fraction of the duration; a black frame there "
        "is skipped for the next non-black one.",
    )
    thumbnail_min_time_s: float = Field(
        1.0,
        ge=0,
        description="Never take the poster frame before this time (s) when the "
        "clip is longer than twice it.",
    )
    thumbnail_quality: int = Field(
        3, ge=2, le=31, description="JPEG quantiser (MJPEG qscale: 2 best, 31 worst)."
    )
    always_make_mezzanine: bool = Field(
        False, description="Make a CFR mezzanine for every source (false: only for VFR ones)."
    )
    mezzanine_preset: str = Field("veryfast", description="libx264 preset of the mezzanine.")
    mezzanine_crf: float = Field(
        16.0,
        ge=0,
        le=51,
        description="libx264 CRF of the mezzanine (16: visually lossless for editing).",
    )
    mezzanine_gop_s: float = Field(1.0, gt=0, description="Mezzanine keyframe interval (s).")
    mezzanine_audio: Literal["pcm", "aac"] = Field(
        "pcm", description="Mezzanine audio: 48 kHz PCM s16le (lossless) or AAC 256 kb/s."
    )
    decoder_threads: int = Field(0, ge=0, description="Decoder threads (0: FFmpeg's choice).")
    encoder_threads: int = Field(0, ge=0, description="x264 threads per encode (0: auto).")
    queue_frames: int = Field(
        8,
        ge=1,
        le=256,
        description="Decoded frames buffered per encoder thread (memory "
        "is about 3 MB per 1080p frame).",
    )
    max_bad_packets: int = Field(
        MAX_BAD_PACKETS,
        ge=0,
        description="Undecodable packets tolerated before the file is declared damaged.",
    )
    truncation_tolerance_s: float = Field(
        0.5,
        ge=0,
        description="Decoded media may end this much (s) before the declared "
        "duration without being called truncated.",
    )
    truncation_tolerance_ratio: float = Field(
        0.02,
        ge=0,
        le=1,
        description="... or this fraction of the declared duration, whichever is larger.",
    )
    # What the probe accepts: a file beyond one of these fails its asset at once (before
    # any decoding), with the limit and its setting in errorMessage.
    max_frame_side: int = Field(
        8192,
        ge=16,
        description="Largest picture width or height (pixels) accepted; a larger file fails "
        "its asset (8192: 8K DCI).",
    )
    max_frame_pixels: int = Field(
        8192 * 4320,
        ge=256,
        description="Largest picture size (width x height, pixels) accepted; a larger file "
        "fails its asset (8192 x 4320: 8K DCI).",
    )
    max_duration_s: float = Field(
        24 * 3600,
        gt=0,
        description="Longest duration (s) accepted, as the container declares it; a longer "
        "file fails its asset.",
    )
    max_audio_channels: int = Field(
        32, ge=1, description="Most channels accepted in any audio stream; more fails the asset."
    )
    max_streams: int = Field(
        32,
        ge=1,
        description="Most streams (video, audio, subtitles, data, ...) accepted in one "
        "file; more fails the asset.",
    )
