"""The direct-path check (worker/sync/direct.py) and how the solver treats its verdict."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import fftconvolve

from worker.examples.room import explicit_room_impulse
from worker.sync.confidence import Classification
from worker.sync.direct import BACKGROUND_MS, onset_weights
from worker.sync.features import onset_envelope
from worker.sync.pairwise import align_pair
from worker.sync.solve import Affine, Edge, place_cameras
from worker.sync.track import Track

RATE = 8000


def test_onset_weights_mark_onsets_not_sustained_or_decaying_sound() -> None:
    rng = np.random.default_rng(1)
    x = 0.001 * rng.standard_normal(RATE)
    burst = slice(4000, 6400)  # 0.5-0.8 s
    x[burst] += rng.standard_normal(2400) * np.exp(-np.arange(2400) / 2000)
    w = onset_weights(x, RATE)
    bg_end = round(BACKGROUND_MS[1] * RATE / 1000)
    assert np.all(w[:bg_end] == 0.0)  # no full background before: not an onset
    assert w[3990:4000].max() > 10.0  # the sound starts in the next 3 ms
    assert w[4400:6400].max() < 1.0  # 50 ms in: sustained, then decaying
    assert w[6500:].max() < 1.0  # after it: room tone again


def _speech_like(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """Bursts of coloured noise with sharp onsets and pauses, like syllables."""
    out = np.zeros(int(seconds * RATE))
    t = 0
    while t < len(out) - RATE:
        n = int(rng.uniform(0.08, 0.35) * RATE)
        burst = np.convolve(rng.standard_normal(n), rng.standard_normal(12), mode="same")
        out[t : t + n] += burst * np.exp(-np.arange(n) / (0.5 * n)) * rng.uniform(0.3, 1.0)
        t += n + int(rng.uniform(0.05, 0.4) * RATE)
    return out


def _camera(
    scene: np.ndarray, start: int, n: int, impulse: np.ndarray, rng: np.random.Generator
) -> Track:
    wet = fftconvolve(scene, impulse)[start : start + n]
    wet += 0.01 * float(np.std(wet)) * rng.standard_normal(n)
    x = (wet / np.max(np.abs(wet))).astype(np.float32)
    return Track.from_float(x, RATE, onset_envelope(x, RATE))


def test_direct_sound_wins_over_a_stronger_echo() -> None:
    """Two cameras in a room louder than the source; camera A's microphone faces a
    wall, whose reflection 9 ms after the direct sound is louder than it. The fine
    windows all agree on that echo; the direct-path check moves the pair onto the
    direct-to-direct lag, to a fraction of a sample."""
    rng = np.random.default_rng(7)
    scene = _speech_like(rng, 50.0)
    h_a = explicit_room_impulse(rng, RATE, 0.9, -8.0, ((0.004, 0.5), (0.009, 1.3)))
    h_b = explicit_room_impulse(rng, RATE, 0.9, -8.0, ((0.011, 0.6), (0.021, -0.3)))
    b_start = 24002  # b's first sample is a's sample 24002 (3.00025 s)
    a = _camera(scene, 0, 45 * RATE, h_a, rng)
    b = _camera(np.concatenate([scene[b_start:], np.zeros(RATE)]), 0, 40 * RATE, h_b, rng)
    pair = align_pair(a, b)
    assert pair is not None and pair.direct is not None
    assert pair.direct_shift_s * 1000 == pytest.approx(-9.0, abs=0.1)  # off the echo
    assert abs(pair.offset_s - b_start / RATE) * 1000 < 0.05
    assert not pair.direct_ambiguous
    assert 2 * pair.direct_agreeing >= len(pair.direct.group_offsets_s)


def _edge(src: str, dst: str, off: float, *, precise: bool = True) -> Edge:
    return Edge(src, dst, Affine(off, 0.0), 30.0, 0.99, 1, 10.0, precise)


def test_an_echo_accurate_link_is_said_and_does_not_break_a_loop() -> None:
    # A-B could not be told from an echo (10 ms off): B is placed through C instead,
    # and the 10 ms loop residual through A-B is within a frame, so nothing is capped.
    edges = [_edge("A", "B", 5.010, precise=False), _edge("A", "C", 12.0), _edge("C", "B", -7.0)]
    out = place_cameras("A", ["A", "B", "C"], edges, {})
    assert out["B"].path == ("A", "C", "B")
    assert out["B"].relation is not None
    assert out["B"].relation.offset == pytest.approx(5.0)
    assert out["B"].classification is Classification.LOOKS_GOOD
    assert not any("disagrees" in n for n in out["B"].notes)
    # With no other route, the camera says what its offset is worth.
    only = place_cameras("A", ["A", "B"], [_edge("A", "B", 5.010, precise=False)], {})
    assert any(
        n.startswith("reverberant: frame-accurate, not sample-accurate") for n in only["B"].notes
    )
