"""Rooms from a simulator this project did not write (#23): pyroomacoustics shoeboxes.

``room.py`` draws hard rooms from the project's own model of a room; an engine tuned on
it can fit that model rather than rooms. Here each camera's response comes from
pyroomacoustics (image sources for the early part, ray tracing for the tail, air and
wall absorption from Sabine's formula for the requested RT60, the package's own
microphone directivities), so nothing in the response was shaped by the engine's
authors.

Truth. Unlike every other family, the microphone's distance *is* a delay here: the
response starts with silence for distance / speed of sound, then the direct sound (a
fractional-delay sinc, exact to the sample's fraction). So a camera hears the scene
``propagation_s`` late and its truth is

    direct-path offset = recording-clock offset - (propagation_X - propagation_master)

(``cases.truth_relative_to`` applies it; ``Truth.clock_offsets_ms`` keeps the clock
part alone). An audio sync can only find the direct-path offset: that is what the
targets are measured against, and a sound recordist expects it (two microphones 10 m
apart hear a clap 29 ms apart).

Determinism: the ray tracer draws random rays from pyroomacoustics' own C++ and numpy
generators, which ``impulse`` seeds from the spec, so a case's files are the same on
every run (the cache key is the spec).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .room import ColouredMic

SPEED_OF_SOUND_M_S = 343.0  # pyroomacoustics' default (constants "c"); checked on build
DIRECTIVITIES = ("omni", "cardioid", "hypercardioid", "subcardioid", "figure_eight")
# The package's fractional-delay filter is centred: its RIRs carry this many taps of
# delay before time zero (half its "frac_delay_length", 81 in 0.10).
_FRAC_DELAY_TAPS = 81


@dataclass(frozen=True)
class SimulatedRoomChannel(ColouredMic):
    """A camera's microphone in a pyroomacoustics shoebox (``rt60_s`` is the target
    RT60 the wall absorption is derived from).

    :param room_m: the shoebox's size (x, y, z) in metres.
    :param source_m: where the scene's sound comes from.
    :param mic_m: where this camera's microphone is.
    :param directivity: one of ``DIRECTIVITIES``.
    :param aim_deg: the microphone's azimuth off the line to the source (0: on axis).
    """

    room_m: tuple[float, float, float] = (6.0, 5.0, 3.0)
    source_m: tuple[float, float, float] = (2.0, 2.0, 1.6)
    mic_m: tuple[float, float, float] = (4.0, 3.0, 1.5)
    directivity: str = "omni"
    aim_deg: float = 0.0

    @property
    def distance_m(self) -> float:
        return math.dist(self.source_m, self.mic_m)

    def propagation_s(self) -> float:
        return self.distance_m / SPEED_OF_SOUND_M_S

    def impulse(self, rng: np.random.Generator, rate: int) -> np.ndarray:
        if not self.rt60_s:
            raise ValueError("a SimulatedRoomChannel needs rt60_s")
        return simulate_impulse(self, rate, seed=int(rng.integers(2**31)))


def simulate_impulse(spec: SimulatedRoomChannel, rate: int, *, seed: int) -> np.ndarray:
    """The room response from the source to the microphone, time zero at tap 0 (the
    direct sound at ``spec.propagation_s()``)."""
    import pyroomacoustics as pra  # a test/benchmark dependency, not the service's

    if pra.constants.get("c") != SPEED_OF_SOUND_M_S:
        raise RuntimeError("pyroomacoustics' speed of sound is not the truth's")
    if pra.constants.get("frac_delay_length") != _FRAC_DELAY_TAPS:
        raise RuntimeError("pyroomacoustics' fractional delay changed: fix _FRAC_DELAY_TAPS")
    assert spec.rt60_s is not None
    absorption, max_order = pra.inverse_sabine(spec.rt60_s, list(spec.room_m))
    room = pra.ShoeBox(
        list(spec.room_m),
        fs=rate,
        materials=pra.Material(absorption),
        max_order=min(max_order, 3),
        ray_tracing=True,
        air_absorption=True,
    )
    room.set_ray_tracing(receiver_radius=0.5, n_rays=20_000, energy_thres=1e-7)
    room.add_source(list(spec.source_m))
    room.add_microphone(list(spec.mic_m), directivity=_directivity(spec, pra))
    pra.random.seed(seed)
    room.compute_rir()
    # Level is the camera chain's business (it sets SNR and level on the dry signal).
    return np.asarray(room.rir[0][0], dtype=np.float64)[_FRAC_DELAY_TAPS // 2 :]


def _directivity(spec: SimulatedRoomChannel, pra: object) -> object | None:
    if spec.directivity not in DIRECTIVITIES:
        raise ValueError(f"unknown directivity {spec.directivity!r}")
    if spec.directivity == "omni":
        return None
    from pyroomacoustics import directivities as dirs

    sx, sy, _ = spec.source_m
    mx, my, _ = spec.mic_m
    toward = math.degrees(math.atan2(sy - my, sx - mx))
    aim = dirs.DirectionVector(azimuth=toward + spec.aim_deg, colatitude=90.0, degrees=True)
    kinds = {
        "cardioid": dirs.Cardioid,
        "hypercardioid": dirs.HyperCardioid,
        "subcardioid": dirs.SubCardioid,
        "figure_eight": dirs.FigureEight,
    }
    directivity: object = kinds[spec.directivity](orientation=aim)
    return directivity
