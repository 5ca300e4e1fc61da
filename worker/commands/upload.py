"""``multicam upload``: placeholder, replaced by the upload client (issue 5)."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register nothing yet."""
