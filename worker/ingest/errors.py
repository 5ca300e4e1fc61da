"""Old import path of a media error, which lives in :mod:`worker.errors` now.

Kept only for ``tests/support/poison/sitecustomize.py``; new code imports ``worker.errors``.
"""

from __future__ import annotations

from worker.errors import UnreadableMedia as UnreadableMedia
