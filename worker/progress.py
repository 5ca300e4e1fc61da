"""A small progress display on stderr for long work (decoding hour-long cameras)."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class ProgressBar:
    """One line of per-item bars, redrawn in place on a terminal.

    On a non-terminal (logs, CI) it prints one line per item when it completes,
    so captured stderr stays readable.
    """

    def __init__(
        self, title: str, items: list[str], stream: TextIO | None = None, enabled: bool = True
    ) -> None:
        self._title = title
        self._items = items
        self._frac = dict.fromkeys(items, 0.0)
        self._done: set[str] = set()
        self._stream = stream or sys.stderr
        self._tty = bool(getattr(self._stream, "isatty", lambda: False)())
        self._enabled = enabled
        self._lock = threading.Lock()
        self._last_draw = 0.0
        self._start = time.monotonic()

    def update(self, item: str, fraction: float) -> None:
        if not self._enabled:
            return
        with self._lock:
            self._frac[item] = max(self._frac.get(item, 0.0), min(1.0, fraction))
            if fraction >= 1.0 and item not in self._done:
                self._done.add(item)
                if not self._tty:
                    elapsed = time.monotonic() - self._start
                    self._stream.write(f"{self._title}: {item} done ({elapsed:.1f} s)\n")
                    self._stream.flush()
            now = time.monotonic()
            if self._tty and (now - self._last_draw > 0.1 or fraction >= 1.0):
                self._last_draw = now
                self._draw()

    def _draw(self) -> None:
        parts = []
        for item in self._items:
            frac = self._frac[item]
            filled = int(frac * 12)
            parts.append(f"{item} [{'#' * filled}{'.' * (12 - filled)}] {frac * 100:3.0f}%")
        self._stream.write(f"\r{self._title}: " + "  ".join(parts))
        self._stream.flush()

    def close(self) -> None:
        if self._enabled and self._tty:
            self._stream.write("\n")
            self._stream.flush()
