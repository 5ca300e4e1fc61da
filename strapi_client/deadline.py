"""A time budget for every Strapi call made inside a block, however many there are.

The API answers people within seconds, yet one of its routes may call Strapi five
times; each call's own timeout and retry cannot bound the sum. ``within(seconds)``
opens a budget in a context variable (so it covers exactly the calls of the task,
and of tasks it starts, that run inside the block). Only time spent *in* Strapi calls
(each logical request with its retries and waits, see ``spending``) is charged: the
route's own work between them (completing a multipart upload of a 10 GB original,
hashing) is not Strapi being slow. The transport gives each attempt at most what is
left, retries only while something is left, and raises ``StrapiUnavailable`` before
sending once nothing is. Blocks nest: the smaller budget wins, and a call is charged
to every open one. Outside any block (the workers) there is no budget.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class _Budget:
    left: float  # seconds of Strapi time still to spend
    outer: _Budget | None

    def chain(self) -> Iterator[_Budget]:
        budget: _Budget | None = self
        while budget is not None:
            yield budget
            budget = budget.outer


_budget: ContextVar[_Budget | None] = ContextVar("strapi_budget", default=None)
_call_started: ContextVar[float | None] = ContextVar("strapi_call_started", default=None)


@contextlib.contextmanager
def within(seconds: float) -> Iterator[None]:
    """Every Strapi call inside the block together ends, or fails, within ``seconds``."""
    token = _budget.set(_Budget(seconds, _budget.get()))
    try:
        yield
    finally:
        _budget.reset(token)


@contextlib.contextmanager
def spending() -> Iterator[None]:
    """Charge the time of the block (one logical Strapi request) to the open budgets."""
    budget = _budget.get()
    if budget is None or _call_started.get() is not None:
        yield
        return
    started = time.monotonic()
    token = _call_started.set(started)
    try:
        yield
    finally:
        _call_started.reset(token)
        spent = time.monotonic() - started
        for open_budget in budget.chain():
            open_budget.left -= spent


def remaining() -> float | None:
    """Seconds of Strapi time left (may be negative); None without a budget."""
    budget = _budget.get()
    if budget is None:
        return None
    started = _call_started.get()
    running = time.monotonic() - started if started is not None else 0.0
    return min(b.left for b in budget.chain()) - running
