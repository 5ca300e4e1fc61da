"""Case specs, the family registry, building cases with on-disk caching, and truth.

Truth convention (product-wide). Scene time tau is the true time. Camera X has start
s_X (scene time of its first sample), rate r_X and clock drift p_X (ppm * 1e-6; X's
clock runs fast by p_X), so X's sample n is the scene at s_X + n / (r_X (1 + p_X)).
Relative to master M:

    offsets_ms[X] = (s_X - s_M) * (1 + p_M) * 1000   (M's file time of X's 1st sample)
    drift_ppm[X]  = ((1 + p_X) / (1 + p_M) - 1) * 1e6

so M's file time m is at X's file time x = (m - offset) * (1 + drift). "First sample"
is the first *decoded* sample as FFmpeg/PyAV deliver it (sample 0 of the decoded
stream, not its pts: MP3's first frame has pts 23.02 ms at 48 kHz yet decoded sample
0 is encoded sample 0); ``containers.CODEC_DECODED_SHIFT_S`` holds measured residual
codec shifts (all zero with PyAV 18.1 / FFmpeg 8.1). In simulated rooms
(``simulated_room.py``) a microphone d metres from the source hears the scene d / c
late, so s_X there is the start less that delay (``Truth.clock_offsets_ms`` keeps
the clocks alone).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

import numpy as np

from .channel import CameraChain, ChannelModel
from .containers import (
    CODEC_DECODED_SHIFT_S,
    VIDEO_CODEC,
    check_combo,
    supported_rates,
    write_media_chunks,
    write_video_only,
)
from .render import SUPPORTED_RATES
from .room import draw_room, mic_colour
from .simulated_room import DIRECTIVITIES, SimulatedRoomChannel
from .sources import SceneSpec, Segment, synthesize_scene

GENERATOR_VERSION = 2  # bump whenever generated content changes (cache key)
SOURCES = ("scene", "unrelated", "silence", "none")
_MEMMAP_SAMPLES = 20_000_000  # scenes longer than ~7 min go to a temporary file


@dataclass(frozen=True)
class CameraSpec:
    """One camera's recording of the session."""

    label: str
    start_s: float  # scene time of the first sample
    duration_s: float  # file duration (camera clock)
    sample_rate: int = 48_000
    channels: int = 1
    drift_ppm: float = 0.0
    container: str = "wav"
    audio_codec: str = "pcm_s16le"
    channel: ChannelModel = field(default_factory=ChannelModel)
    source: str = "scene"  # scene | unrelated (other scene, same kind) | silence | none
    video: bool = True  # add a video stream if the container takes one

    @property
    def n_samples(self) -> int:
        return round(self.duration_s * self.sample_rate)

    @property
    def filename(self) -> str:
        return f"cam{self.label}.{self.container}"


@dataclass(frozen=True)
class CaseSpec:
    """A synthetic multi-camera session."""

    name: str
    family: str
    seed: int
    scene: SceneSpec
    cameras: tuple[CameraSpec, ...]
    long: bool = False

    def camera(self, label: str) -> CameraSpec:
        return next(c for c in self.cameras if c.label == label)

    @property
    def unrelated_scene(self) -> SceneSpec:
        """Same kinds of content, different realisation (for 'unrelated' cameras)."""
        return replace(self.scene, seed=self.scene.seed + 7_919_111)


@dataclass(frozen=True)
class Truth:
    """Offsets (ms) and drifts (ppm) of every matchable camera relative to ``master``.

    Cameras with no true match (unrelated / silence / no audio) are in ``unmatched``
    and not in the dicts.
    """

    offsets_ms: dict[str, float]
    drift_ppm: dict[str, float]
    master: str = "A"
    unmatched: tuple[str, ...] = ()
    # The recording clocks' offsets alone, without the microphones' distances from
    # the source (they differ from ``offsets_ms`` only in simulated rooms).
    clock_offsets_ms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class BuiltCase:
    """A case on disk: camera label -> file path, and the truth relative to camera A."""

    spec: CaseSpec
    paths: dict[str, Path]
    truth: Truth
    directory: Path = field(default=Path())


# --------------------------------------------------------------------------- truth


def effective_start(cam: CameraSpec) -> float:
    """Scene time (s) of the camera's first *decoded* sample."""
    return _effective_start(cam)


def _effective_start(cam: CameraSpec) -> float:
    # A codec shift delta (camera seconds, + = decoded audio starts later) moves the
    # decoded first sample to camera time delta, i.e. scene time s + delta / (1 + p).
    # A microphone d metres from the source hears the scene d / c late: its first
    # sample holds the scene of d / c earlier (simulated_room.py).
    shift = CODEC_DECODED_SHIFT_S.get(cam.audio_codec, 0.0)
    return cam.start_s + shift / (1.0 + cam.drift_ppm * 1e-6) - cam.channel.propagation_s()


