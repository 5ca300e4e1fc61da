"""``multicam sync``: sync local camera and recorder files and print the result."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from worker.errors import ArgumentsError, NotWritable, SyncInputError, UnknownFormat
from worker.handoff.formats import format_of_path, write_timeline
from worker.handoff.local import local_timeline
from worker.progress import ProgressBar
from worker.sync.artifacts import write_artifacts
from worker.sync.clips import LABEL_PATTERN, ClipInput, clip_ids
from worker.sync.engine import sync_clips
from worker.sync.report import ClipSyncReport

DESCRIPTION = """\
Find each camera's time offset against a master camera from their audio.

Each file is a clip with its camera's label (--labels). Several files may share
a label: takes of one camera (stopped and restarted, or one recording split into
files). They share the camera's clock and never overlap; every clip is placed on
the master's timeline, through any chain of clips that overlap. A file without
picture (WAV, BWF, MP3, FLAC, M4A) is a sound recorder and the default master.

Offsets (ms) are where each camera's first audio sample lies on the master's
timeline: +1234 means the camera started 1.234 s after the master. Drift (ppm)
> 0 means the camera's clock runs fast against the master's; the offset is the
one at the camera's start.

Confidence is a z-score of the correlation peak (>=10 strong, 5-10 fair, <5 weak)
and a percentage: the estimated probability that the offset is within one video
frame. Classification: looks-good (use it), review-suggested (check the
waveforms), needs-manual-nudge (set the offset by hand).
"""

EPILOG = """\
examples:
  multicam sync camA.mp4 camB.mp4 camC.mp4
  multicam sync --labels A,B,C --master B --json a.mov b.mov c.mov
  multicam sync --labels A,B,B,C,REC --master REC --json a.mp4 b1.mp4 b2.mp4 c.mp4 rec.wav
  multicam sync --artifacts debug/ camA.mp4 camB.mp4
  multicam sync --export session.fcpxml --media-root /Volumes/Shoot a.mov b.mov

