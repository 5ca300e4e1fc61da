"""HTTP transport: authentication, retries for transient failures, error mapping."""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)
from tenacity.stop import stop_base

from . import deadline
from .errors import StrapiResponseError, StrapiUnavailable, error_from_response
from .query import Params

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# What a non-idempotent request (a plain create) is retried on: failures that say the
# request was not acted on. After a read timeout or a 500 it may have been, and sending
# it again could create a second entry.
NOT_ACTED_ON_STATUSES = frozenset({429, 503})
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Below this, another attempt inside a deadline could not get an answer anyway.
MIN_ATTEMPT_S = 0.2
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for connection errors, 5xx and 429; nothing else is retried."""

    attempts: int = 5
    initial_wait: float = 0.25
    max_wait: float = 8.0
    # Cap on a server's Retry-After, so a hostile value cannot park the worker.
    max_retry_after: float = 30.0


class _Transient(Exception):
    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


def _is_transient(error: BaseException) -> bool:
    return isinstance(error, httpx.TransportError | _Transient)


def _was_not_acted_on(error: BaseException) -> bool:
    if isinstance(error, _Transient):
        return error.response.status_code in NOT_ACTED_ON_STATUSES
    return isinstance(error, _NOT_SENT)


def _budgeted(timeout: httpx.Timeout, left: float) -> httpx.Timeout:
    """``timeout`` with no phase longer than ``left`` seconds."""

    def cap(value: float | None) -> float:
        return left if value is None else min(value, left)

    return httpx.Timeout(
        connect=cap(timeout.connect),
        read=cap(timeout.read),
        write=cap(timeout.write),
        pool=cap(timeout.pool),
    )


class _OutOfTime(stop_base):
    """Stop retrying once the current deadline leaves no room for another attempt."""

    def __call__(self, retry_state: RetryCallState) -> bool:
        left = deadline.remaining()
        return left is not None and left <= MIN_ATTEMPT_S


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


class Transport:
    """Sends requests to one Strapi; returns decoded JSON or raises a StrapiError."""

    def __init__(self, http: httpx.AsyncClient, retry: RetryPolicy) -> None:
        self._http = http
        self._retry = retry
        self._backoff = wait_exponential(
            multiplier=retry.initial_wait, max=retry.max_wait
        ) + wait_random(0, retry.initial_wait)

    def _wait(self, state: RetryCallState) -> float:
        wait = float(self._backoff(state))
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, _Transient):
            hinted = _retry_after(error.response)
            if hinted is not None:
                wait = max(wait, min(hinted, self._retry.max_retry_after))
        left = deadline.remaining()
        if left is not None:  # leave the next attempt its minimum
            wait = max(0.0, min(wait, left - MIN_ATTEMPT_S))
        return wait

    async def _send_once(
        self, method: str, path: str, params: Params | None, body: Any
    ) -> httpx.Response:
        query = tuple(params) if params else None  # tuples are covariant, lists are not
        left = deadline.remaining()
        if left is not None and left <= 0:
            raise StrapiUnavailable(f"{method} {path}: the request's time budget is spent")
        timeout = self._http.timeout if left is None else _budgeted(self._http.timeout, left)
        response = await self._http.request(method, path, params=query, json=body, timeout=timeout)
        if response.status_code in RETRY_STATUSES:
            await response.aread()
            raise _Transient(response)
        return response

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
        idempotent: bool | None = None,
    ) -> Any:
        """One logical request, retried on transient failures. None for an empty body.

        :param idempotent: whether sending it twice does what sending it once does
            (default: by method; a POST is not). A request that is not is retried only
            when it was surely not acted on (no connection, 429, 503).
        """
        if idempotent is None:
            idempotent = method.upper() in IDEMPOTENT_METHODS
        retrying = AsyncRetrying(
            retry=retry_if_exception(_is_transient if idempotent else _was_not_acted_on),
            stop=stop_after_attempt(self._retry.attempts) | _OutOfTime(),
            wait=self._wait,
            reraise=True,
        )
        try:
            with deadline.spending():
                response: httpx.Response = await retrying(
                    self._send_once, method, path, params, body
                )
        except _Transient as exhausted:
            raise error_from_response(exhausted.response) from None
        except httpx.TransportError as error:
            left = deadline.remaining()
            why = (
                "no answer within the request's time budget"
                if left is not None and left <= MIN_ATTEMPT_S
                else f"Strapi unreachable after {self._retry.attempts} attempts"
            )
            raise StrapiUnavailable(f"{method} {path}: {why}: {error!r}") from error
        if response.is_error:
            raise error_from_response(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as error:
            raise StrapiResponseError(
                response.status_code,
                "response is not JSON",
                method=method,
                url=str(response.request.url),
            ) from error
