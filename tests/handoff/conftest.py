"""A short three-camera session from the corpus generator, its timeline's inputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.corpus import cases as corpus
from worker.handoff.local import local_camera
from worker.handoff.model import CameraMedia, SyncFacts
from worker.ingest.probe import probe

DRIFT_PPM = 6000.0  # C's clock: 66 ms over its 11 s, more than half a frame at 10 fps


def handoff_case() -> corpus.CaseSpec:
    """A; B 2.3 s later (44.1 kHz); C 1.7 s earlier, fast clock; D off the frame grid.

    10 fps video (frames of 100 ms).
    """
    cm = corpus.ChannelModel
    return corpus.make_case(
        "handoff",
        "handoff",
        77,
        ("speech", "music"),
        [
            corpus.cam("A", 0.0, 12.0, container="mp4", audio_codec="aac", channel=cm(snr_db=30)),
            corpus.cam(
                "B",
                2.3,
                9.0,
                container="mp4",
                audio_codec="aac",
                sample_rate=44_100,
                channel=cm(snr_db=30),
            ),
            corpus.cam(
                "C",
                -1.7,
                11.0,
                container="mp4",
                audio_codec="aac",
                channels=2,
                drift_ppm=DRIFT_PPM,
                channel=cm(snr_db=30),
            ),
            # Between frames: its clip starts on the nearest one, as the clip's metadata says.
            corpus.cam("D", 3.0437, 8.0, container="mp4", audio_codec="aac", channel=cm(snr_db=30)),
        ],
    )


@dataclass(frozen=True)
class Session:
    paths: dict[str, Path]
    facts: SyncFacts  # the generator's truth, as an approved sync result would say
    cameras: list[CameraMedia]


@pytest.fixture(scope="session")
def session() -> Session:
    # Cached by the spec's content hash, like every corpus case.
    built = corpus.build_case(handoff_case(), Path.home() / ".cache" / "multicam" / "handoff")
    facts = SyncFacts(
        title="handoff test",
        master=built.truth.master,
        offsets_ms=built.truth.offsets_ms,
        drift_ppm=built.truth.drift_ppm,
        status="approved",
    )
    cameras = [local_camera(lbl, path, probe(path)) for lbl, path in built.paths.items()]
    return Session(dict(built.paths), facts, cameras)
