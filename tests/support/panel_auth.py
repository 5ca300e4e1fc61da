"""Requests made as the Strapi admin plugin makes them: its token and a signed admin user."""

from __future__ import annotations

import time
from collections.abc import Generator

import httpx

from worker.api.v2.admin_identity import AdminUser, signed_headers


class PanelAuth(httpx.Auth):
    """Signs each request for ``user`` as ``server/src/utils/admin-identity.js`` does.

    :param skew_s: added to the clock before signing (a plugin whose clock is off).
    """

    def __init__(self, token: str, user: AdminUser, *, skew_s: float = 0.0) -> None:
        self.token, self.user, self.skew_s = token, user, skew_s

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        target = request.url.raw_path.decode("ascii")
        now = int(time.time() + self.skew_s)
        request.headers.update(signed_headers(self.token, now, request.method, target, self.user))
        yield request
