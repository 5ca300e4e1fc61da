"""The bucket's CORS rules as the service last read them (one cache per process)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from worker.storage.errors import StorageError, StorageUnavailable, UnsupportedOperation

# Long enough that a burst of uploads reads the rules once, short enough that a
# revoked origin is refused again within half a minute.
CACHE_SECONDS = 30.0


class CorsSource(Protocol):
    async def get_cors_rules(self) -> list[dict[str, Any]]: ...


@dataclass
class CorsRulesCache:
    """The bucket's CORS rules (or the error reading them), kept ``ttl`` seconds.

    One per service process. A refusal is only ever given on rules read just now,
    so a fix with ``apply-cors`` takes effect at the next request.
    """

    ttl: float = CACHE_SECONDS
    clock: Callable[[], float] = time.monotonic
    _value: list[dict[str, Any]] | StorageError | None = None
    _read_at: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def rules(
        self, store: CorsSource, *, fresh: bool = False
    ) -> tuple[list[dict[str, Any]] | StorageError, bool]:
        """The rules (or the error reading them), and whether they were read just now."""
        async with self._lock:  # a burst of requests shares one read
            if fresh or self._value is None or self.clock() - self._read_at >= self.ttl:
                self._value = await self._read(store)
                self._read_at = self.clock()
                return self._value, True
            return self._value, False

    @staticmethod
    async def _read(store: CorsSource) -> list[dict[str, Any]] | StorageError:
        try:
            return await store.get_cors_rules()
        except (StorageUnavailable, UnsupportedOperation):
            raise  # a 503 to retry, or a backend that has no CORS: nothing to keep
        except StorageError as exc:  # e.g. a key without permission to read bucket CORS
            return exc
