"""The ``multicam`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from worker.commands import config as config_cmd
from worker.commands import serve as serve_cmd
from worker.commands import storage as storage_cmd
from worker.commands import sync as sync_cmd
from worker.commands import upload as upload_cmd


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="multicam",
        description="Multi-camera ingestion and audio auto-sync.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    sync_cmd.add_parser(sub)
    storage_cmd.add_parser(sub)
    serve_cmd.add_parsers(sub)
    upload_cmd.add_parser(sub)
    config_cmd.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
