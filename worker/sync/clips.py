"""A session's inputs as clips: several files may share a camera label.

Labels always come from the operator. The clips of one label are takes of one
camera (stopped and restarted, or one recording split into files), so they never
overlap on the timeline and share the camera's clock. A clip whose file has no
picture is a sound recorder's track, the best audio of the session.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# The CLI's label contract (``--labels``): short, upper case, starting with a letter.
LABEL_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
# Separates a label from a take's number in a clip id (not allowed in labels).
TAKE_MARK = "#"


@dataclass(frozen=True)
class ClipInput:
    """One file of the session and the operator's label for its camera.

    :param id: the clip's id in the report (default: from the labels, ``clip_ids``).
    :param recorder: the file is a sound recorder's (default: it has no picture).
    """

    label: str
    path: Path
    id: str | None = None
    recorder: bool | None = None


@dataclass(frozen=True)
class SessionClip:
    """One clip as the report names it.

    :param id: the label itself when the label has one clip, else ``label#n`` (n
        counts that label's clips from 1, in input order).
    :param file: the file as it was given.
    :param audio_only: the file has no picture (a sound recorder).
    """

    id: str
    label: str
    file: str
    audio_only: bool = False


def clip_ids(labels: Sequence[str]) -> list[str]:
    """Clip ids for clips with these labels, in order (see ``SessionClip.id``)."""
    total = {lbl: labels.count(lbl) for lbl in labels}
    seen: dict[str, int] = {}
    ids = []
    for lbl in labels:
        seen[lbl] = seen.get(lbl, 0) + 1
        ids.append(lbl if total[lbl] == 1 else f"{lbl}{TAKE_MARK}{seen[lbl]}")
    return ids
