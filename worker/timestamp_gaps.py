"""How far the audio decoders trust a damaged file: one rule for ingest and sync.

Undecodable packets are skipped, up to ``MAX_BAD_PACKETS`` per stream; more, and the
stream is damaged.

A jump forward in audio timestamps is dropped audio: it is filled with silence so
every later sample stays at its true time (sync depends on it). A hostile or broken
file can jump thousands of times, and a few MB would then decode to hours of
silence; so the silence inserted is capped, and so is the decoded length against the
length the file declares.
"""

from __future__ import annotations

from worker.errors import ImplausibleTimestamps

# Undecodable packets a stream may hold before it is called damaged (the default of
# MULTICAM_INGEST_MAX_BAD_PACKETS; the sync decoder's limit).
MAX_BAD_PACKETS = 50

# A jump beyond this is dropped audio, not jitter.
GAP_TOLERANCE_S = 0.02
# A single jump beyond this is not trusted: nothing is inserted for it.
MAX_GAP_S = 600.0
# Silence inserted over the whole file: at most this much ...
MAX_TOTAL_GAP_S = 600.0
# ... and at most this fraction of the declared duration (but always this floor,
# so a short clip with one real dropout still decodes).
MAX_GAP_FRACTION = 0.25
MIN_GAP_ALLOWANCE_S = 10.0
# Decoded audio (silence included) may exceed the declared duration by this factor
# plus this slack; beyond, the file lies about its length.
MAX_LENGTH_RATIO = 1.5
LENGTH_SLACK_S = 10.0


def gap_allowance_s(declared_s: float | None) -> float:
    """Total silence that may be inserted in a file declaring ``declared_s`` seconds."""
    if not declared_s or declared_s <= 0:
        return MAX_TOTAL_GAP_S
    return min(MAX_TOTAL_GAP_S, max(MIN_GAP_ALLOWANCE_S, MAX_GAP_FRACTION * declared_s))


def _file(declared_s: float | None) -> str:
    return f"a {declared_s:,.1f} s file" if declared_s else "a file of unknown duration"


class GapFiller:
    """Follows one audio stream's timestamps and says how much silence each frame needs.

    :param declared_s: the stream's (or container's) declared duration; None if unknown.
    """

    def __init__(self, declared_s: float | None) -> None:
        self.declared_s = declared_s if declared_s and declared_s > 0 else None
        self.allowance_s = gap_allowance_s(self.declared_s)
        self.gaps = 0
        self.silence_s = 0.0
        self.decoded_s = 0.0
        self._expected: float | None = None

    def silence_before(self, start_s: float | None, duration_s: float) -> float:
        """Seconds of silence to insert before a frame starting at ``start_s``.

        :raises ImplausibleTimestamps: the gaps or the decoded length exceed the caps.
        """
        gap = 0.0
        if start_s is not None:
            jump = start_s - self._expected if self._expected is not None else 0.0
            if GAP_TOLERANCE_S < jump < MAX_GAP_S:
                gap = jump
                self.gaps += 1
                self.silence_s += gap
                if self.silence_s > self.allowance_s:
                    raise ImplausibleTimestamps(
                        f"audio timestamps jump forward {self.gaps:,} times, "
                        f"{self.silence_s:,.0f} s of gaps in {_file(self.declared_s)} "
                        f"(at most {self.allowance_s:,.0f} s may be filled): refusing"
                    )
            self._expected = start_s + duration_s
        self.decoded_s += gap + duration_s
        if self.declared_s and self.decoded_s > self.declared_s * MAX_LENGTH_RATIO + LENGTH_SLACK_S:
            raise ImplausibleTimestamps(
                f"audio decodes to more than {self.decoded_s:,.0f} s in "
                f"{_file(self.declared_s)}: refusing"
            )
        return gap
