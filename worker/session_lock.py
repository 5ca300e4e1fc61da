"""One writer at a time for a session's sync result: a review and a re-sync never interleave.

A review checks that the result it approves is the one the operator saw
(``computedAt``) and then writes; a sync job reads the current result (to keep
it in the history) and then replaces it. Without a lock both can read before
either writes, and an approval lands on offsets nobody looked at, or vanishes
from the history. Both hold this Redis lock from their read to their write.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import LockError

from worker.errors import SessionBusy
from worker.redis_keys import session_lock_key

# Longer than any read-then-write takes; a holder that dies frees it after this.
HOLD_S = 60.0
WAIT_S = 30.0


@contextlib.asynccontextmanager
async def session_lock(
    redis: Redis | None, session_id: str, *, wait_s: float = WAIT_S
) -> AsyncIterator[None]:
    """Hold the session's result lock (a no-op without Redis, e.g. in local runs)."""
    if redis is None:
        yield
        return
    lock = redis.lock(session_lock_key(session_id), timeout=HOLD_S, blocking_timeout=wait_s)
    if not await lock.acquire():
        raise SessionBusy(f"session {session_id} is being reviewed or synced right now")
    try:
        yield
    finally:
        with contextlib.suppress(LockError):  # expired while held: nothing to release
            await lock.release()
