"""Phone-style variable frame timing for generated test videos."""

from __future__ import annotations

# A phone in low light: 40 ms frames, runs of 20 ms ones, now and then a 100 ms one.
_PATTERN_S = (0.04, 0.04, 0.02, 0.02, 0.02, 0.04, 0.1, 0.04, 0.033, 0.05)


def vfr_frame_times(duration_s: float, tail_s: float = 0.02) -> list[float]:
    """Frame start times (s, ms-rounded) up to ``tail_s`` before ``duration_s``."""
    times: list[float] = []
    t, i = 0.0, 0
    while t < duration_s - tail_s:
        times.append(round(t, 3))
        t += _PATTERN_S[i % len(_PATTERN_S)]
        i += 1
    return times
