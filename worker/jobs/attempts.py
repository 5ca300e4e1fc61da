"""A bounded number of attempts at one piece of work, whatever ends them.

arq's own try count does not bound a poison job: an unexpected exception fails
the job, and reconcile enqueues it again as a new job (try 1) once its result
expires; a crashed worker's job is released by reconcile and tried again. So the
attempts are counted in Redis, per piece of work (an ingest per asset and
original, a sync per session), across jobs, workers and restarts.

An attempt counts when it ends in an unexpected exception or never ends (worker
killed, out of memory, job timeout): the count goes up when it starts and only a
finished attempt (or a transient error, which arq retries) takes it back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from arq import ArqRedis

from worker.redis_keys import attempts_error_key, attempts_key
from worker.transient import TRANSIENT

# Forget a count nobody touched for this long (the work was settled some other way).
_TTL_S = 7 * 24 * 3600
NEVER_FINISHED = "the attempt never finished (worker killed, out of memory, or timed out)"


def gave_up_message(attempts: int, last_error: str) -> str:
    """What the operator reads in errorMessage (or the session's message)."""
    return f"gave up after {attempts} attempts: {last_error}"


class Attempts:
    """The attempt count of one piece of work (``key``), at most ``limit`` attempts.

    Without Redis (``redis`` None: jobs called directly) nothing is counted.
    """

    def __init__(self, redis: ArqRedis | None, key: str, limit: int) -> None:
        self._redis = redis
        self._key = attempts_key(key)
        self._error_key = attempts_error_key(key)
        self._limit = limit

    async def exhausted(self) -> str | None:
        """The give-up message when ``limit`` attempts have already failed, else None."""
        if self._redis is None:
            return None
        count, last = await self._redis.mget([self._key, self._error_key])
        if count is None or int(count) < self._limit:
            return None
        error = last.decode() if isinstance(last, bytes) else NEVER_FINISHED
        return gave_up_message(int(count), error)

    async def forget(self) -> None:
        if self._redis is not None:
            await self._redis.delete(self._key, self._error_key)

    @asynccontextmanager
    async def attempt(self) -> AsyncIterator[None]:
        """Count one attempt around the work; a normal end forgets the count."""
        redis = self._redis
        if redis is None:
            yield
            return
        async with redis.pipeline(transaction=True) as pipe:
            pipe.incr(self._key)
            pipe.expire(self._key, _TTL_S)
            pipe.set(self._error_key, NEVER_FINISHED, ex=_TTL_S)
            await pipe.execute()
        try:
            yield
        except TRANSIENT:
            # Strapi, Redis or storage away: arq retries, this was no fault of the work.
            await redis.decr(self._key)
            raise
        except Exception as exc:
            await redis.set(self._error_key, f"{type(exc).__name__}: {exc}"[:500], ex=_TTL_S)
            raise
        await self.forget()
