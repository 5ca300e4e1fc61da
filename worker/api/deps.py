"""Shared resources of the HTTP service, created once per process in the lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from arq import ArqRedis
from fastapi import Request

from strapi_client.client import StrapiClient
from worker.settings import Settings


@dataclass
class ServiceState:
    settings: Settings
    redis: ArqRedis
    strapi: StrapiClient


def service_state(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state
