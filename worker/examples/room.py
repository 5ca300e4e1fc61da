"""Hard rooms (#14): explicit early reflections, reverberation louder than the direct
sound, and microphones coloured differently per camera.

The synthetic RIR of ``channel.room_impulse`` draws its reflections inside and folds
them into one direct-to-reverberant ratio; here both are parameters of the spec, so a
case says exactly how hard its room is:

* ``reflections``: discrete copies of the direct sound, (delay after the direct path
  in s, amplitude relative to it), e.g. a table at 3 ms and a wall at 17 ms;
* ``drr_db``: direct energy over the *diffuse tail's* energy (the reflections come on
  top), negative when the room is louder than the source: -9 is a tail 9 dB above;
* ``presence_db`` at ``presence_hz``: the microphone's bell, on top of ``hp_hz`` /
  ``lp_hz``.

The truth is still the recording clock: the direct path of every camera is tap 0 of
its response and the colouring is zero-phase (``channel.eq_fir``), so the distance of
each microphone from the source is not modelled as a delay. A camera whose strongest
*arrival cluster* is a reflection is exactly what the engine must see through.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import numpy as np

from .channel import ChannelModel, bell_gain, diffuse_tail

# (hp_hz, lp_hz, presence_db, presence_hz): every case gives each camera another one.
MIC_COLOURS: tuple[tuple[float, float, float, float], ...] = (
    (150.0, 7000.0, 9.0, 4000.0),  # bright lavalier-like capsule
    (400.0, 5000.0, 6.0, 2500.0),  # phone-like, honky
    (250.0, 3500.0, -9.0, 3000.0),  # dull camera microphone behind a grille
    (300.0, 6000.0, -6.0, 5000.0),  # scooped top
    (200.0, 4500.0, 3.0, 2000.0),  # boxy
)


class MicColour(TypedDict):
    """The fields of a ``ColouredMic`` that one of ``MIC_COLOURS`` sets."""

    hp_hz: float
    lp_hz: float
    presence_db: float
    presence_hz: float


def mic_colour(index: int) -> MicColour:
    """``MIC_COLOURS[index]`` (cycled) as a ``ColouredMic``'s fields."""
    hp, lp, presence, presence_hz = MIC_COLOURS[index % len(MIC_COLOURS)]
    return MicColour(hp_hz=hp, lp_hz=lp, presence_db=presence, presence_hz=presence_hz)


@dataclass(frozen=True)
class ColouredMic(ChannelModel):
    """A ChannelModel whose microphone has a presence bell on top of ``hp_hz`` /
    ``lp_hz`` (zero-phase, as ``eq``)."""

    presence_db: float = 0.0
    presence_hz: float = 3500.0

    def colour(self, f: np.ndarray) -> np.ndarray | None:
        if self.presence_db == 0.0:
            return None
        return bell_gain(np.maximum(f, 1e-3), self.presence_hz, self.presence_db, 1.0)


@dataclass(frozen=True)
class RoomChannel(ColouredMic):
    """A ChannelModel whose room and microphone are spelled out (see module doc)."""

    reflections: tuple[tuple[float, float], ...] = ()

    def impulse(self, rng: np.random.Generator, rate: int) -> np.ndarray:
        if not self.rt60_s:
            raise ValueError("a RoomChannel needs rt60_s")
        return explicit_room_impulse(rng, rate, self.rt60_s, self.drr_db, self.reflections)


def explicit_room_impulse(
    rng: np.random.Generator,
    rate: int,
    rt60_s: float,
    drr_db: float,
    reflections: tuple[tuple[float, float], ...],
) -> np.ndarray:
    """Direct path 1.0 at tap 0, the given reflections, and a diffuse tail whose energy
    is ``-drr_db`` dB relative to the direct path's."""
    n = int(1.2 * rt60_s * rate) + 1
    h = diffuse_tail(rng, rate, rt60_s, n)
    h[0] = 0.0
    fade = max(1, n // 10)
    h[n - fade :] *= np.linspace(1, 0, fade)
    h *= np.sqrt(10 ** (-drr_db / 10) / float(np.sum(h**2)))
    for delay_s, gain in reflections:
        k = round(delay_s * rate)
        if not 0 < k < n:
            raise ValueError(f"reflection at {delay_s} s outside the response")
        h[k] += gain
    h[0] = 1.0
    return h


def draw_room(
    rng: np.random.Generator,
    rt60_s: float,
    colour: int,
    *,
    snr_db: float = 25.0,
    drr_db: tuple[float, float] = (-9.0, -2.0),
    max_gain: float = 0.6,
    variant: int = 0,
) -> RoomChannel:
    """One camera's position in a hard room: its DRR and 4-8 reflections 2-40 ms after
    the direct path (one of them at 0.45-``max_gain``), and mic colouring ``colour``.
    Values are rounded so the spec reads well (and hashes the same everywhere)."""
    k = int(rng.integers(3, 8))
    delays = np.sort(rng.uniform(0.002, 0.040, k + 1))
    gains = rng.uniform(0.15, 0.45, k + 1) * rng.choice([1, 1, 1, -1], k + 1)
    strong = int(rng.integers(k + 1))
    gains[strong] = rng.uniform(0.45, max_gain)  # the reflection that competes
    return RoomChannel(
        snr_db=snr_db,
        noise="pink",
        rt60_s=rt60_s,
        drr_db=round(float(rng.uniform(*drr_db)), 2),
        variant=variant,
        **mic_colour(colour),
        reflections=tuple(
            (round(float(d), 5), round(float(g), 3)) for d, g in zip(delays, gains, strict=True)
        ),
    )
