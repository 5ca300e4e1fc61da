"""Sync a session: decode every camera, align every pair, place all on one timeline.

``sync_tracks`` is pure (tracks in, report out); ``sync_files`` adds decoding,
in parallel processes when the files are long enough for it to pay off.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from worker.sync.confidence import probability
from worker.sync.decode import (
    ANALYSIS_RATE,
    MediaError,
    NoAudioError,
    decode_audio,
    probe_duration_s,
)
from worker.sync.features import level_dbfs, onset_envelope
from worker.sync.pairwise import SyncParams, Track, align_pair
from worker.sync.report import PairRecord, SyncReport
from worker.sync.solve import Edge, choose_master, evidence_of, make_edge, place_cameras

# Below this much audio in total, process start-up costs more than it saves.
_PARALLEL_FROM_S = 600.0

ProgressFn = Callable[[str, float], None]


class SyncInputError(Exception):
    """The inputs cannot be synced at all (bad arguments, unreadable files)."""


@dataclass(frozen=True)
class CameraInput:
    label: str
    path: Path


def analyse(path: str | Path, rate: int = ANALYSIS_RATE,
            progress: Callable[[float], None] | None = None) -> Track:
    """Decode one file and compute its envelope.

    :raises MediaError: unreadable / not media.
    :raises NoAudioError: no usable audio.
    """
    decoded = decode_audio(path, rate=rate, progress=progress)
    envelope = onset_envelope(decoded.samples, rate, decoded.scale)
    if not envelope.usable:
        level = level_dbfs(decoded.samples, decoded.scale)
        raise NoAudioError(f"audio is silent (level {level:.0f} dBFS): nothing to sync on")
    return Track(decoded.samples, decoded.scale, rate, envelope)


def sync_tracks(
    tracks: dict[str, Track],
    labels: Sequence[str],
    *,
    master: str = "auto",
    unusable: dict[str, str] | None = None,
    params: SyncParams | None = None,
) -> SyncReport:
    """Place every camera on one timeline (pure).

    :param tracks: usable tracks by label.
    :param labels: every camera label, in order (including unusable ones).
    :param master: a label, or "auto".
    :param unusable: label -> reason for cameras with no usable audio.
    """
    unusable = dict(unusable or {})
    order = list(labels)
    usable = [lbl for lbl in order if lbl in tracks]
    if master != "auto" and master not in order:
        raise SyncInputError(f"master {master!r} is not one of the labels {order}")
    if master != "auto" and master not in tracks:
        reason = unusable.get(master, "no usable audio")
        raise SyncInputError(f"master camera {master} cannot be used: {reason}")
    if not usable:
        raise SyncInputError("no camera has usable audio: "
                             + "; ".join(f"{k}: {v}" for k, v in unusable.items()))
    records: list[PairRecord] = []
    edges: list[Edge] = []
    for la, lb in combinations(usable, 2):
        pair = align_pair(tracks[la], tracks[lb], params)
        prob = probability(evidence_of(pair)) if pair is not None else None
        records.append(PairRecord(la, lb, pair, prob))
        if pair is not None:
            edge = make_edge(la, lb, pair)
            if edge is not None:
                edges.append(edge)
    durations = {lbl: tracks[lbl].duration_s for lbl in usable}
    chosen = master if master != "auto" else choose_master(usable, durations, edges)
    placements = place_cameras(chosen, order, edges, unusable)
    errors = {lbl: p.error for lbl, p in placements.items() if p.error}
    return SyncReport(master=chosen, labels=tuple(order), placements=placements,
                      errors=errors, durations_s=durations, pairs=tuple(records))


_shared_progress: Any = None


def _init_worker(shared: Any) -> None:
    # Shared ctypes arrays may only reach a child at its start, not as task arguments.
    global _shared_progress
    _shared_progress = shared


def _analyse_worker(path: str, rate: int, slot: int) -> Track:
    def report(frac: float) -> None:
        if _shared_progress is not None:
            _shared_progress[slot] = frac

    return analyse(path, rate, report)


def _mp_context() -> Any:
    # forkserver avoids forking a process that may already run a progress thread.
    return mp.get_context("forkserver")


def load_tracks(
    cameras: Sequence[CameraInput],
    *,
    progress: ProgressFn | None = None,
    jobs: int | None = None,
    rate: int = ANALYSIS_RATE,
) -> tuple[dict[str, Track], dict[str, str]]:
    """Decode every camera; returns (tracks, unusable reasons).

    :raises SyncInputError: a file is missing or is not media at all.
    """
    for cam in cameras:
        if not cam.path.exists():
            raise SyncInputError(f"camera {cam.label}: {cam.path}: file not found")
    total = sum(probe_duration_s(c.path) for c in cameras)
    workers = jobs if jobs is not None else min(len(cameras), os.cpu_count() or 1)
    tracks: dict[str, Track] = {}
    unusable: dict[str, str] = {}
    if workers > 1 and total >= _PARALLEL_FROM_S and len(cameras) > 1:
        ctx = _mp_context()
        shared = ctx.Array("d", len(cameras), lock=False)
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx,
                                 initializer=_init_worker, initargs=(shared,)) as pool:
            futures = [pool.submit(_analyse_worker, str(c.path), rate, i)
                       for i, c in enumerate(cameras)]
            while True:
                _, pending = wait(futures, timeout=0.2)
                if progress is not None:
                    for i, cam in enumerate(cameras):
                        progress(cam.label, 1.0 if futures[i].done() else float(shared[i]))
                if not pending:
                    break
            for cam, fut in zip(cameras, futures, strict=True):
                _collect(cam, fut, tracks, unusable)
    else:
        for cam in cameras:
            def report(frac: float, label: str = cam.label) -> None:
                if progress is not None:
                    progress(label, frac)
            try:
                tracks[cam.label] = analyse(cam.path, rate, report)
            except NoAudioError as exc:
                unusable[cam.label] = str(exc)
            except MediaError as exc:
                raise SyncInputError(f"camera {cam.label}: {exc}") from exc
    return tracks, unusable


def _collect(cam: CameraInput, fut: Future[Track], tracks: dict[str, Track],
             unusable: dict[str, str]) -> None:
    exc = fut.exception()
    if exc is None:
        tracks[cam.label] = fut.result()
    elif isinstance(exc, NoAudioError):
        unusable[cam.label] = str(exc)
    elif isinstance(exc, MediaError):
        raise SyncInputError(f"camera {cam.label}: {exc}") from exc
    else:
        raise exc


def sync_files(
    cameras: Sequence[CameraInput],
    *,
    master: str = "auto",
    progress: ProgressFn | None = None,
    params: SyncParams | None = None,
    jobs: int | None = None,
) -> SyncReport:
    """Decode and sync a session's files (the ``multicam sync`` job)."""
    labels = [c.label for c in cameras]
    if len(set(labels)) != len(labels):
        raise SyncInputError(f"camera labels must be unique, got {labels}")
    if len(cameras) < 2:
        raise SyncInputError("need at least two cameras to sync")
    tracks, unusable = load_tracks(cameras, progress=progress, jobs=jobs)
    return sync_tracks(tracks, labels, master=master, unusable=unusable, params=params)
