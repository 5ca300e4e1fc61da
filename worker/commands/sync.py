"""``multicam sync``: sync local camera files and print the result."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from worker.errors import MediaError, NoVideoStream
from worker.handoff.build import build_timeline
from worker.handoff.formats import (
    NotWritable,
    UnknownFormat,
    format_of_path,
    write_timeline,
)
from worker.handoff.local import local_camera, local_sound_only, report_facts
from worker.ingest.probe import probe
from worker.progress import ProgressBar
from worker.sync.artifacts import write_artifacts
from worker.sync.engine import CameraInput, SyncInputError, sync_files
from worker.sync.report import SyncReport

DESCRIPTION = """\
Find each camera's time offset against a master camera from their audio.

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
  multicam sync --artifacts debug/ camA.mp4 camB.mp4
  multicam sync --export session.fcpxml --media-root /Volumes/Shoot a.mov b.mov

exit status: 0 when the sync ran (even if a camera needs a nudge),
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
        help="camera files (any container/codec FFmpeg reads); two or more",
    )
    p.add_argument("--labels", help="comma-separated camera labels (default A,B,C,...)")
    p.add_argument(
        "--master",
        default="auto",
        help="master camera label, or 'auto' (default): the camera that covers "
        "most of the session and matches the others best",
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
        "camera, zipped), .mlt (melt, Shotcut)",
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
        if len(labels) != len(args.files) or not all(labels):
            raise SyncInputError(f"--labels has {len(labels)} labels for {len(args.files)} files")
        return labels
    if len(args.files) > 26:
        raise SyncInputError("at most 26 cameras without --labels")
    return [chr(ord("A") + i) for i in range(len(args.files))]


def render_table(report: SyncReport, out: TextIO) -> None:
    """Human-readable result table."""
    data = report.to_dict()
    rows = [("camera", "offset (ms)", "drift (ppm)", "confidence", "classification")]
    for lbl in report.labels:
        if lbl == report.master:
            rows.append((lbl, "0.00", "-", "-", "master"))
            continue
        off = data["offsets_ms"].get(lbl)
        rows.append(
            (
                lbl,
                f"{off:+.2f}" if off is not None else "-",
                f"{data['drift_ppm'][lbl]:+.1f}" if lbl in data["drift_ppm"] else "-",
                (
                    f"{data['confidence_pct'][lbl]:.1f}% (z {data['confidence'][lbl]:.1f})"
                    if lbl in data["confidence"]
                    else "-"
                ),
                data["classification"].get(lbl, "-"),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() + "\n")
    for lbl, msg in data["errors"].items():
        out.write(f"error {lbl}: {msg}\n")
    for lbl in report.labels:
        p = report.placements.get(lbl)
        if p is not None:
            if len(p.path) > 2:
                out.write(f"note {lbl}: placed through {' -> '.join(p.path)}\n")
            for note in p.notes:
                out.write(f"note {lbl}: {note}\n")


def export_timeline(
    report: SyncReport, cameras: list[CameraInput], out: Path, media_root: str | None
) -> Path:
    """Write the synced timeline of local files to ``out`` (format from its extension)."""
    fmt = format_of_path(out)
    media = []
    unreadable: dict[str, str] = {}
    for cam in cameras:
        try:
            media.append(local_camera(cam.label, cam.path, probe(cam.path), media_root))
        except NoVideoStream:
            media.append(
                local_sound_only(
                    cam.label, cam.path, report.durations_s.get(cam.label, 0.0), media_root
                )
            )
        except MediaError as exc:
            unreadable[cam.label] = str(exc)
    facts = report_facts(report, cameras[0].path.parent.resolve().name or "session")
    facts = facts.model_copy(update={"errors": {**unreadable, **facts.errors}})
    timeline = build_timeline(facts, media)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(write_timeline(timeline, fmt))
    return out


def run(args: argparse.Namespace) -> int:
    try:
        if args.export is not None:
            format_of_path(args.export)  # refuse a wrong extension before the long work
        labels = _labels(args)
        cameras = [CameraInput(lbl, f) for lbl, f in zip(labels, args.files, strict=True)]
        bar = ProgressBar("decoding", labels, enabled=not args.no_progress)
        try:
            report = sync_files(cameras, master=args.master, progress=bar.update)
        finally:
            bar.close()
    except (SyncInputError, UnknownFormat) as exc:
        print(f"multicam sync: error: {exc}", file=sys.stderr)
        return 1
    if args.artifacts:
        for path in write_artifacts(report, args.artifacts):
            print(f"artifact: {path}", file=sys.stderr)
    if args.export is not None:
        try:
            written = export_timeline(report, cameras, args.export, args.media_root)
        except NotWritable as exc:
            print(f"multicam sync: error: {exc}", file=sys.stderr)
            return 1
        print(f"timeline: {written}", file=sys.stderr)
    if args.json:
        sys.stdout.write(report.to_json() + "\n")
    else:
        render_table(report, sys.stdout)
    return 0
