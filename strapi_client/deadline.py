"""A time budget for every Strapi call made inside a block, however many there are.

The API answers people within seconds, yet one of its routes may call Strapi five
times; each call's own timeout and retry cannot bound the sum. ``within(seconds)``
sets a deadline in a context variable (so it covers exactly the calls of the task,
and of tasks it starts, that run inside the block); the transport gives each attempt
at most what is left, retries only while something is left, and raises
``StrapiUnavailable`` before sending once nothing is. Blocks nest: the earlier
deadline wins. Outside any block (the workers) there is no deadline.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("strapi_deadline", default=None)


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    """Every Strapi call inside the block ends, or fails, within ``seconds`` of its start."""
    ends = time.monotonic() + seconds
    current = _deadline.get()
    token = _deadline.set(ends if current is None else min(current, ends))
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left before the current deadline (may be negative); None without one."""
    ends = _deadline.get()
    return None if ends is None else ends - time.monotonic()
