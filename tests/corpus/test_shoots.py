"""The multi-clip corpus (worker/examples/shoots.py) is what it claims: each clip is
exactly its range of the camera's one continuous render, so its truth is exact."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from worker.examples import shoots
from worker.examples.cases import camera_chain, case_scenes
from worker.examples.containers import decode_audio


def test_clips_are_their_ranges_of_the_continuous_render(corpus_dir: Path, tmp_path: Path) -> None:
    spec = shoots.five_cameras()
    shoot = shoots.build_shoot(spec, corpus_dir)
    cam = next(c for c in spec.cameras if c.label == "B")  # PCM: compared sample for sample
    assert cam.camera.audio_codec == "pcm_s16le" and len(cam.takes) == 2
    whole = np.concatenate(
        list(camera_chain(spec.case, cam.camera, case_scenes(spec.case, tmp_path)).chunks())
    )
    for clip, (n0, n1) in zip(
        [c for c in shoot.clips if c.label == "B"], cam.sample_ranges(), strict=True
    ):
        audio, rate = decode_audio(clip.path)
        assert rate == clip.sample_rate and (clip.n0, clip.n_samples) == (n0, n1 - n0)
        assert len(audio) == n1 - n0
        assert np.max(np.abs(audio[:, 0] - whole[n0:n1, 0])) <= 1.0 / 32768 + 1e-7


def test_truth_follows_the_clock_of_the_camera() -> None:
    spec = shoots.takes_with_gaps()
    clips = shoots._clips(spec, Path())
    c2 = next(c for c in clips if c.id == "C#2")
    cam = next(c for c in spec.cameras if c.label == "C").camera
    # Camera C runs 45 ppm fast: its second take's first sample, 31.73303 s of its
    # clock after its first, is 31.73303 / (1 + 45e-6) s of scene time later.
    assert c2.start_s - cam.start_s == pytest.approx(
        round(31.73303 * 44_100) / 44_100 / (1 + 45e-6), abs=1e-12
    )


def test_unplaceable_and_chain_claims(corpus_dir: Path) -> None:
    lonely = shoots.build_shoot(shoots.lonely_take(), corpus_dir)
    assert lonely.truth("A").unplaceable == ("C#2",)
    chained = shoots.build_shoot(shoots.chain(), corpus_dir)
    assert chained.truth("A").unplaceable == ()
    spans = {c.id: c for c in chained.clips}
    assert shoots.overlap_s(spans["A"], spans["C#2"]) == 0.0


def test_takes_must_not_overlap() -> None:
    with pytest.raises(ValueError, match="takes"):
        shoots.make_shoot(
            "bad", 1, ("speech",), [shoots.shoot_camera("A", 0.0, [(0.0, 10.0), (9.0, 20.0)])]
        )
