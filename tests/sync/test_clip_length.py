"""A clip's length is its source's own: no codec padding, not rounded to the analysis
rate. Split files are put end to end by it (an AAC file decodes up to 1024 samples
longer than it was recorded: 21 ms at 48 kHz, 18 ms once seen on the corpus)."""

from __future__ import annotations

from pathlib import Path

from worker.examples import shoots
from worker.sync.analysis import analyse, load_track, save_track
from worker.sync.decode import decode_audio


def test_decoded_length_is_the_recorded_length(corpus_dir: Path) -> None:
    padded = 0
    for spec in (shoots.split_files(), shoots.five_cameras()):
        for clip in shoots.build_shoot(spec, corpus_dir).clips:
            decoded = decode_audio(clip.path)
            assert abs(decoded.info.duration_s - clip.duration_s) < 1e-9, clip.id
            if decoded.duration_s - clip.duration_s > 0.001:
                padded += 1  # the decoder's output runs past the recording
    assert padded >= 3  # the AAC clips: what the exact length is for


def test_the_track_keeps_the_length_through_its_files(corpus_dir: Path, tmp_path: Path) -> None:
    clip = shoots.build_shoot(shoots.split_files(), corpus_dir).clip("A#2")
    track = analyse(clip.path)
    assert track.media_duration_s is not None
    assert abs(track.clip_duration_s - clip.duration_s) < 1e-9
    assert track.duration_s > track.clip_duration_s  # the samples hold the padding
    again = load_track(save_track(track, tmp_path, "a2"))
    assert again.clip_duration_s == track.clip_duration_s
