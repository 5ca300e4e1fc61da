"""Camera time: where a derived file's time 0 lies in its source, and master → camera (pure).

Sources rarely start both streams at 0: AAC priming puts audio a little before
video, many cameras start the picture some frames after the sound, and some
containers carry a clock time (an hour and more) as their first timestamp.
Derived files are re-timed so they start at 0; their *origin* is the source
time of that 0. Ingest uses these functions to make the files, the API to tell
a player how to line them up (``proxyOriginMs`` in the sync view):

    proxy time = audioStartMs − proxyOriginMs + (masterTime − offset)·(1 + ppm·1e-6)

(the audio-wav derivative, and so the sync's offsets, start at the first audio
sample, ``audioStartMs``). No PyAV here: the API imports this module too.
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt

Time = TypeVar("Time", float, npt.NDArray[np.float64])


def proxy_origin_ms(video_start_ms: float, audio_start_ms: float) -> float:
    """The source time (ms) at the proxy's time 0: its first frame.

    The proxy carries no sound, so it starts with its first frame. A proxy
    that kept a leading gap (an MP4 edit list's empty edit) is read differently
    by players: Chromium presents the frames at their times but reports the
    duration without the gap, so the last frames could not be reached.
    """
    return video_start_ms


def mezzanine_origin_ms(video_start_ms: float, audio_start_ms: float) -> float:
    """The source time (ms) at the mezzanine's time 0: whichever stream starts first.

    The mezzanine carries picture and sound, each at its own offset from that 0,
    so an editor sees them in sync.
    """
    return min(video_start_ms, audio_start_ms)


def camera_time_ms(master_ms: Time, offset_ms: float, drift_ppm: float = 0.0) -> Time:
    """The camera's file time (ms from its first audio sample) at master time ``master_ms``.

    The product's offset convention (docs/sync.md): the camera's first sample lies
    at ``offset_ms`` on the master's timeline, and a camera whose clock runs fast
    (``drift_ppm`` > 0) has counted more by the time the master reaches ``master_ms``.
    ``master_ms`` may be an array of times (one per sample of a clip).
    """
    return (master_ms - offset_ms) * (1.0 + drift_ppm * 1e-6)


def master_time_ms(camera_ms: Time, offset_ms: float, drift_ppm: float = 0.0) -> Time:
    """The master time (ms) at the camera's file time ``camera_ms``: ``camera_time_ms`` inverted."""
    return offset_ms + camera_ms / (1.0 + drift_ppm * 1e-6)


def proxy_time_ms(
    master_ms: Time,
    offset_ms: float,
    drift_ppm: float,
    audio_start_ms: float,
    video_start_ms: float,
) -> Time:
    """Where master time ``master_ms`` falls on the camera's proxy timeline (ms).

    The formula of the module docstring; the review page's ``proxyTime`` is its twin.
    """
    origin = proxy_origin_ms(video_start_ms, audio_start_ms)
    return camera_time_ms(master_ms, offset_ms, drift_ppm) + audio_start_ms - origin


def master_time_from_proxy_ms(
    proxy_ms: Time,
    offset_ms: float,
    drift_ppm: float,
    audio_start_ms: float,
    video_start_ms: float,
) -> Time:
    """The master time shown at proxy time ``proxy_ms``: :func:`proxy_time_ms` inverted.

    The review page's ``masterTime`` is its twin.
    """
    origin = proxy_origin_ms(video_start_ms, audio_start_ms)
    return master_time_ms(proxy_ms - audio_start_ms + origin, offset_ms, drift_ppm)
