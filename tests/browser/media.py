"""Three cameras of one scene for the review page: speech, one clap, a flash on the clap.

The audio is a corpus case (speech in rooms, known offsets, see tests/corpus); a
clap is added to every camera at one instant of the scene, and every picture is
dark but for a white flash at that instant. Camera C's video starts 200 ms after
its audio (as many cameras' files do), so the review page lines picture and sound
up only if it honours each file's own audio and video start. Offsets are whole
frames at 30 fps, so the flash frame starts exactly at the clap in every file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.corpus import cases as corpus
from tests.corpus import decode_audio
from tests.support.av_clip import write_av_clip

CACHE_DIR = Path.home() / ".cache" / "multicam" / "review-page"
# Bump when the files change for the same case, so caches are rebuilt.
VERSION = 2
FPS = 30
SPEECH_GAIN = 0.4
FLASH_FRAMES = 2  # the flash lasts two frames: the frame at the clap and the next
CLAP_AT_A_S = 8.0  # the clap, in camera A's file time
VIDEO_DELAY_MS = {"A": 0, "B": 0, "C": 200}


@dataclass(frozen=True)
class ReviewCamera:
    label: str
    path: Path
    clap_at_s: float  # in the file's audio time (the audio starts at 0)
    video_delay_ms: int


@dataclass(frozen=True)
class ReviewScene:
    cameras: dict[str, ReviewCamera]
    truth_ms: dict[str, float]  # offsets against A (ms on A's timeline)
    clap_master_ms: float  # where the clap lies on A's timeline


def _case() -> corpus.CaseSpec:
    cm = corpus.ChannelModel
    return corpus.make_case(
        "review-page",
        "browser",
        11,
        ("speech",),
        [
            corpus.cam(
                "A",
                0.0,
                24.0,
                container="wav",
                audio_codec="pcm_s16le",
                channel=cm(snr_db=30, rt60_s=0.3),
            ),
            corpus.cam(
                "B",
                3.2,
                20.0,
                container="wav",
                audio_codec="pcm_s16le",
                channel=cm(snr_db=20, eq="presence"),
            ),
            corpus.cam(
                "C",
                -2.1,
                22.0,
                container="wav",
                audio_codec="pcm_s16le",
                channel=cm(snr_db=25, rt60_s=0.5),
            ),
        ],
    )


def _clap(audio: np.ndarray, at_s: float, rate: int) -> np.ndarray:
    """Add a sharp clap (a decaying noise burst) at ``at_s``, louder than the speech
    (a slate clapped near the microphones)."""
    out = SPEECH_GAIN * audio.astype(np.float32)
    n = int(0.03 * rate)
    rng = np.random.default_rng(7)
    burst = 0.95 * np.exp(-np.arange(n) / (0.004 * rate)) * rng.choice([-1.0, 1.0], n)
    start = round(at_s * rate)
    out[start : start + n] += burst[: max(0, len(out) - start), None]
    return np.clip(out, -1.0, 1.0)


def review_scene() -> ReviewScene:
    """Build (or reuse from the cache) the three camera files."""
    built = corpus.build_case(_case(), CACHE_DIR / "corpus")
    starts = {c.label: c.start_s for c in built.spec.cameras}
    clap_scene_s = starts["A"] + CLAP_AT_A_S
    folder = built.directory.parent / f"{built.directory.name}-av{VERSION}"
    folder.mkdir(parents=True, exist_ok=True)
    cameras = {}
    for label, source in sorted(built.paths.items()):
        delay = VIDEO_DELAY_MS[label]
        # Whole frames everywhere (offsets, delay, clap), so the flash starts at the clap.
        clap_at = round((clap_scene_s - starts[label]) * FPS) / FPS
        path = folder / f"cam{label}.mp4"
        if not path.exists():
            audio, rate = decode_audio(source)
            first = round((clap_at - delay / 1000) * FPS)
            write_av_clip(
                path,
                _clap(audio, clap_at, rate),
                rate,
                fps=FPS,
                video_delay_ms=delay,
                flash_frames=range(first, first + FLASH_FRAMES),
            )
        cameras[label] = ReviewCamera(label, path, clap_at, delay)
    return ReviewScene(cameras, dict(built.truth.offsets_ms), 1000.0 * CLAP_AT_A_S)
