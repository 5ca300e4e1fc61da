"""The pure peak computation and the audiowaveform JSON v2 document."""

from __future__ import annotations

import numpy as np
import pytest

from worker.ingest.waveform import (
    PeakAccumulator,
    block_peaks,
    mix_to_mono,
    to_8bit,
    waveform_document,
)


def test_block_peaks_counts_the_partial_last_run() -> None:
    mono = np.array([0, 5, -3, 7, 100, -100, 2], np.int16)
    mins, maxs = block_peaks(mono, 3)
    assert mins.tolist() == [-3, -100, 2]
    assert maxs.tolist() == [5, 100, 2]


def test_mix_to_mono_averages_channels_toward_zero() -> None:
    stereo = np.array([[100, 201], [-100, -201], [32767, 32767]], np.int16)
    assert mix_to_mono(stereo).tolist() == [150, -150, 32767]
    assert mix_to_mono(stereo[:, :1]).tolist() == [100, -100, 32767]


def test_to_8bit_matches_audiowaveform() -> None:
    values = np.array([-32768, -257, -255, 0, 255, 256, 32767], np.int16)
    assert to_8bit(values).tolist() == [-128, -1, 0, 0, 0, 1, 127]


@pytest.mark.parametrize("chunk", [1, 7, 256, 1000])
def test_accumulator_equals_one_shot(chunk: int) -> None:
    rng = np.random.default_rng(0)
    samples = rng.integers(-32768, 32767, size=(10_007, 2), dtype=np.int16)
    acc = PeakAccumulator(256)
    for i in range(0, len(samples), chunk):
        acc.add(samples[i : i + chunk])
    mins, maxs = acc.finish()
    ref_min, ref_max = block_peaks(mix_to_mono(samples), 256)
    assert acc.samples == len(samples)
    assert np.array_equal(mins, ref_min) and np.array_equal(maxs, ref_max)
    assert len(mins) == -(-len(samples) // 256)


def test_document_is_audiowaveform_v2() -> None:
    mins = np.array([-32768, -256, 0], np.int16)
    maxs = np.array([32767, 512, 0], np.int16)
    doc = waveform_document(mins, maxs, sample_rate=48000, samples_per_pixel=512)
    assert doc == {
        "version": 2,
        "channels": 1,
        "sample_rate": 48000,
        "samples_per_pixel": 512,
        "bits": 8,
        "length": 3,
        "data": [-128, 127, -1, 2, 0, 0],
    }


def test_peaks_follow_amplitude() -> None:
    t = np.arange(48_000) / 48_000
    amp = np.where(t < 0.5, 0.1, 0.9)
    samples = (amp * 32767 * np.sin(2 * np.pi * 100 * t)).astype(np.int16)
    acc = PeakAccumulator(4800)
    acc.add(samples)
    _, maxs = acc.finish()
    assert maxs[:5].max() < 0.11 * 32767 and maxs[5:].min() > 0.85 * 32767


def test_empty_and_invalid() -> None:
    mins, maxs = PeakAccumulator(10).finish()
    assert len(mins) == len(maxs) == 0
    with pytest.raises(ValueError):
        PeakAccumulator(0)
    with pytest.raises(ValueError):
        waveform_document(
            np.zeros(2, np.int16), np.zeros(3, np.int16), sample_rate=1, samples_per_pixel=1
        )
