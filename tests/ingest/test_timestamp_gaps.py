"""Timestamp gaps are filled with silence only within caps: a file that jumps forward
thousands of times is refused, not decoded to a WAV of tens of minutes of silence."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.jumpy_audio import write_jumpy_audio
from worker.errors import ImplausibleAudio, ImplausibleTimestamps
from worker.ingest import IngestSettings, derive_all, probe
from worker.timestamp_gaps import MAX_TOTAL_GAP_S, MIN_GAP_ALLOWANCE_S, GapFiller, gap_allowance_s


def test_allowance_is_relative_with_a_floor_and_an_absolute_cap() -> None:
    assert gap_allowance_s(None) == MAX_TOTAL_GAP_S
    assert gap_allowance_s(0.1) == MIN_GAP_ALLOWANCE_S
    assert gap_allowance_s(400.0) == 100.0
    assert gap_allowance_s(6 * 3600.0) == MAX_TOTAL_GAP_S


def test_real_dropouts_are_filled() -> None:
    filler = GapFiller(60.0)
    assert filler.silence_before(0.0, 1.0) == 0.0
    assert filler.silence_before(1.01, 1.0) == 0.0  # jitter
    assert filler.silence_before(4.01, 1.0) == pytest.approx(2.0)  # dropped audio
    assert filler.silence_before(2000.0, 1.0) == 0.0  # not trusted: nothing inserted
    assert filler.gaps == 1


def test_many_jumps_are_refused_naming_the_problem() -> None:
    filler = GapFiller(100.0)
    with pytest.raises(
        ImplausibleTimestamps,
        match=r"jump forward 66 times, 25 s of gaps "
        r"in a 100\.0 s file .*: refusing",
    ):
        for k in range(3000):
            filler.silence_before(k * 0.4, 0.02)


def test_decoding_far_longer_than_declared_is_refused() -> None:
    # A 0.1 s file that jumps: its declared length gives it away first.
    tiny = GapFiller(0.1)
    with pytest.raises(ImplausibleTimestamps, match=r"more than 10 s in a 0\.1 s file"):
        for k in range(3000):
            tiny.silence_before(k * 0.4, 0.02)
    filler = GapFiller(10.0)
    with pytest.raises(ImplausibleTimestamps, match=r"decodes to more than 26 s in a 10\.0 s"):
        for k in range(1000):
            filler.silence_before(k * 1.0, 1.0)


def test_ingest_refuses_a_file_with_thousands_of_jumps(
    tmp_path: Path, config: IngestSettings
) -> None:
    source = tmp_path / "jumpy.mkv"
    jumps_s = write_jumpy_audio(source, frames=3000, jump_s=0.4, video=True)
    assert jumps_s > 1000  # today's main wrote a WAV of 20 minutes (230 MB) from 6 MB
    out = tmp_path / "out"
    with pytest.raises(
        ImplausibleAudio,
        match=r"jumpy\.mkv: audio timestamps jump forward "
        r"\d{3} times, .* s of gaps .*: refusing",
    ):
        derive_all(source, out, probe(source), config)
    # Refused on the way (a few hundred of the 3,000 jumps), and nothing left behind.
    assert not out.exists() or not any(out.iterdir())
