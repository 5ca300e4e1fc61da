"""Loaded (via PYTHONPATH) only by the poisoned workers of the fault table
(tests/support/fault_rows.py).

MULTICAM_TEST_POISON says which fault every job of that worker meets:

* ``wav``: the WAV writer fails on close exactly as the standard ``wave`` module
  does on a WAV over 4 GiB (about 6 h of 48 kHz stereo: an ordinary event), where
  the RIFF header's 32-bit size field overflows: ``struct.error``, not an
  IngestError. Writing 4 GiB in a test is not practical, so the size is what this
  stand-in fakes; the error, where it is raised and everything around it are real.
* ``video``: every video encode meets a damaged video stream (the ``UnreadableMedia``
  a file with corrupt video and intact audio raises when its encode finishes);
  the audio track of the same file is fine.
* ``gate``: an ingest of a camera's first version (``_v001`` in its original's key)
  stops just before it records its files, until the file ``MULTICAM_TEST_GATE``
  exists (it touches ``<gate>.waiting`` when it gets there), then goes on as usual
  (``MULTICAM_TEST_GATE_MODE=finish``) or meets a damaged stream (``fail``): the
  old job of a camera re-uploaded meanwhile finishing last, or failing last.
  Not a fault a real part cannot produce, but an order of events a test cannot
  otherwise choose.
* ``hold``: every job of the kind ``MULTICAM_TEST_HOLD`` names (``sync``: the engine
  call; ``review``: applying an admin review) touches ``<gate>.waiting`` and waits
  there until ``MULTICAM_TEST_GATE`` exists: a fault-table row kills the worker
  while it waits (a crash at a chosen point of the job), or lets it go on.
* ``sync``: the sync engine runs out of memory (``MemoryError``), which a test
  machine cannot be made to do on demand without taking the other processes down.
"""

from __future__ import annotations

import os
import struct
from typing import Any

POISON = os.environ.get("MULTICAM_TEST_POISON", "")


def _close_over_4_gib(self: Any) -> None:
    self._wav.close()
    struct.pack("<L", 36 + 2**32)  # wave's header patch for a data chunk over 4 GiB


def _out_of_memory(*args: Any, **kwargs: Any) -> Any:
    raise MemoryError("cannot allocate the cross-correlation buffers")


def _damaged_video(self: Any) -> None:
    from worker.errors import UnreadableMedia

    self.abort()
    raise UnreadableMedia(
        "camB.mp4: the video stream is damaged: more than 50 packets could not be decoded"
    )


def _gate() -> None:
    import asyncio
    from pathlib import Path

    from worker.errors import UnreadableMedia
    from worker.jobs import derived

    original = derived.still_current
    gate = Path(os.environ.get("MULTICAM_TEST_GATE", "/nonexistent"))
    state = {"passed": False}

    async def gated(deps: Any, asset: Any) -> bool:
        if "_v001." in (asset.original_url or "") and not state["passed"]:
            state["passed"] = True
            gate.with_suffix(".waiting").touch()
            while not gate.exists():
                await asyncio.sleep(0.05)
            if os.environ.get("MULTICAM_TEST_GATE_MODE") == "fail":
                raise UnreadableMedia("camA.mp4: the audio stream is damaged")
        return await original(deps, asset)

    derived.still_current = gated


def _wait_at_gate() -> None:
    import time
    from pathlib import Path

    gate = Path(os.environ.get("MULTICAM_TEST_GATE", "/nonexistent"))
    gate.with_suffix(".waiting").touch()
    while not gate.exists():
        time.sleep(0.05)


def _hold() -> None:
    import asyncio

    kind = os.environ.get("MULTICAM_TEST_HOLD", "")
    if kind == "sync":
        from worker.jobs import session_sync as sync

        engine = sync.sync_clips

        def held_engine(*args: Any, **kwargs: Any) -> Any:
            _wait_at_gate()  # the engine runs in a thread: block it there
            return engine(*args, **kwargs)

        sync.sync_clips = held_engine
    elif kind == "review":
        from worker.jobs import review

        apply = review.apply_admin_review

        async def held_apply(*args: Any, **kwargs: Any) -> Any:
            await asyncio.to_thread(_wait_at_gate)
            return await apply(*args, **kwargs)

        review.apply_admin_review = held_apply


if POISON == "gate":
    _gate()
elif POISON == "hold":
    _hold()
elif POISON == "wav":
    from worker.ingest import audio_out

    audio_out.WavWriter.close = _close_over_4_gib  # type: ignore[method-assign]
elif POISON == "video":
    from worker.ingest import video_out

    video_out.EncoderThread.finish = _damaged_video  # type: ignore[method-assign]
elif POISON == "sync":
    from worker.jobs import session_sync as sync

    assert hasattr(sync, "sync_clips"), "the sync job no longer calls sync_clips"
    sync.sync_clips = _out_of_memory
