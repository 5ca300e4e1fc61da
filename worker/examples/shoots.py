"""Multi-clip shoots: cameras stopped and restarted, recordings split into files, a recorder.

A camera of a shoot is one continuous render of the scene through its channel, on
its own drifting clock (``cases.CameraSpec`` and ``cases.camera_chain``, exactly as
a one-file camera), cut into clips at whole samples of its rate. A take is a range
of that render: its first sample is camera sample ``n0``, so its scene time, and
with it the truth, is exact. Consecutive takes that share a boundary sample are one
recording split into files; a gap between them is the camera stopped (its clock and
its room keep running, so the second take is the same render further on).

Truth convention (as ``cases``): a clip's offset is its first decoded sample on the
master clip's file clock, ms; the master clip is the master camera's first clip in
input order (the engine's ``ClipSyncReport.master_clip``). Clip X, of camera c at
sample n0, starts at scene time s_X = s_c + n0 / (r_c (1 + p_c)), so

    offset_ms[X] = (s_X - s_M) * (1 + p_M) * 1000
    drift_ppm[X] = ((1 + p_c) / (1 + p_m) - 1) * 1e6

A clip no chain of overlapping clips of other cameras links to the master clip
cannot be placed from audio at all: it is in ``ShootTruth.unplaceable`` (the
engine must say so, not guess), as are clips without scene audio.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from worker.sync.clips import clip_ids

from .cases import (
    GENERATOR_VERSION,
    CameraSpec,
    CaseSpec,
    camera_chain,
    case_scenes,
    effective_start,
    release_scenes,
    scene_of,
    validate,
)
from .channel import ChannelModel
from .containers import VIDEO_CODEC, write_media_chunks

SHOOT_VERSION = 1  # bump whenever how shoots are cut or written changes (cache key)
# Overlap (scene seconds) below which two clips are taken as not hearing each other:
# the engine's pairwise search wants at least 5 s (``SyncParams.min_overlap_s``).
MIN_LINK_OVERLAP_S = 5.0


@dataclass(frozen=True)
class ShootCamera:
    """One camera (or the recorder) of a shoot and where its takes lie on its clock.

    :param camera: the continuous render; ``start_s`` is the scene time of its
        sample 0, its duration is set from the takes (``make_shoot``).
    :param takes: (start, end) of each take in seconds of the camera's clock from
        its sample 0, in order; a take starting where the previous one ends is the
        next file of a split recording.
    """

    camera: CameraSpec
    takes: tuple[tuple[float, float], ...]

    @property
    def label(self) -> str:
        return self.camera.label

    def sample_ranges(self) -> list[tuple[int, int]]:
        """Each take's [n0, n1) in camera samples (boundaries rounded to samples)."""
        rate = self.camera.sample_rate
        return [(round(a * rate), round(b * rate)) for a, b in self.takes]


@dataclass(frozen=True)
class ShootSpec:
    """A synthetic shoot: cameras with takes, clips listed camera by camera."""

    name: str
    seed: int
    case: CaseSpec  # the scene and every camera's continuous render
    cameras: tuple[ShootCamera, ...]
    long: bool = False

    def clip_labels(self) -> list[str]:
        return [c.label for c in self.cameras for _ in c.takes]

    def clip_ids(self) -> list[str]:
        return clip_ids(self.clip_labels())


@dataclass(frozen=True)
class ClipTruth:
    """One written clip: where it is, which camera and samples it holds."""

    id: str
    label: str
    path: Path
    n0: int  # first camera sample
    n_samples: int
    sample_rate: int
    start_s: float  # scene time of its first decoded sample
    drift_ppm: float  # its camera's clock (absolute)
    source: str
    audio_only: bool

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.sample_rate

    @property
    def scene_end_s(self) -> float:
        return self.start_s + self.duration_s / (1 + self.drift_ppm * 1e-6)


@dataclass(frozen=True)
class ShootTruth:
    """Offsets (ms) and drifts (ppm) of every placeable clip on the master clip."""

    master: str
    master_clip: str
    offsets_ms: dict[str, float]
    drift_ppm: dict[str, float]
    unplaceable: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuiltShoot:
    """A shoot on disk: its clips in input order (the order to hand them to the engine)."""

    spec: ShootSpec
    clips: tuple[ClipTruth, ...]
    directory: Path = field(default=Path())

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.clips]

    @property
    def paths(self) -> list[Path]:
        return [c.path for c in self.clips]

    def clip(self, cid: str) -> ClipTruth:
        return next(c for c in self.clips if c.id == cid)

    def truth(self, master: str) -> ShootTruth:
        return shoot_truth(self, master)


