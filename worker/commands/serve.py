"""``multicam serve`` and ``multicam worker``: the two long-running processes."""

from __future__ import annotations

import argparse
import sys

from worker.ingest.config import IngestSettings
from worker.logging import configure_logging
from worker.secret_rule import weak_secrets
from worker.settings import Settings
from worker.storage.settings import StorageSettings

SERVE_HELP = """\
Run the HTTP service: Strapi webhooks (POST /webhooks/strapi), health probes
(/healthz, /readyz) and the upload/review API. Configured by MULTICAM_* environment
variables (see docs/configuration.md); needs Redis, and Strapi for readiness.
"""

WORKER_HELP = """\
Run the job workers of one machine against one Redis and one bucket:

  main queue   ingest_asset (probe, audio WAV, waveform), sync_session,
               apply_review and the reconcile cron; MULTICAM_MAX_JOBS at once
  video queue  encode_video (proxy, thumbnail, mezzanine) once a camera's
               audio is in; MULTICAM_VIDEO_MAX_JOBS at once (x264 uses every
               core: 1 suits most machines)

A session's sync result therefore never waits for a video encode. Run one worker
per machine and as many machines as needed; --queues video makes an encode-only
machine, --queues main one that never encodes.
"""


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser(
        "serve",
        help="run the webhook + API HTTP service",
        description=SERVE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", help="bind address (default MULTICAM_HTTP_HOST)")
    serve.add_argument("--port", type=int, help="port (default MULTICAM_HTTP_PORT)")
    serve.set_defaults(func=run_serve)
    work = sub.add_parser(
        "worker",
        help="run a job worker",
        description=WORKER_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    work.add_argument(
        "--burst",
        action="store_true",
        help="exit when the queues are empty (for scripts and tests)",
    )
    work.add_argument(
        "--queues",
        default="main,video",
        metavar="LIST",
        help="comma-separated queues to work on: main, video (default: main,video)",
    )
    work.set_defaults(func=run_worker)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from worker.api.app import create_app

    settings = Settings()
    if not _secrets_ok("serve", settings):
        return 2
    configure_logging(settings.log_level, settings.log_json)
    uvicorn.run(
        create_app(settings, StorageSettings()),
        host=args.host or settings.http_host,
        port=args.port or settings.http_port,
        log_config=None,
        access_log=False,
    )
    return 0


def run_worker(args: argparse.Namespace) -> int:
    from worker.jobs.arq_workers import build_workers, run_workers
    from worker.queue import Queue

    try:
        queues = [Queue(q.strip()) for q in args.queues.split(",") if q.strip()]
    except ValueError:
        print(
            f"multicam worker: --queues: expected main and/or video, got {args.queues!r}",
            file=sys.stderr,
        )
        return 2
    settings = Settings()
    if not _secrets_ok("worker", settings):
        return 2
    configure_logging(settings.log_level, settings.log_json)
    workers = build_workers(
        settings, StorageSettings(), IngestSettings(), burst=args.burst, queues=queues
    )
    if not workers:
        print(
            "multicam worker: nothing to run (--queues video with MULTICAM_VIDEO_MAX_JOBS=0)",
            file=sys.stderr,
        )
        return 2
    run_workers(workers)
    return 0


def _secrets_ok(command: str, settings: Settings) -> bool:
    """Refuse to start on a placeholder or short secret, naming each variable."""
    problems = weak_secrets(settings)
    for problem in problems:
        print(f"multicam {command}: configuration error: {problem}", file=sys.stderr)
    return not problems
