"""Loopback ports for the servers tests start, unique across the suite's processes.

Asking the kernel for port 0 and closing the socket again is racy: under pytest-xdist
the other worker can be handed the same number before our server binds it, and a
health check then talks to the wrong server (a Strapi meant to refuse to start was
seen "healthy" that way). Each xdist worker therefore takes ports from its own
range below the kernel's ephemeral ports (32768 and up on Linux, so no outgoing
connection holds one for long), in turn, skipping any that something else holds.
"""

from __future__ import annotations

import itertools
import os
import random
import socket
import threading

FIRST_PORT = 12000
RANGE_SIZE = 2500  # per process; gw0..gw7 and the controller fit below 32768
_lock = threading.Lock()


def _range_start() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... or unset
    index = int(worker[2:]) + 1 if worker.startswith("gw") and worker[2:].isdigit() else 0
    return FIRST_PORT + (index % 8) * RANGE_SIZE


# A random start: two suites on one machine (a developer's and CI's) rarely meet.
_next = itertools.count(random.randrange(RANGE_SIZE))


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port nothing listens on, not handed out before by this process."""
    start = _range_start()
    with _lock:
        for _ in range(RANGE_SIZE):
            port = start + next(_next) % RANGE_SIZE
            if _bindable(port):
                return port
    raise RuntimeError(f"no free loopback port in {start}-{start + RANGE_SIZE - 1}")
