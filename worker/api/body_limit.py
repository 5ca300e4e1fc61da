"""The request body cap: 413 payload_too_large, answered so the sender reads it.

A server that answers early and closes while the client is still sending makes the
client's next write fail (a broken pipe, a connection reset), and most clients then
report that instead of the 413 (Strapi's webhook log among them). So the rest of an
oversized body is read and thrown away, up to ``DRAIN_LIMIT``, before the answer;
only a body beyond that is cut off (its sender may see the reset: it was told the
limit by nothing but the answer it will not read, and the service will not be made
to read more).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from worker.api.errors import error_response
from worker.logging import get_logger

# How much of an oversized body is read (and thrown away) so the sender sees the 413.
DRAIN_LIMIT = 64 * 1024 * 1024


class BodySizeLimit:
    """Answer 413 (the API's error body) to a request whose body exceeds ``max_bytes``.

    A declared Content-Length over the limit is refused without handing anything to the
    app; a body without one (chunked) is read up to the limit first, then handed on.
    Either way the refused body is drained (up to ``drain_bytes``) before the answer.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, drain_bytes: int = DRAIN_LIMIT) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.drain_bytes = drain_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = content_length(scope)
        if declared is not None:
            if declared > self.max_bytes:
                await self._refuse(scope, receive, send, declared, 0, more=True)
                return
            await self.app(scope, receive, send)
            return
        buffered: list[Message] = []
        size = 0
        while True:
            message = await receive()
            buffered.append(message)
            if message["type"] != "http.request":
                break  # the client went away: let the app see it
            size += len(message.get("body", b""))
            more = bool(message.get("more_body", False))
            if size > self.max_bytes:
                await self._refuse(scope, receive, send, None, size, more=more)
                return
            if not more:
                break
        pending = iter(buffered)

        async def replay() -> Message:
            message = next(pending, None)
            return message if message is not None else await receive()

        await self.app(scope, replay, send)

    async def _drain(self, receive: Receive, read: int) -> bool:
        """Read the rest of the body; False when it is longer than ``drain_bytes``."""
        while read <= self.drain_bytes:
            message = await receive()
            if message["type"] != "http.request":
                return False  # the client went away
            read += len(message.get("body", b""))
            if not message.get("more_body", False):
                return True
        return False

    async def _refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        declared: int | None,
        read: int,
        *,
        more: bool,
    ) -> None:
        drained = (declared is None or declared <= self.drain_bytes) and (
            not more or await self._drain(receive, read)
        )
        get_logger(endpoint="http").warning(
            "body_too_large",
            path=scope.get("path"),
            declared_bytes=declared,
            max_bytes=self.max_bytes,
            drained=drained,
        )
        response = error_response(
            413,
            "payload_too_large",
            f"the request body is over the limit of {self.max_bytes:,} bytes",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() and len(text) <= 19 else None
    return None
