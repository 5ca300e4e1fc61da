"""The parallel schedule (worker.sync.parallel): same answers as the serial path,
fail-fast on unusable input, nothing left behind.

Real files and real worker processes; the cases are short, so the schedule is
called directly rather than through sync_files' 10-minute threshold.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.corpus import cases as corpus
from worker.errors import SyncInputError
from worker.sync import parallel
from worker.sync.analysis import CameraInput, analyse, load_track, save_track
from worker.sync.decode import probe_audio
from worker.sync.engine import load_tracks, sync_tracks
from worker.sync.parallel import _mp_context, decode_and_align


def _cameras(built: corpus.BuiltCase) -> list[CameraInput]:
    return [CameraInput(c.label, built.paths[c.label]) for c in built.spec.cameras]


@pytest.fixture(autouse=True)
def _private_tempdir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hand-over folders go to this test's own temp dir (forked workers inherit it),
    so another xdist worker's sync running meanwhile cannot show up as a leftover."""
    private = tmp_path_factory.mktemp("tempdir")
    monkeypatch.setattr(tempfile, "tempdir", str(private))


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("multicam-sync-*")}


@pytest.mark.parametrize("family", ["mixed_rates", "no_audio"])
def test_parallel_schedule_gives_the_serial_answer(family: str, corpus_dir: Path) -> None:
    built = corpus.build_case(corpus.FAMILIES[family][0], corpus_dir)
    cameras = _cameras(built)
    labels = [c.label for c in cameras]
    before = _leftovers()

    tracks, unusable = load_tracks(cameras)
    serial = sync_tracks(tracks, labels, master="A", unusable=unusable)
    progress: dict[str, float] = {}
    run = decode_and_align(
        cameras, rate=8000, jobs=2, progress=lambda lbl, f: progress.__setitem__(lbl, f)
    )
    parallel = sync_tracks(
        run.tracks, labels, master="A", unusable=run.unusable, aligned=run.aligned
    )

    assert json.dumps(parallel.to_dict()) == json.dumps(serial.to_dict())
    assert run.unusable == unusable
    usable = [lbl for lbl in labels if lbl in run.tracks]
    # Every pair of usable tracks was aligned during the run, none twice.
    assert sorted(run.aligned) == [(a, b) for i, a in enumerate(usable) for b in usable[i + 1 :]]
    for lbl in usable:
        np.testing.assert_array_equal(run.tracks[lbl].samples, tracks[lbl].samples)
    assert progress == dict.fromkeys(labels, 1.0)
    assert _leftovers() == before  # the hand-over files are gone


def test_from_a_thread_workers_come_from_a_forkserver(corpus_dir: Path) -> None:
    # The service runs sync in a thread: forking a threaded process is unsafe.
    built = corpus.build_case(corpus.FAMILIES["clean"][0], corpus_dir)
    cameras = _cameras(built)
    labels = [c.label for c in cameras]
    # Other suites' fixtures may leave threads running in this process.
    alone = threading.active_count() == 1
    assert _mp_context().get_start_method() == ("fork" if alone else "forkserver")
    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(_mp_context).result().get_start_method() == "forkserver"
        run = pool.submit(decode_and_align, cameras, rate=8000, jobs=2).result()
    tracks, unusable = load_tracks(cameras)
    serial = sync_tracks(tracks, labels, master="A", unusable=unusable)
    threaded = sync_tracks(
        run.tracks, labels, master="A", unusable=run.unusable, aligned=run.aligned
    )
    assert json.dumps(threaded.to_dict()) == json.dumps(serial.to_dict())


