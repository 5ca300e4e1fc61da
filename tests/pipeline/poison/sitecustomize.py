"""Loaded (via PYTHONPATH) only by the poisoned worker of tests/pipeline/test_poison.py.

Its WAV writer fails on close exactly as the standard ``wave`` module does on a WAV
over 4 GiB (about 6 h of 48 kHz stereo: an ordinary event), where the RIFF header's
32-bit size field overflows: ``struct.error``, not an IngestError. Writing 4 GiB in a
test is not practical, so the size is what this stand-in fakes; the error, where it
is raised and everything around it are the real ones.
"""

from __future__ import annotations

import struct

from worker.ingest import audio_out


def _close_over_4_gib(self: audio_out.WavWriter) -> None:
    self._wav.close()
    struct.pack("<L", 36 + 2**32)  # wave's header patch for a data chunk over 4 GiB


audio_out.WavWriter.close = _close_over_4_gib  # type: ignore[method-assign]
