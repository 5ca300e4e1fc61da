"""Which failures are transient: worth retrying, since the other side may be back soon.

Our own are the :class:`~worker.errors.Retryable` branch of the exception tree
(:mod:`worker.errors`). Other libraries' exceptions cannot join that tree, so they are
named here, once. Jobs retry these (and do not count them as a poison attempt), the API
answers them with 503 and ``Retry-After``, the webhook with 503 ``queue_unavailable``,
``/readyz`` with ``unavailable``.
"""

from __future__ import annotations

from redis.exceptions import RedisError

from strapi_client.errors import StrapiRateLimited, StrapiServerError, StrapiUnavailable
from worker.errors import Retryable

TRANSIENT: tuple[type[Exception], ...] = (
    Retryable,
    # Strapi unreachable, or 5xx/429 still after the client's own retries.
    StrapiUnavailable,
    StrapiServerError,
    StrapiRateLimited,
    # Redis: connection, timeout, or a server that is loading or read-only.
    RedisError,
    # The network under a client that does not wrap it in its own errors.
    ConnectionError,
    TimeoutError,
)
