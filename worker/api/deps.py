"""Shared resources of the HTTP service, created once per process in the lifespan."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from arq import ArqRedis
from fastapi import Request

from strapi_client.client import StrapiClient
from strapi_client.transport import RetryPolicy
from worker.settings import Settings

# The API answers people and scripts: with Strapi down it says so within seconds (503,
# retry later) instead of waiting through the worker's retry budget (5 attempts of up
# to 10 s connect each, about a minute). One retry, short waits, short timeouts; a
# Retry-After from Strapi is not waited out either. Workers keep the client defaults.
API_STRAPI_RETRY = RetryPolicy(attempts=2, initial_wait=0.2, max_wait=0.5, max_retry_after=1.0)
API_STRAPI_TIMEOUT = httpx.Timeout(5.0, connect=1.5)


def api_strapi_client(settings: Settings,
                      transport: httpx.AsyncBaseTransport | None = None) -> StrapiClient:
    """The Strapi client of ``multicam serve``: fails fast (see API_STRAPI_RETRY)."""
    return StrapiClient(settings.strapi_url, settings.strapi_token.get_secret_value(),
                        timeout=API_STRAPI_TIMEOUT, retry=API_STRAPI_RETRY,
                        transport=transport)


@dataclass
class ServiceState:
    settings: Settings
    redis: ArqRedis
    strapi: StrapiClient


def service_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state
