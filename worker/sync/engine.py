"""Sync a session: decode every camera, align every pair, place all on one timeline.

``sync_tracks`` is pure (tracks in, report out); ``sync_files`` adds decoding,
in parallel processes with pipelined alignment (``worker.sync.parallel``) when
the files are long enough for that to pay off.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import combinations

from worker.sync.analysis import CameraInput, SyncInputError, analyse
from worker.sync.confidence import probability
from worker.sync.decode import ANALYSIS_RATE, AudioProbe, MediaError, NoAudioError, probe_audio
from worker.sync.pairwise import PairAlignment, SyncParams, Track, align_pair
from worker.sync.parallel import decode_and_align
from worker.sync.report import PairRecord, SyncReport
from worker.sync.solve import Edge, choose_master, evidence_of, make_edge, place_cameras

__all__ = ["CameraInput", "SyncInputError", "analyse", "load_tracks", "sync_files", "sync_tracks"]

# Below this much audio in total, process start-up costs more than it saves.
_PARALLEL_FROM_S = 600.0

ProgressFn = Callable[[str, float], None]


def sync_tracks(
    tracks: dict[str, Track],
    labels: Sequence[str],
    *,
    master: str = "auto",
    unusable: dict[str, str] | None = None,
    params: SyncParams | None = None,
    aligned: Mapping[tuple[str, str], PairAlignment | None] | None = None,
) -> SyncReport:
    """Place every camera on one timeline (pure).

    :param tracks: usable tracks by label.
    :param labels: every camera label, in order (including unusable ones).
    :param master: a label, or "auto".
    :param unusable: label -> reason for cameras with no usable audio.
    :param aligned: pairs (in label order) already aligned with the same params.
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
        raise SyncInputError(
            "no camera has usable audio: " + "; ".join(f"{k}: {v}" for k, v in unusable.items())
        )
    records: list[PairRecord] = []
    edges: list[Edge] = []
    pairs = list(combinations(usable, 2))
    done = dict(aligned or {})
    todo = [ab for ab in pairs if ab not in done]
    # Pairs are independent and their FFTs and array maths release the GIL, so
    # threads share the cores without copying hour-long tracks between processes.
    threads = max(1, min(len(todo), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        found = pool.map(lambda ab: align_pair(tracks[ab[0]], tracks[ab[1]], params), todo)
        done.update(zip(todo, found, strict=True))
    for la, lb in pairs:
        pair = done[(la, lb)]
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
    return SyncReport(
        master=chosen,
        labels=tuple(order),
        placements=placements,
        errors=errors,
        durations_s=durations,
        pairs=tuple(records),
    )


def _check_files(cameras: Sequence[CameraInput]) -> None:
    for cam in cameras:
        if not cam.path.exists():
            raise SyncInputError(f"camera {cam.label}: {cam.path}: file not found")


def _parallel(probes: Mapping[str, AudioProbe], jobs: int | None) -> bool:
    decoders = jobs if jobs is not None else (os.cpu_count() or 1)
    if decoders < 2 or len(probes) < 2:
        return False
    return sum(p.duration_s for p in probes.values()) >= _PARALLEL_FROM_S


def load_tracks(
    cameras: Sequence[CameraInput],
    *,
    progress: ProgressFn | None = None,
    rate: int = ANALYSIS_RATE,
) -> tuple[dict[str, Track], dict[str, str]]:
    """Decode every camera, one after the other; returns (tracks, unusable reasons).

    :raises SyncInputError: a file is missing or is not media at all.
    """
    _check_files(cameras)
    tracks: dict[str, Track] = {}
    unusable: dict[str, str] = {}
    for cam in cameras:

        def report(frac: float, label: str = cam.label) -> None:
            if progress is not None:
                progress(label, frac)

        try:
            tracks[cam.label] = analyse(cam.path, rate, report)
        except NoAudioError as exc:
            unusable[cam.label] = str(exc)
            report(1.0)  # done with it: the reason goes into the report
        except MediaError as exc:
            raise SyncInputError(f"camera {cam.label}: {exc}") from exc
    return tracks, unusable


def sync_files(
    cameras: Sequence[CameraInput],
    *,
    master: str = "auto",
    progress: ProgressFn | None = None,
    params: SyncParams | None = None,
    jobs: int | None = None,
) -> SyncReport:
    """Decode and sync a session's files (the ``multicam sync`` job).

    :param jobs: concurrent decoders (default: the CPU count; 1 decodes serially).
    """
    labels = [c.label for c in cameras]
    if len(set(labels)) != len(labels):
        raise SyncInputError(f"camera labels must be unique, got {labels}")
    if len(cameras) < 2:
        raise SyncInputError("need at least two cameras to sync")
    _check_files(cameras)
    probes = {c.label: probe_audio(c.path) for c in cameras}
    if _parallel(probes, jobs):
        run = decode_and_align(
            cameras,
            rate=ANALYSIS_RATE,
            params=params,
            progress=progress,
            jobs=jobs,
            costs={lbl: p.decode_cost for lbl, p in probes.items()},
        )
        return sync_tracks(
            run.tracks,
            labels,
            master=master,
            unusable=run.unusable,
            params=params,
            aligned=run.aligned,
        )
    tracks, unusable = load_tracks(cameras, progress=progress)
    return sync_tracks(tracks, labels, master=master, unusable=unusable, params=params)
