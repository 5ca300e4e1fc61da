"""structlog set-up: JSON lines with bound context (session, asset, camera, job)."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog


def configure_logging(level: str = "info", json: bool = True) -> None:
    """Route structlog and stdlib logging to stderr as JSON (or console) lines."""
    numeric = getattr(logging, level.upper(), logging.INFO)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=numeric, stream=sys.stderr, format="%(message)s", force=True)
    # One line per HTTP request to Strapi or S3 drowns the job lines that matter.
    for noisy in ("httpx", "httpcore", "botocore", "aiobotocore", "urllib3"):
        logging.getLogger(noisy).setLevel(max(numeric, logging.WARNING))


def get_logger(**context: Any) -> Any:
    """A logger with ``context`` bound to every line it writes."""
    return structlog.get_logger("multicam").bind(**context)
