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
  x SyncInputError            the inputs cannot be synced at all (engine, ``multicam sync``)
  x ImplausibleTimestamps     (ValueError) audio timestamps or length that cannot be trusted
  x DeriveCancelled           a derive pass stopped at its caller's request (job timeout)
  x ReviewRejected            a review's content is invalid: 422, bounced in the admin
  x ReviewConflict            the session or result cannot be reviewed now: 409
  x NoAudio                   a camera's audio-wav cannot be read for the listen check
  x WavError                  (ValueError) not a WAV the listen check reads
  x Unsatisfiable             a byte range outside the object: 416
  x UnknownFormat             (ValueError) a timeline file name of no known format
  x NotWritable               (ValueError) the format cannot hold this timeline
  x ArgumentsError            bad command-line arguments, found before any work (exit 2)
  x UploadFailed              ``multicam upload`` cannot go on; the message is for the operator

Other libraries' exceptions cannot join the tree; which of them count as transient
(Strapi unreachable or 5xx, Redis errors, the network) is ``TRANSIENT`` in
:mod:`worker.transient`, the one list every ``except`` uses.

This module imports nothing (but a type for a signature): the sync engine's decoder
raises the media errors, and it stays free of the service's network clients. The API's
error body (``worker.api.errors.ApiError``) is a response, not part of the tree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from worker.review.validate import Problem

__all__ = [
    "ArgumentsError",
    "DeriveCancelled",
    "DiskSpaceLow",
    "ImplausibleAudio",
    "ImplausibleTimestamps",
    "MediaError",
    "MediaOverLimit",
    "MulticamError",
    "NoAudio",
    "NoAudioStream",
    "NoVideoStream",
    "NotWritable",
    "Retryable",
    "ReviewConflict",
    "ReviewRejected",
    "SessionBusy",
    "SyncInputError",
    "TruncatedMedia",
    "UnknownFormat",
    "UnreadableMedia",
    "Unsatisfiable",
    "UploadFailed",
    "WavError",
]


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


class WavError(MulticamError, ValueError):
    """Not a WAV this reads: 16-bit PCM, with its data chunk in the first HEADER_BYTES."""


class ReviewRejected(MulticamError):
    """The review's content is invalid (HTTP 422; bounced back to pending in the admin)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(p.msg for p in problems))
        self.problems = list(problems)

    def describe(self, names: Mapping[str, str]) -> list[tuple[str, str]]:
        """(dotted field path, message) pairs, fields named as the caller knows them."""
        return [(".".join([names.get(p.field, p.field), *p.loc]), p.msg) for p in self.problems]


class ReviewConflict(MulticamError):
    """The session or its result cannot be reviewed now (HTTP 409; bounced in the admin)."""


class NoAudio(MulticamError):
    """A camera's audio-wav cannot be read (missing, expired, not a WAV we read)."""


class Unsatisfiable(MulticamError):
    """No byte of the object is in the range asked for."""


class DeriveCancelled(MulticamError):
    """The caller asked the pass to stop (its job timed out or was cancelled)."""


class SyncInputError(MulticamError):
    """The inputs cannot be synced at all (bad arguments, unreadable files)."""


class UnknownFormat(MulticamError, ValueError):
    """A file name whose extension is none of the timeline formats."""


class NotWritable(MulticamError, ValueError):
    """The format's adapter cannot write this timeline (mostly: not at its frame rate)."""


class ArgumentsError(MulticamError):
    """Bad arguments, found before any work (exit status 2)."""


class UploadFailed(MulticamError):
    """The upload cannot go on; the message is for the operator."""


class ImplausibleTimestamps(MulticamError, ValueError):
    """The audio's timestamps or length cannot be trusted; ``str()`` says why."""
