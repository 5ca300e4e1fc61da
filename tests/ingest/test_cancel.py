"""A derivation stops when its job is cancelled (arq's timeout, a worker stopping).

Before, the encode went on in its thread after the job had timed out, beside the
next attempt, writing into a folder its job had already deleted.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest

from worker.errors import DeriveCancelled
from worker.ingest import IngestSettings, derive_all, probe
from worker.jobs import derived


def test_a_set_cancel_event_stops_the_pass(media: dict[str, Path], tmp_path: Path) -> None:
    cancel = threading.Event()
    calls: list[float] = []

    def progress(fraction: float, message: str) -> None:
        calls.append(fraction)
        cancel.set()  # asked to stop at the first progress report

    out = tmp_path / "out"
    with pytest.raises(DeriveCancelled):
        derive_all(
            media["mp4"],
            out,
            probe(media["mp4"]),
            IngestSettings(),
            progress,
            kinds=["proxy", "audio-wav"],
            cancel=cancel,
        )
    assert calls and min(calls) < 1.0
    assert not out.exists() or not any(out.iterdir())  # nothing half-written


async def test_cancelling_the_job_stops_and_waits_for_the_encode(
    media: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered = threading.Event()
    outcome: dict[str, Any] = {}
    real = derived.derive_all

    def observed(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        # Hold the pass until the job is cancelled, so the cancel lands mid-derive.
        assert kwargs["cancel"].wait(30)
        try:
            return real(*args, **kwargs)
        except BaseException as exc:
            outcome["raised"] = type(exc)
            raise
        finally:
            outcome["finished"] = True

    monkeypatch.setattr(derived, "derive_all", observed)

    async def report(fraction: float, message: str) -> None:
        return None

    task = asyncio.create_task(
        derived.derive(
            IngestSettings(), media["mp4"], tmp_path / "out", probe(media["mp4"]), ["proxy"], report
        )
    )
    assert await asyncio.to_thread(entered.wait, 30)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The job ended only after its encode had stopped, and the encode stopped as asked.
    assert outcome == {"raised": DeriveCancelled, "finished": True}
