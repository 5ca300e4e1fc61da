"""Is a review acceptable? Pure checks shared by the HTTP API and the admin path.

A correction names offsets (ms on the master's timeline) for some cameras; the
others keep their computed offsets. It is refused, with the camera at fault,
when it names a camera the session does not have (or one whose file failed),
moves the master off 0, is not a finite number, puts a camera where it
overlaps no other camera's recording (beyond the files' durations), or puts one take
of a camera over another of its takes (a camera records one take at a time). The
"cameras" of a session with takes are its clips, keyed by clip id (``B#2``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from worker.errors import ReviewConflict, ReviewRejected


@dataclass(frozen=True)
class CameraFacts:
    """What the checks need to know about one camera of the session."""

    label: str
    usable: bool  # its asset is ready: it has media to place on the timeline
    duration_ms: float | None
    state: str = "ready"
    error: str | None = None
    camera: str | None = None  # the camera a take belongs to (default: ``label``)

    @property
    def camera_label(self) -> str:
        return self.camera or self.label


# Two takes of one camera may touch (a split recording's files end to end) but not
# overlap by more than this: more than a frame at any rate a camera records.
TAKE_OVERLAP_MS = 50.0


@dataclass(frozen=True)
class Problem:
    """One reason a review is refused; ``loc`` is relative to ``field``."""

    field: str  # "offsets" or "reviewer"
    loc: tuple[str, ...]
    msg: str


def _ms(value: float) -> str:
    return f"{value:.1f} ms"


def check_reviewer(name: object) -> list[Problem]:
    if not isinstance(name, str) or not name.strip():
        return [Problem("reviewer", (), "say who reviewed: a name or e-mail is required")]
    return []


def check_approval(computed: Mapping[str, float], cameras: Mapping[str, CameraFacts]) -> None:
    """Approving keeps the computed offsets, so every usable camera must have one."""
    missing = sorted(lbl for lbl, cam in cameras.items() if cam.usable and lbl not in computed)
    if missing:
        raise ReviewConflict(
            f"no computed offset for camera(s) {', '.join(missing)}: the sync could not place "
            "them, so the result cannot be approved as it is; correct it with their offsets"
        )


def _typed(
    raw: Mapping[object, object], master: str, cameras: Mapping[str, CameraFacts]
) -> tuple[dict[str, float], list[Problem]]:
    known = ", ".join(sorted(cameras))
    typed: dict[str, float] = {}
    problems: list[Problem] = []
    for key, value in raw.items():
        label = str(key)
        if label not in cameras:
            problems.append(
                Problem(
                    "offsets",
                    (label,),
                    f"camera {label!r} is not a camera of this session (its cameras: {known})",
                )
            )
            continue
        cam = cameras[label]
        if not cam.usable:
            reason = f": {cam.error}" if cam.error else ""
            problems.append(
                Problem(
                    "offsets",
                    (label,),
                    f"camera {label} has no usable recording (its file is {cam.state}{reason})",
                )
            )
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.append(
                Problem("offsets", (label,), f"must be a number of milliseconds, not {value!r}")
            )
            continue
        number = float(value)
        if not math.isfinite(number):
            problems.append(Problem("offsets", (label,), "must be a finite number"))
        elif label == master and number != 0:
            problems.append(
                Problem("offsets", (label,), f"camera {label} is the master: its offset stays 0")
            )
        else:
            typed[label] = number
    return typed, problems


def _overlaps_another(
    label: str, offsets: Mapping[str, float], cameras: Mapping[str, CameraFacts]
) -> Problem | None:
    """None if camera ``label`` overlaps at least one other camera on the timeline."""
    own = cameras[label].duration_ms
    if own is None:
        return None  # duration unknown (not probed): nothing to check against
    start = offsets[label]
    lows, highs = [], []
    camera = cameras[label].camera_label
    for other, at in offsets.items():
        dur = cameras[other].duration_ms if other in cameras else None
        if other == label or dur is None or cameras[other].camera_label == camera:
            continue
        if start < at + dur and at < start + own:
            return None
        lows.append(at - own)
        highs.append(at + dur)
    if not lows:
        return None
    return Problem(
        "offsets",
        (label,),
        f"{_ms(start)} puts camera {label} ({own / 1000:.1f} s long) beyond the "
        f"other recordings: it must lie between {_ms(min(lows))} and "
        f"{_ms(max(highs))} to overlap another camera",
    )


def _over_own_take(
    label: str, offsets: Mapping[str, float], cameras: Mapping[str, CameraFacts]
) -> Problem | None:
    """A problem if take ``label`` overlaps another take of its camera."""
    own = cameras[label].duration_ms
    if own is None:
        return None
    start, camera = offsets[label], cameras[label].camera_label
    for other, at in sorted(offsets.items()):
        facts = cameras.get(other)
        if other == label or facts is None or facts.camera_label != camera:
            continue
        if facts.duration_ms is None:
            continue
        overlap = min(start + own, at + facts.duration_ms) - max(start, at)
        if overlap > TAKE_OVERLAP_MS:
            return Problem(
                "offsets",
                (label,),
                f"{_ms(start)} puts {label} over {other} by {_ms(overlap)}: "
                f"camera {camera} records one take at a time",
            )
    return None


def check_correction(
    raw: object, *, master: str, computed: Mapping[str, float], cameras: Mapping[str, CameraFacts]
) -> dict[str, float]:
    """The complete offsets after a correction (computed ones merged with ``raw``).

    Raises ReviewRejected naming each camera at fault.
    """
    if not isinstance(raw, Mapping) or not raw:
        raise ReviewRejected(
            [
                Problem(
                    "offsets",
                    (),
                    'must be an object of camera label to offset in ms, e.g. {"C": -4123.4}',
                )
            ]
        )
    typed, problems = _typed(raw, master, cameras)
    merged = {
        lbl: float(computed[lbl]) for lbl, cam in cameras.items() if cam.usable and lbl in computed
    }
    merged.update(typed)
    if master in cameras:
        merged[master] = 0.0
    for label in sorted(cameras):
        if cameras[label].usable and label not in merged and label not in raw:
            problems.append(
                Problem("offsets", (label,), f"camera {label} has no computed offset: give one")
            )
    for label in sorted(typed):
        if label != master:
            problem = _overlaps_another(label, merged, cameras) or _over_own_take(
                label, merged, cameras
            )
            if problem is not None:
                problems.append(problem)
    if problems:
        raise ReviewRejected(problems)
    return dict(sorted(merged.items()))