# --------------------------------------------------------------------------- truth


def overlap_s(a: ClipTruth, b: ClipTruth) -> float:
    """Scene-time overlap (s) of two clips."""
    return max(0.0, min(a.scene_end_s, b.scene_end_s) - max(a.start_s, b.start_s))


def _reachable(start: ClipTruth, clips: tuple[ClipTruth, ...]) -> set[str]:
    """Clips linked to ``start`` by a chain of overlaps between different cameras."""
    heard = [c for c in clips if c.source == "scene"]
    seen, todo = {start.id}, [start]
    while todo:
        cur = todo.pop()
        for c in heard:
            if (
                c.id not in seen
                and c.label != cur.label
                and overlap_s(cur, c) >= MIN_LINK_OVERLAP_S
            ):
                seen.add(c.id)
                todo.append(c)
    return seen


def shoot_truth(shoot: BuiltShoot, master: str) -> ShootTruth:
    """Truth with camera ``master``'s first clip as the timeline's zero."""
    m = next(c for c in shoot.clips if c.label == master)
    if m.source != "scene":
        raise ValueError(f"camera {master} has no scene audio to be a master")
    pm = m.drift_ppm * 1e-6
    reach = _reachable(m, shoot.clips)
    offsets, drifts, unplaceable = {}, {}, []
    for c in shoot.clips:
        if c.id not in reach:
            unplaceable.append(c.id)
            continue
        offsets[c.id] = 0.0 if c is m else (c.start_s - m.start_s) * (1 + pm) * 1000.0
        drifts[c.id] = 0.0 if c.label == master else ((1 + c.drift_ppm * 1e-6) / (1 + pm) - 1) * 1e6
    return ShootTruth(master, m.id, offsets, drifts, tuple(unplaceable))


# --------------------------------------------------------------------------- specs


def shoot_camera(
    label: str, start_s: float, takes: list[tuple[float, float]], **kw: object
) -> ShootCamera:
    """A camera whose sample 0 is at scene time ``start_s`` (relative, see ``make_shoot``)
    with takes (start, end) on its clock; kw: any ``CameraSpec`` field."""
    end = max(b for _, b in takes)
    return ShootCamera(CameraSpec(label, start_s, end, **kw), tuple(takes))  # type: ignore[arg-type]


def make_shoot(
    name: str,
    seed: int,
    kinds: tuple[str, ...],
    cameras: list[ShootCamera],
    *,
    long: bool = False,
    lead_in_s: float = 1.5,
) -> ShootSpec:
    """A ShootSpec from cameras whose ``start_s`` are relative to each other: shifted,
    as ``cases.make_case`` does, so the scene has ``lead_in_s`` of content either side."""
    shift = lead_in_s - min(c.camera.start_s for c in cameras)
    cameras = [
        replace(c, camera=replace(c.camera, start_s=c.camera.start_s + shift)) for c in cameras
    ]
    for c in cameras:
        if any(b <= a for a, b in c.takes) or any(
            b[0] < a[1] for a, b in zip(c.takes, c.takes[1:], strict=False)
        ):
            raise ValueError(f"camera {c.label}: takes must be in order and not overlap")
    end = max(
        c.camera.start_s + c.camera.duration_s / (1 + c.camera.drift_ppm * 1e-6) for c in cameras
    )
    scene = scene_of(seed, float(np.ceil(end + lead_in_s)), kinds)
    case = CaseSpec(name, "shoot", seed, scene, tuple(c.camera for c in cameras), long)
    return ShootSpec(name, seed, case, tuple(cameras), long)


# --------------------------------------------------------------------------- building


