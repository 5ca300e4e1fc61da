"""Which moments of a synced session the review clips show (pure: arrays in, windows out).

A sync is checked by eye at the moments that prove it: a clap or knock seen and
heard on every camera, plus the start, middle and end of each camera's overlap
with the master (a drifting clock shows at the end, a wrong take at the start).
Times here are milliseconds on the master's timeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

WINDOW_MS = 4000.0
"""How long one review clip is."""
PRE_ROLL_MS = 1500.0
"""How much of a clip comes before its event: the clap is seen coming."""
EVENTS_PER_CLIP = 2
RISE_BASELINE_S = 0.25
"""An event is a rise of the envelope over its maximum in this much before it."""


@dataclass(frozen=True)
class Event:
    """A sudden loud sound on the master's timeline."""

    at_ms: float
    rise: float  # envelope rise, full scale 1.0


@dataclass(frozen=True)
class Window:
    """A span of the master's timeline that one review clip shows."""

    start_ms: float
    end_ms: float
    reasons: tuple[str, ...]  # "event", "start", "middle", "end"

    @property
    def duration_ms(self) -> float:
        return self.end_ms - self.start_ms


Span = tuple[float, float]


def loud_events(
    mins: npt.NDArray[np.integer] | npt.NDArray[np.floating],
    maxs: npt.NDArray[np.integer] | npt.NDArray[np.floating],
    points_per_s: float,
    *,
    full_scale: float = 128.0,
    count: int = 8,
    min_gap_ms: float = WINDOW_MS,
    min_rise: float = 0.05,
) -> list[Event]:
    """The ``count`` sharpest rises of a waveform's envelope, strongest first.

    :param mins: the waveform's per-point minima (the peaks.js / audiowaveform data).
    :param maxs: its maxima, the same length.
    :param points_per_s: waveform points per second (sample rate / samples per pixel).
    :param full_scale: the value of a full-scale sample (128 for 8-bit waveforms).
    :param min_gap_ms: events closer than this to a stronger one are dropped.
    :param min_rise: rises below this fraction of full scale are not events.
    """
    env = np.maximum(np.abs(np.asarray(mins, np.float32)), np.abs(np.asarray(maxs, np.float32)))
    env /= full_scale
    k = max(1, round(RISE_BASELINE_S * points_per_s))
    if env.size <= k:
        return []
    padded = np.concatenate([np.full(k, env[0], np.float32), env])
    before = np.lib.stride_tricks.sliding_window_view(padded, k)[:-1].max(axis=1)
    rise = env - before
    order = np.argsort(rise)[::-1]
    gap = min_gap_ms * points_per_s / 1000.0
    chosen: list[int] = []
    for i in order:
        if rise[i] < min_rise or len(chosen) >= count:
            break
        if all(abs(int(i) - j) >= gap for j in chosen):
            chosen.append(int(i))
    return [Event(at_ms=1000.0 * i / points_per_s, rise=float(rise[i])) for i in chosen]


def overlap(span: Span, other: Span) -> Span | None:
    """The common part of two spans, None when they do not meet."""
    start, end = max(span[0], other[0]), min(span[1], other[1])
    return (start, end) if end > start else None


def _clamped(start: float, length: float, within: Span, reason: str) -> Window:
    start = min(max(start, within[0]), within[1] - length)
    return Window(start, start + length, (reason,))


def merge(windows: Iterable[Window]) -> list[Window]:
    """Windows in time order, overlapping or touching ones joined."""
    out: list[Window] = []
    for w in sorted(windows, key=lambda w: w.start_ms):
        if out and w.start_ms <= out[-1].end_ms:
            last = out[-1]
            reasons = last.reasons + tuple(r for r in w.reasons if r not in last.reasons)
            out[-1] = Window(last.start_ms, max(last.end_ms, w.end_ms), reasons)
        else:
            out.append(w)
    return out


def clip_windows(
    within: Span,
    events: Sequence[Event],
    *,
    length_ms: float = WINDOW_MS,
    pre_roll_ms: float = PRE_ROLL_MS,
    events_per_clip: int = EVENTS_PER_CLIP,
) -> list[Window]:
    """The windows one camera's review clips show, inside ``within`` (its overlap).

    The strongest ``events_per_clip`` events inside the span, then its start, middle
    and end; windows that meet are joined. A span shorter than one window is one clip.
    """
    if within[1] <= within[0]:
        return []
    length = min(length_ms, within[1] - within[0])
    inside = [e for e in events if within[0] <= e.at_ms <= within[1]]
    inside.sort(key=lambda e: e.rise, reverse=True)
    windows = [
        _clamped(e.at_ms - min(pre_roll_ms, length / 2), length, within, "event")
        for e in inside[:events_per_clip]
    ]
    middle = (within[0] + within[1]) / 2
    windows += [
        _clamped(within[0], length, within, "start"),
        _clamped(middle - length / 2, length, within, "middle"),
        _clamped(within[1] - length, length, within, "end"),
    ]
    return merge(windows)


def session_windows(
    spans: dict[str, Span],
    master: str,
    events: Sequence[Event],
    *,
    length_ms: float = WINDOW_MS,
    pre_roll_ms: float = PRE_ROLL_MS,
    events_per_clip: int = EVENTS_PER_CLIP,
) -> dict[str, list[Window]]:
    """Each clip's windows: inside its overlap with the master (or its own span when
    it has none); the master shows every other clip's windows that fall in its span.

    :param spans: each clip's span on the master's timeline, the master's included.
    """

    def windows_in(within: Span) -> list[Window]:
        return clip_windows(
            within,
            events,
            length_ms=length_ms,
            pre_roll_ms=pre_roll_ms,
            events_per_clip=events_per_clip,
        )

    master_span = spans.get(master)
    out: dict[str, list[Window]] = {}
    for clip, span in spans.items():
        if clip == master:
            continue
        within = overlap(span, master_span) if master_span else None
        out[clip] = windows_in(within or span)
    if master_span is not None:
        mine = []
        for windows in out.values():
            for w in windows:
                part = overlap((w.start_ms, w.end_ms), master_span)
                if part is not None:
                    mine.append(Window(part[0], part[1], w.reasons))
        out[master] = merge(mine) or windows_in(master_span)
    return out
