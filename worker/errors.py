"""The service's own exceptions, in one tree:

* MulticamError
  x Retryable                 the other side may be back in a moment: the job is retried
    + DiskSpaceLow            the work dir cannot take a download now
    + SessionBusy             another review or sync holds the session's result lock
    + StorageUnavailable      (worker/storage/errors.py) connection, timeout, 5xx, throttling
  x StorageError              (worker/storage/errors.py) missing object, checksum mismatch, ...
    + StorageUnavailable      (the same class: a storage error, and retryable)
  x MediaError                the file itself cannot be used; ``str()`` is for the operator
    + UnreadableMedia         not media FFmpeg can read: missing, empty, corrupt, damaged
    + NoVideoStream           sound only (an audio recorder's file, a WAV, ...)
    + NoAudioStream           no usable sound: it cannot be synced by audio
    + TruncatedMedia          ends early (an interrupted upload or copy)
    + ImplausibleAudio        timestamps or length that would decode to far more than it holds
    + MediaOverLimit          beyond a MULTICAM_INGEST_* limit (picture size, duration, ...)

Other libraries' exceptions cannot join the tree; which of them count as transient
(Strapi unreachable or 5xx, Redis errors, the network) is ``TRANSIENT`` in
:mod:`worker.transient`, the one list every ``except`` uses.

This module imports nothing: the sync engine's decoder raises the media errors, and it
stays free of the service's network clients.
"""

from __future__ import annotations


class MulticamError(Exception):
    """Base of every exception the service defines."""


class Retryable(MulticamError):
    """Not the work's fault: the same attempt may succeed later (and is not counted)."""


class DiskSpaceLow(Retryable):
    """The work dir cannot take a download now; the job waits and tries again."""


class SessionBusy(Retryable):
    """Another review or sync of the session held its lock for longer than we waited."""


class MediaError(MulticamError):
    """The file cannot be used as it is; ``str(err)`` is shown to the operator as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UnreadableMedia(MediaError):
    """Not a media file FFmpeg can read (corrupt, wrong format, empty, missing, damaged)."""


class NoVideoStream(MediaError):
    """Media without a video stream (an audio recorder's file, a WAV, ...)."""


class NoAudioStream(MediaError):
    """Media without usable sound (no audio stream, or one that decodes to nothing or to
    silence): it cannot be synced by audio."""


class TruncatedMedia(MediaError):
    """The file ends early: an interrupted upload or copy, or a recording never finalised."""


class ImplausibleAudio(MediaError):
    """Audio timestamps or length that would decode to far more than the file holds."""


class MediaOverLimit(MediaError):
    """A file beyond what this service accepts (picture size, duration, channels,
    streams): the message names the limit and the MULTICAM_INGEST_* setting that sets it."""
