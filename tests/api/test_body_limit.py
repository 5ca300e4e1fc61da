"""A 5 MiB webhook gets a 413 its sender reads, not a broken pipe (#22 item 9).

The cap runs in front of a real uvicorn server (as ``multicam serve`` runs it), and
the client sends the whole body before it reads the answer, as Strapi's does.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from worker.api.body_limit import BodySizeLimit
from worker.api.webhooks import SECRET_HEADER

LIMIT = 4 * 1024 * 1024
BODY = b'{"event": "entry.update", "pad": "' + b"x" * (5 * 1024 * 1024) + b'"}'


async def _echo(request: Request) -> JSONResponse:
    return JSONResponse({"bytes": len(await request.body())})


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    app = BodySizeLimit(
        Starlette(routes=[Route("/webhooks/strapi", _echo, methods=["POST"])]), LIMIT
    )
    sock = socket.socket()
    # A small receive buffer (accepted sockets inherit it): the body cannot all sit in
    # the kernel before the server answers, as it cannot on a real network.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        with httpx.Client(timeout=10) as client:
            for _ in range(200):  # until the server listens (a condition, not a sleep)
                try:
                    client.post(f"http://127.0.0.1:{port}/webhooks/strapi", content=b"{}")
                    break
                except httpx.TransportError:
                    threading.Event().wait(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def _chunks() -> Iterator[bytes]:
    for start in range(0, len(BODY), 64 * 1024):
        yield BODY[start : start + 64 * 1024]


def _post_raw(url: str, chunked: bool) -> bytes:
    """POST the whole body, then read the answer, on a plain socket: like Strapi's sender
    (and unlike httpx, which reads an early answer after a failed write), a write that
    fails here fails the request."""
    host, port = url.removeprefix("http://").split(":")
    head = f"POST /webhooks/strapi HTTP/1.1\r\nHost: {host}\r\n{SECRET_HEADER}: x\r\n"
    if chunked:
        body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in _chunks()) + b"0\r\n\r\n"
        head += "Transfer-Encoding: chunked\r\n\r\n"
    else:
        body = BODY
        head += f"Content-Length: {len(BODY)}\r\n\r\n"
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32 * 1024)
        conn.sendall(head.encode() + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            data = conn.recv(65536)
            if not data:
                break
            answer += data
    return answer


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_an_oversized_webhook_is_answered_413(service_url: str, chunked: bool) -> None:
    answer = _post_raw(service_url, chunked)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    with httpx.Client(timeout=30) as client:
        r = client.post(f"{service_url}/webhooks/strapi", content=BODY)
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def test_a_body_within_the_limit_reaches_the_route(service_url: str) -> None:
    with httpx.Client(timeout=30) as client:
        r = client.post(f"{service_url}/webhooks/strapi", content=b"y" * LIMIT)
    assert r.status_code == 200 and r.json() == {"bytes": LIMIT}
