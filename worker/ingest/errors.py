"""Ingest failures, each with a message an operator can act on (Strapi's errorMessage)."""

from __future__ import annotations


class IngestError(Exception):
    """An asset cannot be ingested; ``str(err)`` is shown to the operator as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UnreadableMedia(IngestError):
    """Not a media file FFmpeg can read (corrupt, wrong format, empty, missing)."""


class NoVideoStream(IngestError):
    """Media without a video stream (an audio recorder's file, a WAV, ...)."""


class NoAudioStream(IngestError):
    """Video without sound: it cannot be synced by audio."""


class TruncatedMedia(IngestError):
    """The file ends early: an interrupted upload or copy, or a recording never finalised."""


class ImplausibleAudio(IngestError):
    """Audio timestamps or length that would decode to far more than the file holds."""


class MediaOverLimit(IngestError):
    """A file beyond what this service accepts (picture size, duration, channels,
    streams): the message names the limit and the MULTICAM_INGEST_* setting that sets it."""