def shoot_hash(spec: ShootSpec) -> str:
    blob = json.dumps(
        {"v": (GENERATOR_VERSION, SHOOT_VERSION), "spec": dataclasses.asdict(spec)},
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _clip_file(cam: ShootCamera, k: int) -> str:
    return f"{cam.label.lower()}{k + 1}.{cam.camera.container}"


def _clips(spec: ShootSpec, directory: Path) -> tuple[ClipTruth, ...]:
    out = []
    ids = iter(spec.clip_ids())
    for cam in spec.cameras:
        c = cam.camera
        # The codec's decoded-start shift and the clock: sample n0 is n0 / (r (1 + p))
        # camera seconds after sample 0.
        s0 = effective_start(c)
        audio_only = c.container not in VIDEO_CODEC or not c.video
        for k, (n0, n1) in enumerate(cam.sample_ranges()):
            out.append(
                ClipTruth(
                    next(ids),
                    c.label,
                    directory / _clip_file(cam, k),
                    n0,
                    n1 - n0,
                    c.sample_rate,
                    s0 + n0 / (c.sample_rate * (1 + c.drift_ppm * 1e-6)),
                    c.drift_ppm,
                    c.source,
                    audio_only,
                )
            )
    return tuple(out)


class _Cutter:
    """Cuts one camera's stream of chunks into sample ranges, in order."""

    def __init__(self, chunks: Iterator[np.ndarray], channels: int) -> None:
        self._chunks = chunks
        self._buf = np.zeros((0, channels), np.float32)
        self._pos = 0  # camera sample of self._buf[0]

    def take(self, n0: int, n1: int) -> Iterator[np.ndarray]:
        """Samples n0..n1-1 (n0 not before the end of the last range taken)."""
        while self._pos < n1:
            end = self._pos + len(self._buf)
            if end <= n0 or not len(self._buf):
                self._pos = end
                self._buf = next(self._chunks)
                continue
            a, b = max(n0, self._pos) - self._pos, min(n1, end) - self._pos
            yield self._buf[a:b]
            if b < len(self._buf):
                self._buf, self._pos = self._buf[b:], self._pos + b
                return
            self._pos, self._buf = end, self._buf[:0]


def _write_camera(
    spec: ShootSpec, cam: ShootCamera, scenes: dict[str, np.ndarray], out: Path
) -> None:
    c = cam.camera
    cutter = _Cutter(camera_chain(spec.case, c, scenes).chunks(), c.channels)
    for k, (n0, n1) in enumerate(cam.sample_ranges()):
        write_media_chunks(
            out / _clip_file(cam, k),
            cutter.take(n0, n1),
            c.sample_rate,
            c.channels,
            container=c.container,
            audio_codec=c.audio_codec,
            video=c.video and c.container in VIDEO_CODEC,
            duration_s=(n1 - n0) / c.sample_rate,
        )


def build_shoot(spec: ShootSpec, cache_dir: str | Path) -> BuiltShoot:
    """Write the shoot's clips under cache_dir/<name>-<hash>/ (reused when present)."""
    if any(c.camera.source not in ("scene", "unrelated", "silence") for c in spec.cameras):
        raise ValueError("shoot cameras need audio (source scene, unrelated or silence)")
    validate(spec.case)
    cache_dir = Path(cache_dir)
    final = cache_dir / f"shoot-{spec.name}-{shoot_hash(spec)}"
    if (final / "clips.json").exists():
        return BuiltShoot(spec, _clips(spec, final), final)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / f".tmp-{final.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        scenes = case_scenes(spec.case, tmp)
        try:
            for cam in spec.cameras:
                _write_camera(spec, cam, scenes, tmp)
        finally:
            release_scenes(scenes)
        _write_doc(tmp / "clips.json", spec, _clips(spec, final))
        try:
            tmp.rename(final)
        except OSError:  # another process finished first: use theirs
            if not (final / "clips.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return BuiltShoot(spec, _clips(spec, final), final)


def _write_doc(path: Path, spec: ShootSpec, clips: tuple[ClipTruth, ...]) -> None:
    doc = {
        "name": spec.name,
        "seed": spec.seed,
        "convention": "a clip's start_s is the scene time of its first decoded sample; "
        "offsets: see worker/examples/shoots.py",
        "clips": [
            {
                "id": c.id,
                "label": c.label,
                "file": c.path.name,
                "first_camera_sample": c.n0,
                "samples": c.n_samples,
                "sample_rate": c.sample_rate,
                "start_s": c.start_s,
                "drift_ppm": c.drift_ppm,
                "source": c.source,
                "audio_only": c.audio_only,
            }
            for c in clips
        ],
        "case": dataclasses.asdict(spec.case),
    }
    path.write_text(json.dumps(doc, indent=1, sort_keys=True))


# --------------------------------------------------------------------------- the shoots

_MP4 = {"container": "mp4", "audio_codec": "aac"}
_MOV = {"container": "mov", "audio_codec": "pcm_s16le"}
_MKV = {"container": "mkv", "audio_codec": "flac"}
# Close-miked: no room, little noise, a bright lavalier/shotgun colouring.
RECORDER_CHANNEL = ChannelModel(snr_db=35.0, noise="white", hp_hz=80.0)


def recorder(start_s: float, takes: list[tuple[float, float]], **kw: object) -> ShootCamera:
    """The sound recorder: an audio-only WAV, cleaner than every camera."""
    opts: dict[str, object] = {"channel": RECORDER_CHANNEL, "channels": 2, "container": "wav"}
    return shoot_camera("REC", start_s, takes, **{**opts, **kw})


def _room(snr: float, rt60: float, noise: str = "pink", **kw: object) -> ChannelModel:
    return ChannelModel(snr_db=snr, rt60_s=rt60, noise=noise, **kw)  # type: ignore[arg-type]


def split_files() -> ShootSpec:
    """(a) One camera's recording split into three files at arbitrary points, no gap
    (a phone or action camera chaptering its MP4s), and a camera that covers it all."""
    return make_shoot(
        "split",
        601,
        ("speech", "music"),
        [
            shoot_camera(
                "A",
                0.0,
                [(0.0, 17.318437), (17.318437, 33.902113), (33.902113, 52.71)],
                channel=_room(20, 0.4),
                **_MP4,
            ),
            shoot_camera("B", -3.21057, [(0.0, 58.4)], channel=_room(15, 0.6, "babble"), **_MOV),
        ],
    )


def takes_with_gaps() -> ShootSpec:
    """(b) Stop/start takes with gaps on two cameras (one drifting) beside a camera
    that ran throughout."""
    return make_shoot(
        "takes",
        602,
        ("speech",),
        [
            shoot_camera(
                "A",
                0.0,
                [(0.0, 18.40713), (24.51131, 41.30977), (47.77301, 63.5)],
                channel=_room(20, 0.5),
                **_MP4,
            ),
            shoot_camera("B", -2.00419, [(0.0, 68.0)], channel=_room(15, 0.3, "hvac"), **_MOV),
            shoot_camera(
                "C",
                3.11111,
                [(0.0, 26.9), (31.73303, 58.2)],
                drift_ppm=45.0,
                sample_rate=44_100,
                channel=_room(10, 0.8, "babble"),
                **_MKV,
            ),
        ],
    )


def with_recorder() -> ShootSpec:
    """(c) A separate sound recorder (the default master) running through two takes
    of one camera and one take of another."""
    return make_shoot(
        "recorder",
        603,
        ("speech", "crowd"),
        [
            shoot_camera(
                "A", 4.70021, [(0.0, 21.3), (27.41113, 49.0)], channel=_room(10, 0.7), **_MP4
            ),
            shoot_camera(
                "B", 9.33337, [(0.0, 38.8)], drift_ppm=-30.0, channel=_room(8, 0.5, "hvac"), **_MOV
            ),
            recorder(0.0, [(0.0, 60.0)]),
        ],
    )


def lonely_take() -> ShootSpec:
    """(d) A take recorded while no other camera was: no audio can place it."""
    return make_shoot(
        "lonely",
        604,
        ("speech", "music"),
        [
            shoot_camera("A", 0.0, [(0.0, 40.0)], channel=_room(20, 0.4), **_MP4),
            shoot_camera("B", 5.20333, [(0.0, 30.1)], channel=_room(15, 0.5), **_MOV),
            # C's second take starts 18 s after A ends: nothing else hears it.
            shoot_camera(
                "C", 10.07771, [(0.0, 20.0), (47.9, 63.3)], channel=_room(15, 0.6), **_MP4
            ),
        ],
    )


def chain() -> ShootSpec:
    """(e) C's second take overlaps only B's second take, which overlaps the master
    A: it is placed through A -> B#2 -> C#2."""
    return make_shoot(
        "chain",
        605,
        ("speech", "music"),
        [
            shoot_camera("A", 0.0, [(0.0, 50.0)], channel=_room(20, 0.4), **_MP4),
            shoot_camera(
                "B", 2.00127, [(0.0, 18.0), (28.13297, 73.0)], channel=_room(15, 0.5), **_MOV
            ),
            shoot_camera(
                "C", 5.50919, [(0.0, 39.5), (52.61003, 74.9)], channel=_room(15, 0.6), **_MP4
            ),
        ],
    )


def five_cameras() -> ShootSpec:
    """(f) Five cameras, mixed formats, rates and clocks, takes on three of them."""
    return make_shoot(
        "five",
        606,
        ("speech", "music"),
        [
            shoot_camera("A", 0.0, [(0.0, 62.0)], channel=_room(20, 0.4), **_MP4),
            shoot_camera(
                "B", 1.73201, [(0.0, 25.3), (30.05557, 57.0)], channel=_room(15, 0.6), **_MOV
            ),
            shoot_camera(
                "C",
                -2.41113,
                [(0.0, 21.77), (21.77, 44.12345), (49.3, 66.0)],
                drift_ppm=-50.0,
                channel=_room(10, 0.5, "babble"),
                **_MP4,
            ),
            shoot_camera(
                "D",
                6.06061,
                [(0.0, 50.5)],
                sample_rate=44_100,
                channels=2,
                channel=_room(12, 0.9, "hvac"),
                **_MKV,
            ),
            shoot_camera(
                "E",
                3.33331,
                [(0.0, 19.9), (26.7, 53.8)],
                drift_ppm=30.0,
                channel=_room(8, 0.7, "white"),
                **_MP4,
            ),
        ],
    )


def three_cameras_two_takes_and_recorder() -> ShootSpec:
    """Three cameras with two takes each and a recorder WAV through all of them: the
    shape of the issue's browser test (see ``build_three_cameras_two_takes``)."""
    return make_shoot(
        "three-by-two-rec",
        607,
        ("speech", "music"),
        [
            shoot_camera(
                "A", 2.10133, [(0.0, 24.5), (29.90021, 52.0)], channel=_room(15, 0.5), **_MP4
            ),
            shoot_camera(
                "B",
                3.50071,
                [(0.0, 22.25), (26.41237, 50.3)],
                drift_ppm=40.0,
                channel=_room(12, 0.6, "babble"),
                **_MOV,
            ),
            shoot_camera(
                "C", 1.20457, [(0.0, 20.0), (27.5011, 53.4)], channel=_room(10, 0.7, "hvac"), **_MP4
            ),
            recorder(0.0, [(0.0, 58.0)]),
        ],
    )


def split_takes_and_recorder() -> ShootSpec:
    """The editing handoff's render check (tests/handoff/test_melt.py): a camera split
    into two files with no gap, a camera stopped between two takes (its clock fast),
    and a recorder through it all."""
    return make_shoot(
        "melt-split-rec",
        608,
        ("speech", "music"),
        [
            shoot_camera(
                "A", 1.30017, [(0.0, 19.307131), (19.307131, 38.5)], channel=_room(15, 0.4), **_MP4
            ),
            shoot_camera(
                "B",
                2.70113,
                [(0.0, 15.2), (21.61111, 37.0)],
                drift_ppm=50.0,
                channel=_room(12, 0.5, "babble"),
                **_MOV,
            ),
            recorder(0.0, [(0.0, 42.0)]),
        ],
    )


def build_three_cameras_two_takes(cache_dir: str | Path) -> BuiltShoot:
    """The browser test's shoot on disk: A, A, B, B, C, C, REC (in that input order)."""
    return build_shoot(three_cameras_two_takes_and_recorder(), cache_dir)


def quick_shoots() -> list[ShootSpec]:
    """The corpus's multi-clip shoots (tens of seconds each)."""
    return [
        split_files(),
        takes_with_gaps(),
        with_recorder(),
        lonely_take(),
        chain(),
        five_cameras(),
        three_cameras_two_takes_and_recorder(),
    ]


def benchmark_shoot(duration_min: float = 60.0) -> ShootSpec:
    """A long shoot for the benchmark: 3 cameras x 4 takes (one camera's recording split
    into four files, two cameras stopped between takes, drift) and a recorder through
    the whole session. Gaps and margins are those of the 60-minute shoot, scaled."""
    d = duration_min * 60.0
    q = d / 4
    k = q / 900.0  # 1 for the 60-minute shoot

    def takes(phase: float, gap: float) -> list[tuple[float, float]]:
        # Four takes a quarter of the session apart, each ending ``gap`` before the next.
        return [(i * q + phase * k, (i + 1) * q - gap * k) for i in range(4)]

    split = takes(0.0, 0.0)  # A: one recording split into four files (no gap)
    split[-1] = (split[-1][0], d - 20.0 * k)
    return make_shoot(
        f"bench-{duration_min:g}min-takes",
        1100,
        ("speech", "music", "speech", "sparse", "crowd", "speech"),
        [
            shoot_camera("A", 10.0 * k, split, channels=2, channel=_room(20, 0.4), **_MP4),
            shoot_camera(
                "B",
                41.234567 * k,
                takes(7.7, 31.3),
                drift_ppm=55.0,
                channel=_room(10, 0.6, "babble"),
                **_MOV,
            ),
            shoot_camera(
                "C",
                25.0 * k,
                takes(13.1, 47.9),
                drift_ppm=-80.0,
                sample_rate=44_100,
                channel=_room(5, 0.8, "hvac", eq="telephone"),
                **_MKV,
            ),
            recorder(0.0, [(0.0, d + 30.0 * k)]),
        ],
        long=True,
    )
