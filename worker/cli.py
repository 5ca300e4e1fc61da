"""The ``multicam`` command line."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# Subcommand -> module that defines it. Modules are imported on demand: the
# storage and config commands pull in the S3 SDK, which would add over a second
# to every ``multicam sync`` start (and to each of its decoder processes).
COMMANDS: dict[str, str] = {
    "sync": "worker.commands.local_sync",
    "storage": "worker.commands.storage",
    "serve": "worker.commands.serve",
    "worker": "worker.commands.serve",
    "upload": "worker.commands.upload",
    "config": "worker.commands.config",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``command``, only that subcommand's module is loaded.

    :param command: a subcommand name, or None for every subcommand (``--help``).
    """
    parser = argparse.ArgumentParser(
        prog="multicam",
        description="Multi-camera ingestion and audio auto-sync.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    wanted = [COMMANDS[command]] if command in COMMANDS else list(COMMANDS.values())
    for name in dict.fromkeys(wanted):
        module = importlib.import_module(name)
        register = getattr(module, "add_parsers", None) or module.add_parser
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    command = args_in[0] if args_in and not args_in[0].startswith("-") else None
    args = build_parser(command).parse_args(args_in)
    code: int = args.func(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