def truth_relative_to(case: CaseSpec | BuiltCase, master_label: str) -> Truth:
    """Truth with ``master_label`` as the reference camera (offset 0, drift 0)."""
    spec = case.spec if isinstance(case, BuiltCase) else case
    m = spec.camera(master_label)
    if m.source != "scene":
        raise ValueError(f"camera {master_label} has no scene audio to be a master")
    pm = m.drift_ppm * 1e-6
    sm = _effective_start(m)
    offsets, clocks, drifts, unmatched = {}, {}, {}, []
    for c in spec.cameras:
        if c.source != "scene":
            unmatched.append(c.label)
            continue
        pc = c.drift_ppm * 1e-6
        offsets[c.label] = 0.0 if c is m else (_effective_start(c) - sm) * (1 + pm) * 1000.0
        heard = c.channel.propagation_s() - m.channel.propagation_s()
        clocks[c.label] = 0.0 if c is m else offsets[c.label] + heard * (1 + pm) * 1000.0
        drifts[c.label] = 0.0 if c is m else ((1 + pc) / (1 + pm) - 1) * 1e6
    return Truth(offsets, drifts, master_label, tuple(unmatched), clocks)


def overlap_s(spec: CaseSpec, a: str, b: str) -> float:
    """Scene-time overlap (s) of two cameras' recordings."""
    ca, cb = spec.camera(a), spec.camera(b)

    def end(c: CameraSpec) -> float:
        return c.start_s + c.duration_s / (1 + c.drift_ppm * 1e-6)

    return max(0.0, min(end(ca), end(cb)) - max(ca.start_s, cb.start_s))


# --------------------------------------------------------------------------- building


