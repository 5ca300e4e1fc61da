"""Sync a session: decode every clip, align the pairs that matter, place all on one timeline.

``sync_clip_tracks`` is pure (tracks in, report out); ``sync_clips`` adds decoding,
in parallel processes with pipelined alignment (``worker.sync.parallel``) when
the files are long enough for that to pay off. ``sync_tracks`` / ``sync_files``
are the same with one clip per camera and today's ``SyncReport``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from itertools import combinations

from worker.errors import MediaError, NoAudioStream, SyncInputError
from worker.sync.analysis import CameraInput, analyse
from worker.sync.arrival import refine_placements
from worker.sync.camera_takes import Clip, place_clips
from worker.sync.clips import ClipInput, SessionClip, clip_ids
from worker.sync.confidence import Classification, probability
from worker.sync.decode import ANALYSIS_RATE, AudioProbe, probe_audio
from worker.sync.pairwise import PairAlignment, SyncParams, align_pair
from worker.sync.parallel import decode_and_align
from worker.sync.report import ClipSyncReport, PairRecord, SyncReport
from worker.sync.solve import FRAME_S, Edge, Placement, choose_master, evidence_of, make_edge
from worker.sync.track import Track

__all__ = [
    "CameraInput",
    "ClipInput",
    "SyncInputError",
    "analyse",
    "load_tracks",
    "sync_clip_tracks",
    "sync_clips",
    "sync_files",
    "sync_tracks",
]

# Below this much audio in total, process start-up costs more than it saves.
_PARALLEL_FROM_S = 600.0

ProgressFn = Callable[[str, float], None]
Pair = tuple[str, str]


def sync_clip_tracks(
    tracks: Mapping[str, Track],
    clips: Sequence[SessionClip],
    *,
    master: str = "auto",
    unusable: Mapping[str, str] | None = None,
    params: SyncParams | None = None,
    aligned: Mapping[Pair, PairAlignment | None] | None = None,
    prefer_recorder: bool = True,
) -> ClipSyncReport:
    """Place every clip on the master's timeline (pure).

    Clips of one label are takes of one camera: never aligned with each other. When
    the master is known first (given, or the recorder), every clip is aligned with
    the master's clips, then in two rounds only the pairs that may overlap where the
    clips sit (a review-suggested clip at its tentative place, then anywhere if that
    place is not confirmed): the loop checks and the chains.

    :param tracks: usable tracks by clip id.
    :param clips: every clip, in input order (including unusable ones).
    :param master: a label, or "auto": the recorder (an audio-only clip's label) when
        ``prefer_recorder`` and there is one, else ``solve.choose_master``'s camera.
    :param unusable: clip id -> reason for clips with no usable audio.
    :param aligned: pairs (in clip order) already aligned with the same params;
        only those the schedule above asks for are used.
    """
    unusable = dict(unusable or {})
    labels = list(dict.fromkeys(c.label for c in clips))
    label_of = {c.id: c.label for c in clips}
    usable = [c for c in clips if c.id in tracks]
    # Clip lengths without codec padding: split files are put end to end by them.
    durations = {c.id: tracks[c.id].clip_duration_s for c in usable}
    if master != "auto" and master not in labels:
        raise SyncInputError(f"master {master!r} is not one of the labels {labels}")
    if not usable:
        raise SyncInputError(
            "no camera has usable audio: " + "; ".join(f"{k}: {v}" for k, v in unusable.items())
        )
    chosen = master if master != "auto" else None
    if chosen is None and prefer_recorder:
        chosen = recorder_label(clips, durations)
    if chosen is not None and not any(c.label == chosen for c in usable):
        reason = next((unusable[c.id] for c in clips if c.label == chosen), "no usable audio")
        raise SyncInputError(f"master camera {chosen} cannot be used: {reason}")
    pairs = [(a.id, b.id) for a, b in combinations(usable, 2) if a.label != b.label]
    full = params or SyncParams()
    cache = dict(aligned or {})
    done: dict[Pair, PairAlignment | None] = {}

    def align(todo: list[Pair], light: frozenset[Pair] = frozenset()) -> None:
        todo = [ab for ab in todo if ab not in done]
        done.update({ab: cache[ab] for ab in todo if ab in cache})
        todo = [ab for ab in todo if ab not in done]
        done.update(_align_pairs(tracks, todo, full, light))

    def edges() -> list[Edge]:
        out = []
        for a, b in pairs:
            pair = done.get((a, b))
            edge = make_edge(a, b, pair) if pair is not None else None
            if edge is not None:
                out.append(edge)
        return out

    align(first_pairs(pairs, label_of, chosen))
    if chosen is None:
        chosen = _auto_master(labels, label_of, durations, edges())
    ref = next(c.id for c in usable if c.label == chosen)
    solver = [Clip(c.id, c.label, durations.get(c.id, 0.0)) for c in clips]
    placed = place_clips(ref, solver, edges(), unusable)
    # Two more rounds, each followed by a new placement. The first aligns the pairs
    # that may overlap where the clips now sit, a clip placed but not looks-good
    # taken at its tentative place; the second, every pair left with a clip still
    # not placed looks-good (it may be anywhere), and the pairs the new places bring
    # into overlap. A tentative place the first round confirms spares the pairs far
    # from it; one it does not confirm gets every pair, as an unplaced clip does.
    for tentative in (True, False):
        rest = [
            ab
            for ab in pairs
            if ab not in done and _may_overlap(ab, ref, placed, durations, full, tentative)
        ]
        if not rest:
            continue
        # Both clips of a pair already placed looks-good (or one is the master's): the
        # pair closes a loop or offers a second path, so agreement is what it must
        # show and half the windows do (it carries its own, smaller, evidence); a
        # pair that may be what places a clip gets the full search.
        align(rest, _loop_checks(rest, ref, placed))
        placed = place_clips(ref, solver, edges(), unusable)
    placed = refine_placements(ref, placed, done, {cid: t.rate for cid, t in tracks.items()})
    records = []
    for a, b in pairs:
        if (a, b) in done:
            pair = done[(a, b)]
            prob = probability(evidence_of(pair)) if pair is not None else None
            records.append(PairRecord(a, b, pair, prob))
    return ClipSyncReport(
        master=chosen,
        master_clip=ref,
        clips=tuple(clips),
        placements=placed,
        durations_s=durations,
        pairs=tuple(records),
    )


def _align_pairs(
    tracks: Mapping[str, Track], todo: list[Pair], params: SyncParams, light: frozenset[Pair]
) -> dict[Pair, PairAlignment | None]:
    """Align ``todo``: the pairs in ``light`` with ``params.for_checks()``."""
    checks = params.for_checks()

    def one(ab: Pair) -> PairAlignment | None:
        return align_pair(tracks[ab[0]], tracks[ab[1]], checks if ab in light else params)

    # Pairs are independent and their FFTs and array maths release the GIL, so
    # threads share the cores without copying hour-long tracks between processes.
    threads = max(1, min(len(todo), os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return dict(zip(todo, pool.map(one, todo), strict=True))


def recorder_label(clips: Sequence[SessionClip], durations: Mapping[str, float]) -> str | None:
    """The sound recorder's label: of the usable (in ``durations``) audio-only clips'
    labels, the longest in total (ties: the first given); None when there is none."""
    totals: dict[str, float] = {}
    for c in clips:
        if c.audio_only and c.id in durations:
            totals[c.label] = totals.get(c.label, 0.0) + durations.get(c.id, 0.0)
    if not totals:
        return None
    return max(totals, key=lambda lbl: (totals[lbl], -list(totals).index(lbl)))


def first_pairs(pairs: list[Pair], label_of: Mapping[str, str], master: str | None) -> list[Pair]:
    """The pairs aligned first: those with a clip of the master, or all when it is not
    known yet (the automatic choice weighs every pair)."""
    if master is None:
        return list(pairs)
    return [(a, b) for a, b in pairs if master in (label_of[a], label_of[b])]


def _auto_master(
    labels: list[str],
    label_of: Mapping[str, str],
    durations: Mapping[str, float],
    edges: list[Edge],
) -> str:
    """``choose_master`` over cameras: a camera's clips' durations add up, its clips'
    pairs count as its own."""
    totals: dict[str, float] = {}
    for cid, d in durations.items():
        totals[label_of[cid]] = totals.get(label_of[cid], 0.0) + d
    usable = [lbl for lbl in labels if lbl in totals]
    by_label = [replace(e, src=label_of[e.src], dst=label_of[e.dst]) for e in edges]
    return choose_master(usable, totals, by_label)


def _loop_checks(pairs: list[Pair], ref: str, placed: Mapping[str, Placement]) -> frozenset[Pair]:
    return frozenset(ab for ab in pairs if all(_placed_well(c, ref, placed) for c in ab))


def _placed_well(cid: str, ref: str, placed: Mapping[str, Placement]) -> bool:
    return cid == ref or (
        _placed_at(cid, placed) and placed[cid].classification is Classification.LOOKS_GOOD
    )


def _may_overlap(
    pair: Pair,
    ref: str,
    placed: Mapping[str, Placement],
    durations: Mapping[str, float],
    params: SyncParams,
    tentative: bool = False,
) -> bool:
    """Whether a pair is worth aligning after a placement: unless both clips are
    placed looks-good (``tentative``: placed at all) and overlap too little for
    ``align_pair`` to match them."""
    if tentative:
        if not all(cid == ref or _placed_at(cid, placed) for cid in pair):
            return True
    elif not all(_placed_well(cid, ref, placed) for cid in pair):
        return True
    spans = []
    for cid in pair:
        rel = None if cid == ref else placed[cid].relation
        spans.append((0.0, durations[cid]) if rel is None else (rel(0.0), rel(durations[cid])))
    shorter = min(durations[c] for c in pair)
    need = max(params.min_overlap_s, params.min_overlap_fraction * shorter)
    overlap = min(s[1] for s in spans) - max(s[0] for s in spans)
    return overlap >= need - FRAME_S


def _placed_at(cid: str, placed: Mapping[str, Placement]) -> bool:
    p = placed.get(cid)
    return p is not None and p.relation is not None


def sync_tracks(
    tracks: dict[str, Track],
    labels: Sequence[str],
    *,
    master: str = "auto",
    unusable: dict[str, str] | None = None,
    params: SyncParams | None = None,
    aligned: Mapping[tuple[str, str], PairAlignment | None] | None = None,
) -> SyncReport:
    """Place every camera on one timeline (pure): ``sync_clip_tracks`` with one clip
    per camera, no recorder preference.

    :param tracks: usable tracks by label.
    :param labels: every camera label, in order (including unusable ones).
    :param master: a label, or "auto".
    :param unusable: label -> reason for cameras with no usable audio.
    :param aligned: pairs (in label order) already aligned with the same params.
    """
    clips = [SessionClip(lbl, lbl, lbl) for lbl in labels]
    return sync_clip_tracks(
        tracks,
        clips,
        master=master,
        unusable=unusable,
        params=params,
        aligned=aligned,
        prefer_recorder=False,
    ).by_clip()


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
        except NoAudioStream as exc:
            unusable[cam.label] = str(exc)
            report(1.0)  # done with it: the reason goes into the report
        except MediaError as exc:
            raise SyncInputError(f"camera {cam.label}: {exc}") from exc
    return tracks, unusable


def sync_clips(
    clips: Sequence[ClipInput],
    *,
    master: str = "auto",
    progress: ProgressFn | None = None,
    params: SyncParams | None = None,
    jobs: int | None = None,
    prefer_recorder: bool = True,
) -> ClipSyncReport:
    """Decode and sync a session's clips (``multicam sync``); several may share a label.

    Progress is reported per clip id (``clips.clip_ids``).

    :param master: a label, or "auto" (the recorder when ``prefer_recorder``).
    :param jobs: concurrent decoders (default: the CPU count; 1 decodes serially).
    """
    labels = [c.label for c in clips]
    if len(set(labels)) < 2:
        raise SyncInputError("need clips of at least two cameras to sync")
    ids = [c.id or default for c, default in zip(clips, clip_ids(labels), strict=True)]
    if len(set(ids)) != len(ids):
        raise SyncInputError(f"clip ids must be unique, got {ids}")
    cameras = [CameraInput(cid, c.path) for cid, c in zip(ids, clips, strict=True)]
    _check_files(cameras)
    probes = {cam.label: probe_audio(cam.path) for cam in cameras}
    session = [
        SessionClip(
            cid, c.label, str(c.path), not probes[cid].picture if c.recorder is None else c.recorder
        )
        for cid, c in zip(ids, clips, strict=True)
    ]
    guess = master if master != "auto" else None
    if guess is None and prefer_recorder:
        guess = recorder_label(session, {k: p.duration_s for k, p in probes.items()})
    label_of = {c.id: c.label for c in session}
    if _parallel(probes, jobs):
        wanted = set(first_pairs(_all_cross(session), label_of, guess))
        run = decode_and_align(
            cameras,
            rate=ANALYSIS_RATE,
            params=params,
            progress=progress,
            jobs=jobs,
            costs={lbl: p.decode_cost for lbl, p in probes.items()},
            wanted=lambda a, b: (a, b) in wanted,
        )
        tracks, unusable, aligned = run.tracks, run.unusable, run.aligned
    else:
        tracks, unusable = load_tracks(cameras, progress=progress)
        aligned = {}
    return sync_clip_tracks(
        tracks,
        session,
        master=master,
        unusable=unusable,
        params=params,
        aligned=aligned,
        prefer_recorder=prefer_recorder,
    )


def _all_cross(clips: Sequence[SessionClip]) -> list[Pair]:
    return [(a.id, b.id) for a, b in combinations(clips, 2) if a.label != b.label]


def sync_files(
    cameras: Sequence[CameraInput],
    *,
    master: str = "auto",
    progress: ProgressFn | None = None,
    params: SyncParams | None = None,
    jobs: int | None = None,
) -> SyncReport:
    """Decode and sync a session of one file per camera (the ``sync_session`` job).

    :param jobs: concurrent decoders (default: the CPU count; 1 decodes serially).
    """
    labels = [c.label for c in cameras]
    if len(set(labels)) != len(labels):
        raise SyncInputError(f"camera labels must be unique, got {labels}")
    if len(cameras) < 2:
        raise SyncInputError("need at least two cameras to sync")
    clips = [ClipInput(c.label, c.path) for c in cameras]
    report = sync_clips(
        clips, master=master, progress=progress, params=params, jobs=jobs, prefer_recorder=False
    )
    return report.by_clip()
