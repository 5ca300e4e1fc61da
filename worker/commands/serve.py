"""``multicam serve`` and ``multicam worker``: the two long-running processes."""

from __future__ import annotations

import argparse
import sys

from worker.logging import configure_logging
from worker.secret_rule import weak_secrets
from worker.settings import Settings

SERVE_HELP = """\
Run the HTTP service: Strapi webhooks (POST /webhooks/strapi), health probes
(/healthz, /readyz) and the upload/review API. Configured by MULTICAM_* environment
variables (see docs/configuration.md); needs Redis, and Strapi for readiness.
"""

WORKER_HELP = """\
Run an arq worker: ingest_asset and sync_session jobs plus the reconcile cron.
Run one per machine (MULTICAM_MAX_JOBS jobs at once, about one per core for
ingest), as many machines as needed against one Redis and one bucket.
"""


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="run the webhook + API HTTP service",
                           description=SERVE_HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--host", help="bind address (default MULTICAM_HTTP_HOST)")
    serve.add_argument("--port", type=int, help="port (default MULTICAM_HTTP_PORT)")
    serve.set_defaults(func=run_serve)
    work = sub.add_parser("worker", help="run a job worker", description=WORKER_HELP,
                          formatter_class=argparse.RawDescriptionHelpFormatter)
    work.add_argument("--burst", action="store_true",
                      help="exit when the queue is empty (for scripts and tests)")
    work.set_defaults(func=run_worker)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from worker.api.app import create_app

    settings = Settings()
    if not _secrets_ok("serve", settings):
        return 2
    configure_logging(settings.log_level, settings.log_json)
    uvicorn.run(create_app(settings), host=args.host or settings.http_host,
                port=args.port or settings.http_port, log_config=None, access_log=False)
    return 0


def run_worker(args: argparse.Namespace) -> int:
    from worker.jobs.worker import build_worker

    settings = Settings()
    if not _secrets_ok("worker", settings):
        return 2
    configure_logging(settings.log_level, settings.log_json)
    build_worker(settings, burst=args.burst).run()
    return 0


def _secrets_ok(command: str, settings: Settings) -> bool:
    """Refuse to start on a placeholder or short secret, naming each variable."""
    problems = weak_secrets(settings)
    for problem in problems:
        print(f"multicam {command}: configuration error: {problem}", file=sys.stderr)
    return not problems
