"""Our own processes for end-to-end tests: a private Redis, `multicam serve`, `multicam worker`.

Each binds 127.0.0.1 on a free port, logs to a file, and is stopped on exit.
A private redis-server (not the machine's shared one) lets tests restart Redis
without touching anyone else's data.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.ports import free_port

REPO = Path(__file__).resolve().parents[2]
MULTICAM = Path(sys.executable).parent / "multicam"


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@dataclass
class Proc:
    """A child process with its log file; restartable with the same command."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.cmd, env=self.env, stdout=log, stderr=log, cwd=REPO, start_new_session=True
        )
        log.close()

    def stop(self, timeout: float = 15.0) -> None:
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    def kill(self) -> None:
        """SIGKILL, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def log_tail(self, lines: int = 80) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class PrivateRedis:
    port: int
    proc: Proc
    data_dir: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def restart(self) -> None:
        """Stop and start again; with AOF on, queued jobs survive as in production."""
        self.proc.stop()
        self.proc.start()
        wait_port(self.port)


@contextlib.contextmanager
def private_redis(workdir: Path) -> Iterator[PrivateRedis]:
    exe = shutil.which("redis-server")
    if exe is None:
        raise RuntimeError("redis-server is not installed (deploy/bootstrap installs it)")
    port = free_port()
    data = workdir / "redis"
    data.mkdir(parents=True, exist_ok=True)
    proc = Proc(
        "redis",
        [
            exe,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "yes",
            "--dir",
            str(data),
        ],
        dict(os.environ),
        workdir / "redis.log",
    )
    proc.start()
    try:
        wait_port(port)
        yield PrivateRedis(port, proc, data)
    finally:
        proc.stop()


@dataclass
class MulticamProcesses:
    """`multicam serve` and `multicam worker` sharing one environment."""

    env: dict[str, str]
    service_port: int
    workdir: Path
    service: Proc = field(init=False)
    worker: Proc = field(init=False)

    def __post_init__(self) -> None:
        self.service = Proc(
            "serve",
            [str(MULTICAM), "serve", "--port", str(self.service_port)],
            self.env,
            self.workdir / "serve.log",
        )
        self.worker = Proc(
            "worker", [str(MULTICAM), "worker"], self.env, self.workdir / "worker.log"
        )

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.service_port}"

    def start_service(self) -> None:
        self.service.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(self.service_url + "/healthz", timeout=1) as r,
            ):
                if r.status == 200:
                    return
            if self.service.process and self.service.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("multicam serve did not start:\n" + self.service.log_tail())

    def logs(self) -> str:
        return (
            f"--- serve.log ---\n{self.service.log_tail()}\n"
            f"--- worker.log ---\n{self.worker.log_tail()}"
        )


@contextlib.contextmanager
def multicam_processes(
    env: Mapping[str, str], service_port: int, workdir: Path | None = None
) -> Iterator[MulticamProcesses]:
    own = workdir is None
    wd = Path(tempfile.mkdtemp(prefix="multicam-e2e-")) if workdir is None else workdir
    procs = MulticamProcesses(dict(env), service_port, wd)
    try:
        procs.start_service()
        procs.worker.start()
        yield procs
    finally:
        procs.worker.stop()
        procs.service.stop()
        if own and not os.environ.get("MULTICAM_KEEP_E2E_LOGS"):
            shutil.rmtree(wd, ignore_errors=True)
