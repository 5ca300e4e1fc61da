"""Write a 3-camera example session for the README demo.

    python -m worker.examples OUT_DIR

camA.mp4, camB.mp4, camC.mp4 (~90 s each, conversation in a room, realistic noise):
B starts ~7.5 s after A, C ~4.2 s before A and its clock runs 60 ppm fast.
truth.json holds the offsets/drifts relative to camera A (see cases.py for the
convention). Prints the paths.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from .cases import CameraSpec, CaseSpec, build_case, make_case
from .channel import ChannelModel


def example_case() -> CaseSpec:
    """The demo session's spec."""
    mp4 = {"container": "mp4", "audio_codec": "aac"}
    return make_case(
        "example",
        "example",
        2024,
        ("speech",),
        [
            CameraSpec(
                "A",
                0.0,
                90.0,
                channels=2,
                **mp4,  # type: ignore[arg-type]
                channel=ChannelModel(
                    rt60_s=0.45, drr_db=6.0, snr_db=22.0, noise="hvac", hp_hz=80.0
                ),
            ),
            CameraSpec(
                "B",
                7.512345,
                88.0,
                **mp4,  # type: ignore[arg-type]
                channel=ChannelModel(
                    rt60_s=0.6, drr_db=2.0, snr_db=15.0, noise="babble", eq="presence", gain_db=-4.0
                ),
            ),
            CameraSpec(
                "C",
                -4.204321,
                92.0,
                drift_ppm=60.0,
                sample_rate=44_100,
                **mp4,  # type: ignore[arg-type]
                channel=ChannelModel(
                    rt60_s=0.8,
                    drr_db=0.0,
                    snr_db=10.0,
                    noise="pink",
                    hp_hz=200.0,
                    lp_hz=7000.0,
                    agc=True,
                ),
            ),
        ],
        room_tone_dbfs=-58.0,
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    out = Path(args[0])
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        built = build_case(example_case(), tmp)
        paths = []
        for label, src in built.paths.items():
            dst = out / f"cam{label}.mp4"
            shutil.move(src, dst)
            paths.append(dst)
    truth = {
        "master": built.truth.master,
        "offsets_ms": built.truth.offsets_ms,
        "drift_ppm": built.truth.drift_ppm,
        "convention": "offsets_ms[X]: time on camA's file timeline (ms) of X's first "
        "decoded sample; drift_ppm[X]: camA file time m is at X file "
        "time (m - offset) * (1 + drift_ppm * 1e-6)",
    }
    (out / "truth.json").write_text(json.dumps(truth, indent=2))
    for p in [*paths, out / "truth.json"]:
        print(p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
