"""The video encode's thread runs at a lower priority, and only it."""

from __future__ import annotations

import os
import threading
from typing import Any

import pytest

from worker.jobs.derived import _niced


def _own_niceness() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


async def test_the_work_runs_niced_and_the_caller_is_not() -> None:
    before = _own_niceness()
    seen: list[Any] = []

    def work() -> list[Any]:
        seen.append(_own_niceness())
        # A thread it starts (as FFmpeg and x264 do) inherits the niceness.
        child = threading.Thread(target=lambda: seen.append(_own_niceness()))
        child.start()
        child.join()
        return ["done"]

    assert await _niced(work, 10) == ["done"]  # type: ignore[arg-type, comparison-overlap]
    # Raised to 10 (a worker already nicer than that cannot be made less nice).
    assert seen == [max(10, before)] * 2
    assert _own_niceness() == before


async def test_an_error_in_the_work_reaches_the_caller() -> None:
    def work() -> list[Any]:
        raise ValueError("bad frame")

    with pytest.raises(ValueError, match="bad frame"):
        await _niced(work, 5)  # type: ignore[arg-type]