With --json, "clips" lists every clip in input order: its label, file, offset_ms
(where its first audio sample lies on the master's timeline; null when it cannot
be placed, with the reason first in its notes), drift_ppm (its camera's),
confidence_pct, classification and notes. A label with one clip also keeps its
keys in offsets_ms, drift_ppm, confidence, confidence_pct, classification, errors.

exit status: 0 when the sync ran (even if a clip needs a nudge or is unplaced),
1 when an input is unusable (missing file, not media), 2 on bad arguments.
"""


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sync",
        help="sync local camera files by their audio",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="CAM",
        help="camera and recorder files (any container/codec FFmpeg reads); two or more",
    )
    p.add_argument(
        "--labels",
        help="comma-separated camera label of each file, in order; a label may repeat "
        "(takes of one camera); each is 1-8 of A-Z, 0-9, starting with a letter "
        "(default A,B,C,...)",
    )
    p.add_argument(
        "--master",
        default="auto",
        help="master camera label, or 'auto' (default): the recorder (the label of "
        "the files without picture) if any, else the camera that covers most of the "
        "session and matches the others best",
    )
    p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
    p.add_argument(
        "--artifacts",
        type=Path,
        metavar="DIR",
        help="write per-camera debug JSON (correlation curves, drift windows)",
    )
    p.add_argument(
        "--export",
        type=Path,
        metavar="FILE",
        help="write the synced timeline; the format from the extension: .otio, "
        ".fcpxml, .xml (Final Cut 7 / Premiere), .edl or .zip (one EDL per "
        "camera, zipped), .mlt (melt, Shotcut); one file per label only",
    )
    p.add_argument(
        "--media-root",
        metavar="DIR",
        help="in the exported timeline, point at DIR/<file name> instead of the "
        "files' paths here (e.g. where the editor's machine has the shoot)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress output on stderr")
    p.set_defaults(func=run)


def _labels(args: argparse.Namespace) -> list[str]:
    if args.labels:
        labels = [s.strip() for s in args.labels.split(",")]
        if len(labels) != len(args.files):
            raise ArgumentsError(f"--labels has {len(labels)} labels for {len(args.files)} files")
        bad = [lbl for lbl in labels if not LABEL_PATTERN.match(lbl)]
        if bad:
            raise ArgumentsError(
                f"--labels: {', '.join(repr(b) for b in bad)} is not a label: 1 to 8 "
                "upper-case letters and digits, starting with a letter (e.g. A, CAM2, REC)"
            )
    elif len(args.files) > 26:
        raise ArgumentsError("at most 26 cameras without --labels")
    else:
        labels = [chr(ord("A") + i) for i in range(len(args.files))]
    if len(set(labels)) < 2:
        raise ArgumentsError("need files of at least two cameras (labels) to sync")
    if args.master != "auto" and args.master not in labels:
        raise ArgumentsError(f"--master {args.master} is not one of the labels {labels}")
    return labels


def render_table(report: ClipSyncReport, out: TextIO) -> None:
    """Human-readable result table: one row per clip, in input order."""
    data = report.to_dict()
    multi = any(c.id != c.label for c in report.clips)
    head = ("camera", "offset (ms)", "drift (ppm)", "confidence", "classification", "file")
    rows = [head if multi else head[:5]]
    for clip, doc in zip(report.clips, data["clips"], strict=True):
        off, pct, p = doc["offset_ms"], doc["confidence_pct"], report.placements.get(clip.id)
        estimated = p is not None and p.z is not None and off is not None and pct is not None
        row = (
            clip.id,
            "-" if off is None else ("0.00" if p is None else f"{off:+.2f}"),
            f"{doc['drift_ppm']:+.1f}" if estimated else "-",
            f"{pct:.1f}% (z {p.z:.1f})" if estimated and p is not None and p.z else "-",
            doc["classification"],
            clip.file,
        )
        rows.append(row if multi else row[:5])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")
    for clip in report.clips:
        p = report.placements.get(clip.id)
        if p is not None and p.error:
            out.write(f"error {clip.id}: {p.error}\n")
    for clip in report.clips:
        p = report.placements.get(clip.id)
        if p is not None:
            if len(p.path) > 2:
                out.write(f"note {clip.id}: placed through {' -> '.join(p.path)}\n")
            for note in p.notes:
                out.write(f"note {clip.id}: {note}\n")


def export_timeline(report: ClipSyncReport, out: Path, media_root: str | None) -> Path:
    """Write :func:`local_timeline` to ``out`` (format from its extension)."""
    fmt = format_of_path(out)
    timeline = local_timeline(report, media_root)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(write_timeline(timeline, fmt))
    return out


def run(args: argparse.Namespace) -> int:
    try:
        labels = _labels(args)
    except ArgumentsError as exc:
        print(f"multicam sync: error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.export is not None:
            format_of_path(args.export)  # refuse a wrong extension before the long work
    except UnknownFormat as exc:
        print(f"multicam sync: error: {exc}", file=sys.stderr)
        return 1
    clips = [ClipInput(lbl, f) for lbl, f in zip(labels, args.files, strict=True)]
    try:
        bar = ProgressBar("decoding", clip_ids(labels), enabled=not args.no_progress)
        try:
            report = sync_clips(clips, master=args.master, progress=bar.update)
        finally:
            bar.close()
    except SyncInputError as exc:
        print(f"multicam sync: error: {exc}", file=sys.stderr)
        return 1
    per_clip = report.by_clip()
    if args.artifacts:
        for path in write_artifacts(per_clip, args.artifacts):
            print(f"artifact: {path}", file=sys.stderr)
    if args.export is not None:
        try:
            written = export_timeline(report, args.export, args.media_root)
        except NotWritable as exc:
            print(f"multicam sync: error: {exc}", file=sys.stderr)
            return 1
        print(f"timeline: {written}", file=sys.stderr)
    if args.json:
        sys.stdout.write(report.to_json() + "\n")
    else:
        render_table(report, sys.stdout)
    return 0
