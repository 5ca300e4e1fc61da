"""``multicam config``: placeholder, replaced by the configuration reference (issue 6)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register nothing yet."""
