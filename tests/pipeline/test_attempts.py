"""The attempt count that ends a poison job in failed instead of a loop through reconcile.

The poison files and crashes themselves are rows of the fault table
(tests/support/fault_rows.py, run by tests/pipeline/test_faults.py)."""

from __future__ import annotations

import secrets

import pytest
import redis.asyncio as aioredis

from tests.pipeline.conftest import Stack
from worker.jobs.attempts import NEVER_FINISHED, Attempts
from worker.transient import TRANSIENT

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(900)]


async def test_attempts_count_failures_and_crashes_not_transient_errors(stack: Stack) -> None:
    redis = aioredis.from_url(stack.redis.url)
    try:
        work = Attempts(redis, f"test:{secrets.token_hex(4)}", 3)  # type: ignore[arg-type]
        with pytest.raises(ConnectionError):
            async with work.attempt():
                raise ConnectionError("Strapi is away")  # transient: arq retries it
        assert issubclass(ConnectionError, TRANSIENT)
        assert await work.exhausted() is None
        for _ in range(2):
            with pytest.raises(KeyError):
                async with work.attempt():
                    raise KeyError("boom")
        assert await work.exhausted() is None
        # A crash: the attempt starts and its process dies (nothing after the start runs).
        await work.attempt().__aenter__()
        assert await work.exhausted() == f"gave up after 3 attempts: {NEVER_FINISHED}"
        await work.forget()
        async with work.attempt():
            pass  # a finished attempt forgets the count
        assert await work.exhausted() is None
    finally:
        await redis.aclose()