def spec_hash(spec: CaseSpec) -> str:
    """Hash of the spec and GENERATOR_VERSION (the cache key)."""
    blob = json.dumps(
        {"v": GENERATOR_VERSION, "spec": dataclasses.asdict(spec)}, sort_keys=True, default=str
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _alloc_scene(n: int, workdir: Path, name: str) -> np.ndarray:
    if n <= _MEMMAP_SAMPLES:
        return np.zeros(n, np.float32)
    return np.memmap(workdir / f".{name}.f32", dtype=np.float32, mode="w+", shape=(n,))


def _camera_seed(spec: CaseSpec, cam: CameraSpec) -> tuple[int, ...]:
    return (spec.seed, *(ord(ch) for ch in cam.label))


def camera_chain(spec: CaseSpec, cam: CameraSpec, scenes: dict[str, np.ndarray]) -> CameraChain:
    """The streaming renderer for one camera (scenes: 'scene'/'unrelated' arrays)."""
    scene = scenes.get(cam.source)
    return CameraChain(
        scene,
        cam.sample_rate,
        cam.start_s,
        cam.drift_ppm,
        cam.n_samples,
        cam.channels,
        cam.channel,
        _camera_seed(spec, cam),
    )


def validate(spec: CaseSpec) -> None:
    """Raise ValueError for specs that cannot be rendered/written exactly."""
    labels = [c.label for c in spec.cameras]
    if len(set(labels)) != len(labels) or "A" not in labels:
        raise ValueError("camera labels must be unique and include 'A'")
    for c in spec.cameras:
        if c.source not in SOURCES:
            raise ValueError(f"bad source {c.source!r}")
        if c.source == "none":
            continue
        if c.sample_rate not in SUPPORTED_RATES:
            raise ValueError(f"unsupported rate {c.sample_rate}")
        check_combo(c.container, c.audio_codec, c.sample_rate)


def build_case(spec: CaseSpec, cache_dir: str | Path) -> BuiltCase:
    """Write the case's files under cache_dir/<name>-<hash>/ (reused when present)."""
    validate(spec)
    cache_dir = Path(cache_dir)
    final = cache_dir / f"{spec.name}-{spec_hash(spec)}"
    truth = truth_relative_to(spec, "A")
    paths = {c.label: final / c.filename for c in spec.cameras}
    if (final / "truth.json").exists():
        return BuiltCase(spec, paths, truth, final)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / f".tmp-{final.name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _build_into(spec, tmp)
        _write_truth(tmp / "truth.json", spec, truth)
        try:
            tmp.rename(final)
        except OSError:  # another process finished first: use theirs
            if not (final / "truth.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return BuiltCase(spec, paths, truth, final)


_SCENE_CACHE: dict[SceneSpec, np.ndarray] = {}


def _scene(spec: SceneSpec, out_dir: Path, name: str) -> np.ndarray:
    """Synthesise a scene; short ones are memoised (families share scenes on purpose)."""
    if spec in _SCENE_CACHE:
        return _SCENE_CACHE[spec]
    arr = synthesize_scene(spec, _alloc_scene(spec.n_samples, out_dir, name))
    if not isinstance(arr, np.memmap):
        while len(_SCENE_CACHE) >= 2:
            _SCENE_CACHE.pop(next(iter(_SCENE_CACHE)))
        _SCENE_CACHE[spec] = arr
    return arr


def case_scenes(spec: CaseSpec, out_dir: Path) -> dict[str, np.ndarray]:
    """The scene arrays the case's cameras look at ('scene', 'unrelated'); long ones are
    temporary files under ``out_dir``, for ``release_scenes`` to delete."""
    scenes: dict[str, np.ndarray] = {}
    sources = {c.source for c in spec.cameras}
    if "scene" in sources:
        scenes["scene"] = _scene(spec.scene, out_dir, "scene")
    if "unrelated" in sources:
        scenes["unrelated"] = _scene(spec.unrelated_scene, out_dir, "unrelated")
    return scenes


def release_scenes(scenes: dict[str, np.ndarray]) -> None:
    """Delete the temporary files behind long scenes (``case_scenes``)."""
    for arr in scenes.values():
        if isinstance(arr, np.memmap):
            fn = arr.filename
            del arr
            Path(cast(str, fn)).unlink(missing_ok=True)


def _build_into(spec: CaseSpec, out_dir: Path) -> None:
    scenes = case_scenes(spec, out_dir)
    for cam in spec.cameras:
        path = out_dir / cam.filename
        container_video = cam.container in VIDEO_CODEC
        if cam.source == "none":
            write_video_only(path, cam.duration_s, container=cam.container)
            continue
        chain = camera_chain(spec, cam, scenes)
        write_media_chunks(
            path,
            chain.chunks(),
            cam.sample_rate,
            cam.channels,
            container=cam.container,
            audio_codec=cam.audio_codec,
            video=cam.video and container_video,
            duration_s=cam.duration_s,
        )
    release_scenes(scenes)


def _write_truth(path: Path, spec: CaseSpec, truth: Truth) -> None:
    doc = {
        "name": spec.name,
        "family": spec.family,
        "seed": spec.seed,
        "generator_version": GENERATOR_VERSION,
        "convention": "offsets_ms[X]: master file time (ms) of X's first decoded sample; "
        "drift_ppm[X]: x = (m - offset) * (1 + drift*1e-6)",
        "master": truth.master,
        "offsets_ms": truth.offsets_ms,
        "clock_offsets_ms": truth.clock_offsets_ms,
        "drift_ppm": truth.drift_ppm,
        "unmatched": list(truth.unmatched),
        "cameras": {
            c.label: {
                "file": c.filename,
                "start_s": c.start_s,
                "duration_s": c.duration_s,
                "sample_rate": c.sample_rate,
                "channels": c.channels,
                "drift_ppm": c.drift_ppm,
                "container": c.container,
                "audio_codec": c.audio_codec,
                "source": c.source,
                "channel": dataclasses.asdict(c.channel),
            }
            for c in spec.cameras
        },
        "scene": dataclasses.asdict(spec.scene),
    }
    path.write_text(json.dumps(doc, indent=1, sort_keys=True))


# --------------------------------------------------------------------------- helpers

_LEVELS = (-20.0, -23.0, -18.0, -21.0)


def scene_of(
    seed: int,
    duration_s: float,
    kinds: tuple[str, ...] = ("speech",),
    variant: str = "",
    room_tone_dbfs: float | None = -62.0,
) -> SceneSpec:
    """A scene of ``duration_s`` split evenly among ``kinds`` (in order)."""
    part = duration_s / len(kinds)
    segs = tuple(Segment(k, part, _LEVELS[i % len(_LEVELS)], variant) for i, k in enumerate(kinds))
    return SceneSpec(segs, seed, room_tone_dbfs)


def make_case(
    name: str,
    family: str,
    seed: int,
    kinds: tuple[str, ...],
    cams: list[CameraSpec],
    *,
    variant: str = "",
    room_tone_dbfs: float | None = -62.0,
    long: bool = False,
    lead_in_s: float = 1.5,
) -> CaseSpec:
    """Build a CaseSpec from cameras whose ``start_s`` is relative to camera A.

    Starts are shifted so the earliest camera begins ``lead_in_s`` into the scene and
    the scene ends ``lead_in_s`` after the last camera (reverb tails / filter margins
    see real scene content, never an edge).
    """
    shift = lead_in_s - min(c.start_s for c in cams)
    cams = [replace(c, start_s=c.start_s + shift) for c in cams]
    end = max(c.start_s + c.duration_s / (1 + c.drift_ppm * 1e-6) for c in cams)
    duration = float(np.ceil(end + lead_in_s))
    return CaseSpec(
        name,
        family,
        seed,
        scene_of(seed, duration, kinds, variant, room_tone_dbfs),
        tuple(cams),
        long,
    )


def cam(label: str, start_s: float, duration_s: float, **kw: object) -> CameraSpec:
    """Shorthand for CameraSpec (kw: any CameraSpec field)."""
    return CameraSpec(label, start_s, duration_s, **kw)  # type: ignore[arg-type]


_CODEC_CASES = (
    ("mp4", "aac"),
    ("mov", "pcm_s16le"),
    ("mov", "aac"),
    ("mkv", "flac"),
    ("mkv", "opus"),
    ("webm", "opus"),
    ("wav", "pcm_s16le"),
    ("wav", "pcm_f32le"),
    ("mp3", "mp3"),
    ("m4a", "aac"),
)


def _families() -> dict[str, list[CaseSpec]]:
    cm = ChannelModel
    f: dict[str, list[CaseSpec]] = {}
    f["clean"] = [
        make_case(
            "clean-speech",
            "clean",
            101,
            ("speech",),
            [
                cam("A", 0.0, 80.0, container="mp4", audio_codec="aac"),
                cam("B", 21.357183, 72.0),
                cam("C", -17.820361, 85.0, container="mov", audio_codec="pcm_s16le", channels=2),
            ],
        ),
        make_case(
            "clean-mixed",
            "clean",
            102,
            ("speech", "music"),
            [
                cam("A", 0.0, 90.0),
                cam("B", -31.25013, 88.0, container="mkv", audio_codec="flac", channels=2),
                cam("C", 12.000021, 70.0, container="mp4", audio_codec="aac"),
            ],
        ),
    ]
    # The three noise families share their scenes (same seed): only the SNR differs.
    for fam, snr, seed in (
        ("noise_10db", 10.0, 110),
        ("noise_0db", 0.0, 110),
        ("noise_m5db", -5.0, 110),
    ):
        f[fam] = [
            make_case(
                f"{fam}-speech",
                fam,
                seed,
                ("speech",),
                [
                    cam("A", 0.0, 75.0, channel=cm(snr_db=snr, noise="pink")),
                    cam("B", 14.73311, 70.0, channel=cm(snr_db=snr, noise="babble")),
                    cam("C", -9.51102, 80.0, channel=cm(snr_db=snr, noise="hvac")),
                ],
            ),
            make_case(
                f"{fam}-music",
                fam,
                seed + 1,
                ("music", "crowd"),
                [
                    cam("A", 0.0, 70.0, channel=cm(snr_db=snr, noise="white")),
                    cam(
                        "B",
                        -22.10457,
                        75.0,
                        channel=cm(snr_db=snr, noise="pink"),
                        container="mp4",
                        audio_codec="aac",
                    ),
                ],
            ),
        ]
    f["reverb_eq"] = [
        make_case(
            "reverb_eq-speech",
            "reverb_eq",
            140,
            ("speech",),
            [
                cam("A", 0.0, 80.0, channel=cm(rt60_s=0.3, drr_db=8, hp_hz=120, snr_db=30)),
                cam(
                    "B", 18.44417, 70.0, channel=cm(rt60_s=0.9, drr_db=0, eq="telephone", snr_db=25)
                ),
                cam(
                    "C",
                    -11.2031,
                    80.0,
                    channel=cm(rt60_s=1.2, drr_db=-3, eq="presence", lp_hz=5000, snr_db=20),
                    channels=2,
                ),
            ],
        ),
        make_case(
            "reverb_eq-music",
            "reverb_eq",
            141,
            ("music", "speech"),
            [
                cam("A", 0.0, 75.0, channel=cm(rt60_s=0.5, eq="boomy", hp_hz=60, snr_db=30)),
                cam(
                    "B",
                    -25.6021,
                    80.0,
                    channel=cm(rt60_s=0.7, drr_db=2, eq="tinny", lp_hz=6000, snr_db=30),
                ),
                cam("C", 9.87651, 70.0, channel=cm(eq="tilt_down", hp_hz=250, lp_hz=3000)),
            ],
        ),
    ]
    f["mixed_rates"] = [
        make_case(
            "mixed_rates-high",
            "mixed_rates",
            150,
            ("speech", "music"),
            [
                cam("A", 0.0, 80.0, sample_rate=48_000),
                cam("B", 16.42198, 75.0, sample_rate=44_100, container="mp4", audio_codec="aac"),
                cam("C", -13.07713, 80.0, sample_rate=32_000, channel=cm(snr_db=20)),
            ],
        ),
        make_case(
            "mixed_rates-low",
            "mixed_rates",
            151,
            ("speech",),
            [
                cam("A", 0.0, 70.0, sample_rate=44_100),
                cam("B", 8.33331, 70.0, sample_rate=16_000, channel=cm(snr_db=20, eq="telephone")),
                cam("C", -6.66671, 70.0, sample_rate=22_050),
                cam("D", 3.14159, 60.0, sample_rate=8_000, channel=cm(snr_db=15)),
            ],
        ),
    ]
    # One scene and geometry for every codec case: only the container/codec differs.
    f["codecs"] = []
    for i, (container, codec) in enumerate(_CODEC_CASES):
        rate = 48_000 if codec == "opus" else (44_100 if i % 2 else 48_000)
        f["codecs"].append(
            make_case(
                f"codecs-{container}-{codec}",
                "codecs",
                160,
                ("speech", "music"),
                [
                    cam("A", 0.0, 50.0, container=container, audio_codec=codec, sample_rate=rate),
                    cam(
                        "B",
                        11.53127,
                        45.0,
                        container=container,
                        audio_codec=codec,
                        sample_rate=rate,
                        channels=2,
                        channel=cm(snr_db=25),
                    ),
                ],
            )
        )
    f["hard_room"] = _hard_rooms()
    f["simulated_room"] = _simulated_rooms()
    f["polarity"] = [
        make_case(
            "polarity",
            "polarity",
            180,
            ("speech", "music"),
            [
                cam("A", 0.0, 70.0),
                cam("B", 10.20304, 65.0, channel=cm(invert=True)),
                cam("C", -7.0931, 70.0, channel=cm(invert=True, rt60_s=0.5, snr_db=10)),
            ],
        )
    ]
    f["clipping"] = [
        make_case(
            "clipping",
            "clipping",
            190,
            ("music", "speech"),
            [
                cam("A", 0.0, 70.0, channel=cm(clip_drive_db=6)),
                cam("B", 12.3457, 65.0, channel=cm(clip_drive_db=12, snr_db=20)),
                cam("C", -8.7612, 70.0, channel=cm(clip_drive_db=18, agc=True)),
            ],
        )
    ]
    f["drift"] = [
        make_case(
            "drift-22min",
            "drift",
            200,
            ("speech", "music", "sparse", "speech"),
            [
                cam("A", 0.0, 1320.0, channel=cm(snr_db=20)),
                cam("B", 37.51237, 1260.0, drift_ppm=85.0, channel=cm(snr_db=15, rt60_s=0.4)),
                cam(
                    "C",
                    -24.20011,
                    1350.0,
                    drift_ppm=-60.0,
                    channels=2,
                    container="mp4",
                    audio_codec="aac",
                    channel=cm(snr_db=10, noise="babble"),
                ),
            ],
            long=True,
        ),
        make_case(
            "drift-25min",
            "drift",
            201,
            ("music", "speech", "crowd", "speech"),
            [
                cam("A", 0.0, 1500.0, drift_ppm=40.0),
                cam("B", -45.00731, 1450.0, drift_ppm=-120.0, channel=cm(snr_db=10)),
                cam(
                    "C",
                    61.77777,
                    1380.0,
                    drift_ppm=100.0,
                    sample_rate=44_100,
                    container="mkv",
                    audio_codec="flac",
                    channel=cm(snr_db=5, noise="hvac"),
                ),
            ],
            long=True,
        ),
    ]
    f["partial_overlap"] = [
        make_case(
            "partial_overlap-50",
            "partial_overlap",
            210,
            ("speech",),
            [cam("A", 0.0, 80.0), cam("B", 40.01337, 80.0, channel=cm(snr_db=15))],
        ),
        make_case(
            "partial_overlap-25",
            "partial_overlap",
            211,
            ("speech", "music"),
            [
                cam("A", 0.0, 100.0),
                cam("B", 85.00229, 60.0, channel=cm(snr_db=15)),
                cam("C", -45.5031, 60.0),
            ],
        ),
    ]
    f["chain_overlap"] = [
        make_case(
            "chain_overlap",
            "chain_overlap",
            220,
            ("speech", "music"),
            [
                cam("A", 0.0, 60.0),
                cam("B", 40.11113, 60.0, channel=cm(snr_db=20)),
                cam("C", 84.9377, 60.0, channel=cm(snr_db=20)),
            ],
        )
    ]
    f["large_offset"] = [
        make_case(
            "large_offset",
            "large_offset",
            230,
            ("speech", "music"),
            [
                cam("A", 0.0, 120.0),
                cam("B", 101.23457, 60.0, channel=cm(snr_db=20)),
                cam("C", -96.54321, 112.0, container="mp4", audio_codec="aac"),
            ],
        )
    ]
    f["music_steady"] = [
        make_case(
            "music_steady-pure",
            "music_steady",
            240,
            ("music_loop",),
            [
                cam("A", 0.0, 60.0),
                cam("B", 13.13131, 55.0, channel=cm(snr_db=20)),
                cam("C", -7.77777, 60.0, channel=cm(rt60_s=0.6)),
            ],
            room_tone_dbfs=None,
        ),
        make_case(
            "music_steady-plus",
            "music_steady",
            241,
            ("music_loop",),
            [
                cam("A", 0.0, 60.0),
                cam("B", 13.13131, 55.0, channel=cm(snr_db=20)),
                cam("C", -7.77777, 60.0, channel=cm(rt60_s=0.6)),
            ],
            variant="plus",
        ),
    ]
    f["sparse"] = [
        make_case(
            "sparse",
            "sparse",
            250,
            ("sparse",),
            [
                cam("A", 0.0, 110.0),
                cam("B", 23.45611, 100.0, channel=cm(snr_db=20)),
                cam("C", -15.0021, 120.0, channel=cm(rt60_s=0.8, snr_db=10)),
            ],
            room_tone_dbfs=-60.0,
        )
    ]
    f["crowd"] = [
        make_case(
            "crowd",
            "crowd",
            260,
            ("crowd",),
            [
                cam("A", 0.0, 70.0),
                cam("B", 15.70213, 65.0, channel=cm(snr_db=10, noise="babble")),
                cam("C", -11.1111, 70.0, channel=cm(rt60_s=1.0, snr_db=5)),
            ],
        )
    ]
    f["unrelated"] = [
        make_case(
            "unrelated-speech",
            "unrelated",
            270,
            ("speech",),
            [cam("A", 0.0, 60.0), cam("B", 10.5, 60.0), cam("C", 5.25, 60.0, source="unrelated")],
        ),
        make_case(
            "unrelated-music",
            "unrelated",
            271,
            ("music",),
            [cam("A", 0.0, 60.0), cam("B", -8.125, 60.0), cam("C", 3.0, 60.0, source="unrelated")],
        ),
    ]
    f["silence"] = [
        make_case(
            "silence",
            "silence",
            280,
            ("speech",),
            [
                cam("A", 0.0, 60.0),
                cam("B", 9.8765, 60.0),
                cam("C", 2.0, 60.0, source="silence"),
                cam("D", 4.0, 60.0, source="silence", channel=cm(noise_floor_dbfs=-70.0)),
            ],
        )
    ]
    f["no_audio"] = [
        make_case(
            "no_audio",
            "no_audio",
            290,
            ("speech",),
            [
                cam("A", 0.0, 60.0),
                cam("B", 6.54321, 60.0),
                cam("C", 1.0, 60.0, container="mp4", source="none"),
            ],
        )
    ]
    return f


# Rooms of #14: RT60 0.7-1.0 s; each (room, content) case puts four cameras at their own
# positions (own reflections and DRR, tail 2-9 dB above the direct sound) with their own
# microphone colouring. Camera starts are fractional so no lag is a whole sample.
_HARD_ROOMS = (("hall", 0.7), ("church", 1.0), ("gym", 0.85))
_HARD_ROOM_STARTS = ((13.41771, -9.30127, 5.55513), (-17.20041, 8.08123, 21.73319))


def _hard_rooms() -> list[CaseSpec]:
    out = []
    for r, (room, rt60) in enumerate(_HARD_ROOMS):
        for c, kinds in enumerate((("speech",), ("music",))):
            seed = 300 + 2 * r + c
            starts = (0.0, *_HARD_ROOM_STARTS[(r + c) % 2])
            cams = [
                cam(
                    lbl,
                    start,
                    45.0 if i else 50.0,
                    sample_rate=44_100 if i == 2 else 48_000,
                    channel=draw_room(np.random.default_rng([seed, i]), rt60, r + c + i),
                )
                for i, (lbl, start) in enumerate(zip("ABCD", starts, strict=True))
            ]
            out.append(make_case(f"hard_room-{room}-{kinds[0]}", "hard_room", seed, kinds, cams))
    return out


# Rooms of #23, from pyroomacoustics (simulated_room.py): (name, size in m, RT60 s,
# content), from a dry office to halls of 2 s. Four cameras per room, one near the
# source (0.5-2 m), one at 2-5 m, two as far as the room allows (up to 12 m).
_SIMULATED_ROOMS: tuple[tuple[str, tuple[float, float, float], float, tuple[str, ...]], ...] = (
    ("office", (5.0, 4.0, 2.8), 0.3, ("speech",)),
    ("classroom", (9.0, 7.0, 3.2), 0.6, ("speech",)),
    ("live_room", (8.0, 6.5, 3.5), 0.5, ("music",)),
    ("conference", (14.0, 9.0, 3.2), 0.9, ("sparse",)),
    ("restaurant", (16.0, 11.0, 3.5), 1.1, ("speech", "music")),
    ("gym", (30.0, 18.0, 8.0), 1.6, ("speech",)),
    ("hall", (36.0, 22.0, 12.0), 2.0, ("music",)),
    ("church", (40.0, 16.0, 14.0), 2.0, ("sparse",)),
)
_SIMULATED_DISTANCES = ((0.5, 2.0), (2.0, 5.0), (5.0, 12.0), (3.0, 12.0))


def _place(
    rng: np.random.Generator,
    room: tuple[float, float, float],
    near: tuple[float, float, float],
    distance: tuple[float, float],
    *,
    farthest: bool = False,
) -> tuple[float, float, float]:
    """A microphone 0.4 m or more from every wall at a distance in ``distance`` from the
    source ``near`` (with ``farthest``, the farthest of many such draws), rounded to cm."""
    walls = np.array(room) - 0.4
    corners = np.array(np.meshgrid(*[(0.4, w) for w in walls])).reshape(3, -1).T
    reach = float(np.max(np.linalg.norm(corners - np.array(near), axis=1)))
    lo, hi = min(distance[0], 0.6 * reach), min(distance[1], reach)
    found: list[tuple[float, np.ndarray]] = []
    for _ in range(400):
        d = float(rng.uniform(lo, hi))
        az = float(rng.uniform(0, 2 * np.pi))
        z = float(rng.uniform(1.0, min(2.0, room[2] - 0.4)))
        flat = np.sqrt(max(d * d - (z - near[2]) ** 2, 0.0))
        p = np.array([near[0] + flat * np.cos(az), near[1] + flat * np.sin(az), z])
        if np.all(p >= 0.4) and np.all(p <= walls):
            found.append((d, p))
            if not farthest:
                break
    if not found:
        raise ValueError(f"no place {lo}-{hi} m from {near} in a room of {room}")
    p = max(found, key=lambda f: f[0])[1]
    return (float(round(p[0], 2)), float(round(p[1], 2)), float(round(p[2], 2)))


def _simulated_rooms() -> list[CaseSpec]:
    out = []
    for r, (room, size, rt60, kinds) in enumerate(_SIMULATED_ROOMS):
        seed = 400 + r
        rng = np.random.default_rng([seed, 23])
        source = (
            float(round(rng.uniform(0.25, 0.45) * size[0], 2)),
            float(round(rng.uniform(0.3, 0.7) * size[1], 2)),
            float(round(rng.uniform(1.2, 1.7), 2)),
        )
        length = 90.0 if "sparse" in kinds else 45.0
        starts = (0.0, *_HARD_ROOM_STARTS[r % 2])
        order = rng.permutation(len(_SIMULATED_DISTANCES))  # which camera is near
        cams = []
        for i, (lbl, start) in enumerate(zip("ABCD", starts, strict=True)):
            channel = SimulatedRoomChannel(
                snr_db=30.0,
                noise="pink",
                rt60_s=rt60,
                **mic_colour(r + i),
                room_m=size,
                source_m=source,
                mic_m=_place(
                    rng, size, source, _SIMULATED_DISTANCES[order[i]], farthest=order[i] == 2
                ),
                directivity=DIRECTIVITIES[(r + i) % len(DIRECTIVITIES)],
                aim_deg=round(float(rng.uniform(-50, 50)), 1),
            )
            cams.append(
                cam(
                    lbl,
                    start,
                    length + (5.0 if i == 0 else 0.0),
                    sample_rate=44_100 if i == 2 else 48_000,
                    channel=channel,
                )
            )
        out.append(
            make_case(f"simulated_room-{room}", "simulated_room", seed, kinds, cams, lead_in_s=3.0)
        )
    return out


FAMILIES: dict[str, list[CaseSpec]] = _families()


def build_cases(specs: list[CaseSpec], cache_dir: str | Path, workers: int = 1) -> list[BuiltCase]:
    """build_case for many specs, optionally in worker processes (order preserved)."""
    if workers <= 1 or len(specs) <= 1:
        return [build_case(s, cache_dir) for s in specs]
    from concurrent.futures import ProcessPoolExecutor

    # Chunks of consecutive specs per task so cases sharing a scene share a worker.
    with ProcessPoolExecutor(workers) as ex:
        return list(ex.map(build_case, specs, [cache_dir] * len(specs), chunksize=4))


def all_cases(long: bool | None = None) -> list[CaseSpec]:
    """Every registered case (long=None), or only long / only quick ones."""
    return [c for cases in FAMILIES.values() for c in cases if long is None or c.long == long]


def benchmark_case(duration_min: float = 60.0, seed: int = 0) -> CaseSpec:
    """A long 3-camera session for benchmarks: mixed content, drift, noise, reverb."""
    d = duration_min * 60.0
    kinds = ("speech", "music", "speech", "sparse", "crowd", "speech")
    return make_case(
        f"bench-{duration_min:g}min",
        "benchmark",
        1000 + seed,
        kinds,
        [
            cam(
                "A",
                0.0,
                d,
                container="mp4",
                audio_codec="aac",
                channels=2,
                channel=ChannelModel(snr_db=20, rt60_s=0.4),
            ),
            cam(
                "B",
                41.234567,
                d - 90.0,
                drift_ppm=55.0,
                channel=ChannelModel(snr_db=10, noise="babble"),
            ),
            cam(
                "C",
                -33.333337,
                d - 30.0,
                drift_ppm=-80.0,
                sample_rate=44_100,
                container="mkv",
                audio_codec="flac",
                channel=ChannelModel(snr_db=5, rt60_s=0.8, eq="telephone"),
            ),
        ],
        long=True,
    )


# --------------------------------------------------------------------------- random


def random_case(
    seed: int, *, video: bool = False, lossy: bool = False, max_duration_s: float = 300.0
) -> CaseSpec:
    """A randomized 2-3 camera case for confidence calibration.

    Draws content kind(s), camera durations (30 s..max_duration_s), overlap with A
    (20-100 % of the shorter camera, either side), rate, channels, drift (30 %),
    SNR (+30..-20 dB, 85 %), noise type, reverb, EQ, gain, polarity, clipping, AGC,
    and (12 %) an unrelated or silent last camera. wav/flac only unless ``lossy``
    (then half the cameras are mp4/aac, mp3 or webm/opus); no video unless ``video``.
    Costs a few CPU seconds per case (~1 s per minute of scene + camera audio).
    """
    rng = np.random.default_rng([seed, 424_242])
    kinds_all = ("speech", "crowd", "music", "music_loop", "sparse", "ambient")
    k1 = str(rng.choice(kinds_all, p=[0.32, 0.14, 0.2, 0.08, 0.14, 0.12]))
    kinds: tuple[str, ...] = (k1,)
    if rng.random() < 0.25:
        kinds = (k1, str(rng.choice(("speech", "music", "crowd"))))
    n_cams = int(rng.choice([2, 3], p=[0.4, 0.6]))
    durs = rng.uniform(30, max(30.0, max_duration_s), n_cams)
    cams = []
    for i in range(n_cams):
        label = "ABC"[i]
        if i == 0:
            start = 0.0
        else:  # overlap fraction 0.2-1.0 of the shorter of (this, A), either side of A
            short = min(durs[0], durs[i])
            ov = rng.uniform(0.2, 1.0) * short
            start = durs[0] - ov if rng.random() < 0.5 else ov - durs[i]
        rate = int(
            rng.choice(
                [8000, 16000, 22050, 32000, 44100, 48000], p=[0.05, 0.1, 0.05, 0.1, 0.3, 0.4]
            )
        )
        if lossy and rng.random() < 0.5:
            container, codec = [("mp4", "aac"), ("mp3", "mp3"), ("webm", "opus")][
                int(rng.integers(3))
            ]
            rates = supported_rates(codec) or (rate,)
            if rate not in rates:
                rate = 48_000
        else:
            container, codec = [("wav", "pcm_s16le"), ("mkv", "flac"), ("wav", "pcm_f32le")][
                int(rng.integers(3))
            ]
        snr = float(rng.uniform(-20, 30)) if rng.random() < 0.85 else None
        model = ChannelModel(
            snr_db=snr,
            noise=str(rng.choice(["white", "pink", "babble", "hvac"])),
            rt60_s=float(rng.uniform(0.2, 1.2)) if rng.random() < 0.5 else None,
            drr_db=float(rng.uniform(-3, 12)),
            hp_hz=float(rng.uniform(80, 300)) if rng.random() < 0.4 else None,
            lp_hz=float(rng.uniform(3000, 8000)) if rng.random() < 0.3 else None,
            eq=str(
                rng.choice(
                    [
                        "flat",
                        "flat",
                        "presence",
                        "telephone",
                        "tilt_up",
                        "tilt_down",
                        "boomy",
                        "tinny",
                    ]
                )
            ),
            gain_db=float(rng.uniform(-15, 5)),
            invert=bool(rng.random() < 0.2),
            clip_drive_db=float(rng.uniform(6, 18)) if rng.random() < 0.1 else None,
            agc=bool(rng.random() < 0.1),
        )
        source = "scene"
        if i == n_cams - 1 and i > 0 and rng.random() < 0.12:
            source = str(rng.choice(["unrelated", "silence"]))
        cams.append(
            CameraSpec(
                label,
                float(start),
                float(round(durs[i], 3)),
                rate,
                int(rng.choice([1, 2], p=[0.7, 0.3])),
                float(rng.uniform(-100, 100)) if rng.random() < 0.3 else 0.0,
                container,
                codec,
                model,
                source,
                video,
            )
        )
    variant = "plus" if rng.random() < 0.5 else ""
    return make_case(f"random-{seed}", "random", seed, kinds, cams, variant=variant)