def test_a_file_that_is_not_media_fails_fast_and_cleans_up(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker's unusable file stops the run without waiting for the other decodes.

    The parent's own decode stands in for a long file: it reports progress until the
    run stops it, and never ends by itself. The run must raise the worker's error from
    that decode's next report (fail fast), not wait for it to end; a run that waited
    would hang, which the suite's timeout catches. No wall-clock bound is asserted.
    """
    built = corpus.build_case(corpus.FAMILIES["clean"][0], corpus_dir)
    bogus = tmp_path / "camX.mp4"
    bogus.write_bytes(b"this is not a video file" * 1000)
    cameras = [*_cameras(built), CameraInput("X", bogus)]
    own = cameras[0].label
    # The parent decodes the costliest camera; the bogus one is the first worker's first.
    costs = {c.label: float(len(cameras) - i) for i, c in enumerate(cameras)}
    costs["X"] = costs[own] - 0.5
    parent = os.getpid()
    real_analyse = parallel.analyse
    reports: list[float] = []

    def endless_in_parent(
        path: Any, rate: int = 8000, progress: Callable[[float], None] | None = None
    ) -> Any:
        if os.getpid() != parent:  # a forked worker: decode for real
            return real_analyse(path, rate, progress)
        assert progress is not None
        while True:
            progress(0.0)  # raises the run's failure once the watcher has seen it
            reports.append(0.0)
            time.sleep(0.001)  # yield to the watcher thread, as a real decode does

    monkeypatch.setattr(parallel, "analyse", endless_in_parent)
    before = _leftovers()
    with pytest.raises(SyncInputError, match="camera X"):
        decode_and_align(cameras, rate=8000, jobs=2, costs=costs)
    assert reports  # the parent was decoding when the failure stopped it
    assert _leftovers() == before


def test_probe_ranks_pcm_decoding_below_compressed_audio(corpus_dir: Path) -> None:
    specs = {s.name: s for s in corpus.FAMILIES["codecs"]}
    aac = corpus.build_case(specs["codecs-mp4-aac"], corpus_dir)
    pcm = corpus.build_case(specs["codecs-mov-pcm_s16le"], corpus_dir)
    for built, factor in ((aac, 1.0), (pcm, 0.35)):
        for cam in built.spec.cameras:
            probe = probe_audio(built.paths[cam.label])
            assert probe.duration_s == pytest.approx(cam.duration_s, rel=0.05)
            assert probe.decode_cost == pytest.approx(factor * cam.duration_s, rel=0.05)
    missing = probe_audio(Path("/nonexistent.wav"))
    assert (missing.duration_s, missing.decode_cost) == (0.0, 0.0)


def test_saved_track_maps_back_identically(tmp_path: Path, corpus_dir: Path) -> None:
    built = corpus.build_case(corpus.FAMILIES["clean"][0], corpus_dir)
    track = analyse(built.paths["B"])
    files = save_track(track, tmp_path, "camB")
    back = load_track(files)
    for p in tmp_path.iterdir():
        p.unlink()  # the maps outlive the files, as in a run
    np.testing.assert_array_equal(back.samples, track.samples)
    np.testing.assert_array_equal(back.envelope.values, track.envelope.values)
    np.testing.assert_array_equal(back.envelope.activity_db, track.envelope.activity_db)
    assert (back.scale, back.rate, back.envelope.hop_s) == (
        track.scale,
        track.rate,
        track.envelope.hop_s,
    )
    assert not back.samples.flags.writeable


def test_envelope_pickles_without_its_spectrum_cache(corpus_dir: Path) -> None:
    built = corpus.build_case(corpus.FAMILIES["clean"][0], corpus_dir)
    envelope = analyse(built.paths["A"]).envelope
    spectrum = envelope.spectrum(4 * envelope.frames)
    back = pickle.loads(pickle.dumps(envelope))
    np.testing.assert_array_equal(back.values, envelope.values)
    assert (back.hop_s, back.usable) == (envelope.hop_s, envelope.usable)
    # The copy computes its own spectrum, and the same one.
    np.testing.assert_array_equal(back.spectrum(4 * envelope.frames), spectrum)
    assert back.spectrum(4 * envelope.frames) is back.spectrum(4 * envelope.frames)


def test_the_parent_takes_queued_cameras_once_its_own_is_done(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One queue feeds the parent and the pool: with one pool worker, the parent
    decodes a second camera after its own rather than waiting for the worker.

    The decodes are held back on conditions, not times: the parent's own decode
    waits until the worker has finished the pool's first camera, and the worker's
    next decode waits (at most 20 s) until the parent has started a queued one, so
    the parent finds a camera left in the queue. A schedule where only the pool
    takes queued cameras waits out the 20 s and fails the assertion.
    """
    built = corpus.build_case(corpus.FAMILIES["mixed_rates"][1], corpus_dir)
    cameras = _cameras(built)
    assert len(cameras) == 4
    costs = {c.label: float(len(cameras) - i) for i, c in enumerate(cameras)}
    own, first_in_pool = cameras[0], cameras[1]
    parent = os.getpid()
    real_analyse = parallel.analyse
    marks = tmp_path / "marks"
    marks.mkdir()
    in_parent: list[str] = []

    def until(cond: Callable[[], bool], limit_s: float) -> None:
        end = time.monotonic() + limit_s
        while not cond() and time.monotonic() < end:
            time.sleep(0.01)

    def held(path: Any, rate: int = 8000, progress: Callable[[float], None] | None = None) -> Any:
        label = next(c.label for c in cameras if c.path == Path(path))
        if os.getpid() == parent:
            in_parent.append(label)
            if label == own.label:
                until(lambda: (marks / "worker-done").exists(), 60.0)
            else:
                (marks / "parent-took").touch()
            return real_analyse(path, rate, progress)
        if label != first_in_pool.label:
            until(lambda: (marks / "parent-took").exists(), 20.0)
        track = real_analyse(path, rate, progress)
        if label == first_in_pool.label:
            (marks / "worker-done").touch()
        return track

    monkeypatch.setattr(parallel, "analyse", held)
    # The workers must run ``held`` too: forked ones inherit it, a forkserver's (what
    # a process with other threads gets, as under xdist) would import the real one.
    monkeypatch.setattr(parallel, "_mp_context", lambda: mp.get_context("fork"))
    run = decode_and_align(cameras, rate=8000, jobs=2, costs=costs)

    assert in_parent[0] == own.label
    assert len(in_parent) >= 2, in_parent
    assert sorted(run.tracks) == sorted(c.label for c in cameras)
    tracks, _ = load_tracks(cameras)
    for lbl, track in tracks.items():
        np.testing.assert_array_equal(run.tracks[lbl].samples, track.samples)
