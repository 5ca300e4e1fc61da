"""One camera's (or clip's) audio as the engine analyses it: samples and envelope.

Its own module so that every stage can take one (``pairwise``, ``direct``, the
decoders of ``analysis`` and ``parallel``) without importing another stage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from worker.sync.features import Envelope


@dataclass(frozen=True)
class Track:
    """One camera's analysis data: mono samples at ``rate`` plus its envelope.

    Samples are kept as int16 scaled to the track's peak (half the memory of
    float32; quantisation sits ~96 dB under the loudest sound).
    """

    samples: npt.NDArray[np.int16]
    scale: float
    rate: int
    envelope: Envelope
    # The source's own length (no codec padding, not rounded to the analysis rate);
    # None: the samples' length. Where a split recording's next file starts.
    media_duration_s: float | None = None

    @classmethod
    def from_float(cls, samples: npt.NDArray[np.float32], rate: int, envelope: Envelope) -> Track:
        peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
        scale = peak / 32767.0 if peak > 0 else 1.0
        quantised = np.empty(len(samples), dtype=np.int16)
        step = 1 << 20
        for i in range(0, len(samples), step):
            quantised[i : i + step] = np.rint(samples[i : i + step] / scale)
        return cls(quantised, scale, rate, envelope)

    def window(self, start: int, length: int) -> npt.NDArray[np.float64]:
        return self.samples[start : start + length].astype(np.float64) * self.scale

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate

    @property
    def clip_duration_s(self) -> float:
        """The clip's length on the timeline (``media_duration_s`` when known)."""
        return self.duration_s if self.media_duration_s is None else self.media_duration_s
