"""Start the real Strapi 5 app of deploy/strapi on a fresh PostgreSQL database.

Usable from pytest fixtures and from a shell:

    with running_strapi() as strapi:
        print(strapi.base_url, strapi.api_token)

    .venv/bin/python -m tests.support.strapi_server     # runs until Ctrl-C

Node dependencies come from deploy/strapi/scripts/install-deps (installed once per
lockfile into ~/.cache/multicam/strapi and symlinked in). Each start creates its own
database `multicam_test_<random>` and drops it when stopped; nothing else is touched.
Strapi's log goes to $TMPDIR/multicam-strapi/<database>-<port>.log, removed after a clean
stop unless MULTICAM_KEEP_STRAPI_LOG=1.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.ports import free_port

REPO = Path(__file__).resolve().parents[2]
APP_DIR = REPO / "deploy" / "strapi"
INSTALL_DEPS = APP_DIR / "scripts" / "install-deps"
SYNC_SCHEMAS = APP_DIR / "scripts" / "sync-schemas.js"
STRAPI_BIN = APP_DIR / "node_modules" / "@strapi" / "strapi" / "bin" / "strapi.js"
LOG_DIR = Path(tempfile.gettempdir()) / "multicam-strapi"
DEFAULT_WEBHOOK_HEADER = "X-Multicam-Webhook-Secret"

# Variables the app reads that must never leak in from the caller's environment
# (a developer's DATABASE_NAME or webhook URL would point the test server elsewhere).
_APP_ENV_PREFIXES = ("DATABASE_", "MULTICAM_", "STRAPI_", "ADMIN_", "API_", "APP_", "JWT_")


class StrapiStartError(RuntimeError):
    """Strapi did not become healthy; the message ends with the tail of its log."""


def _env_default(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Postgres:
    """Where to create throw-away databases (trust auth on loopback by default)."""

    host: str = field(default_factory=lambda: _env_default("MULTICAM_TEST_PGHOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env_default("MULTICAM_TEST_PGPORT", "5432")))
    user: str = field(default_factory=lambda: _env_default("MULTICAM_TEST_PGUSER", "postgres"))
    password: str = field(default_factory=lambda: _env_default("MULTICAM_TEST_PGPASSWORD", ""))

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run one statement; returns its rows unaligned, without headers."""
        psql = shutil.which("psql")
        if psql is None:
            raise StrapiStartError("psql is required (Debian package postgresql-client)")
        env = {**os.environ, "PGPASSWORD": self.password, "PGCONNECT_TIMEOUT": "10"}
        args = ["-h", self.host, "-p", str(self.port), "-U", self.user, "-d", database]
        result = subprocess.run(
            [psql, *args, "-v", "ON_ERROR_STOP=1", "-qAt", "-c", sql],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            raise subprocess.CalledProcessError(
                result.returncode, result.args, result.stdout, result.stderr
            )
        return result.stdout.strip()


@dataclass(frozen=True)
class StrapiServer:
    """A running Strapi and what a client needs to talk to it."""

    base_url: str
    port: int
    api_token: str
    admin_email: str
    admin_password: str
    database: str
    log_path: Path
    webhook_url: str | None
    webhook_secret: str | None
    webhook_header: str
    install_seconds: float
    startup_seconds: float
    env: Mapping[str, str]


def _app_digest() -> str:
    """Names this checkout's app (another clone has its own node_modules and src/api)."""
    return hashlib.sha256(str(APP_DIR.resolve()).encode()).hexdigest()[:16]


def install_node_deps() -> float:
    """Ensure deploy/strapi/node_modules (cached by lockfile) and src/api; returns seconds."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise StrapiStartError("Node.js >= 20 with npm is required to run Strapi")
    started = time.monotonic()
    # pytest-xdist workers start Strapis side by side: one of them links node_modules
    # and writes src/api at a time, so no Strapi starts from half-written files.
    lock_path = Path(tempfile.gettempdir()) / f"multicam-install-{_app_digest()}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = subprocess.run(
            ["bash", str(INSTALL_DEPS)], cwd=APP_DIR, capture_output=True, text=True, timeout=1800
        )
        if result.returncode != 0:
            raise StrapiStartError(f"install-deps failed:\n{result.stderr[-4000:]}")
        if result.stderr.strip():
            print(result.stderr.strip(), file=sys.stderr)
        subprocess.run(["node", str(SYNC_SCHEMAS)], cwd=APP_DIR, check=True, capture_output=True)
    return time.monotonic() - started


@contextlib.contextmanager
def fresh_database(pg: Postgres | None = None) -> Iterator[str]:
    """A new empty database `multicam_test_<random>`, dropped afterwards."""
    pg = pg or Postgres()
    name = f"multicam_test_{secrets.token_hex(6)}"
    pg.psql(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        try:
            pg.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except subprocess.CalledProcessError:
            pg.psql(f'DROP DATABASE IF EXISTS "{name}"')  # PostgreSQL < 13


def _secret() -> str:
    return secrets.token_urlsafe(32)


def strapi_env(
    *,
    database: str,
    port: int | None = None,
    pg: Postgres | None = None,
    api_token: str | None = None,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    webhook_header: str = DEFAULT_WEBHOOK_HEADER,
    serve_admin: bool = False,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A complete environment for one headless instance, with fresh random secrets."""
    pg = pg or Postgres()
    env = {k: v for k, v in os.environ.items() if not k.startswith(_APP_ENV_PREFIXES)}
    env.update(
        {
            # An empty file instead of deploy/strapi/.env, which belongs to the developer.
            "ENV_PATH": os.devnull,
            "NODE_ENV": "production",
            "HOST": "127.0.0.1",
            "PORT": str(port or free_port()),
            "STRAPI_TELEMETRY_DISABLED": "true",
            "STRAPI_SERVE_ADMIN": "true" if serve_admin else "false",
            "APP_KEYS": ",".join(_secret() for _ in range(4)),
            "API_TOKEN_SALT": _secret(),
            "ADMIN_JWT_SECRET": _secret(),
            "JWT_SECRET": _secret(),
            "TRANSFER_TOKEN_SALT": _secret(),
            "ENCRYPTION_KEY": _secret(),
            "DATABASE_CLIENT": "postgres",
            "DATABASE_HOST": pg.host,
            "DATABASE_PORT": str(pg.port),
            "DATABASE_NAME": database,
            "DATABASE_USERNAME": pg.user,
            "DATABASE_PASSWORD": pg.password,
            "DATABASE_POOL_MIN": "0",
            "MULTICAM_ADMIN_EMAIL": "admin@multicam.test",
            "MULTICAM_ADMIN_PASSWORD": f"Aa1-{secrets.token_urlsafe(12)}",
            "MULTICAM_API_TOKEN": api_token or secrets.token_hex(32),
            "MULTICAM_WEBHOOK_URL": webhook_url or "",
            "MULTICAM_WEBHOOK_SECRET": webhook_secret or "",
            "MULTICAM_WEBHOOK_SECRET_HEADER": webhook_header,
        }
    )
    env.update(extra or {})
    return env


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_health", timeout=2) as response:
            return bool(response.status == 204)
    except (urllib.error.URLError, OSError):
        return False


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen[bytes], timeout: float = 20.0) -> None:
    if process.poll() is not None:
        return
    # Own process group (start_new_session): signal Strapi and anything it spawned.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def log_path_for(env: Mapping[str, str]) -> Path:
    return LOG_DIR / f"{env['DATABASE_NAME']}-{env['PORT']}.log"


@contextlib.contextmanager
def strapi_process(env: Mapping[str, str], *, startup_timeout: float = 180.0) -> Iterator[float]:
    """Run `strapi start` with `env` until the block ends; yields the start-up seconds.

    Deps must be installed (install_node_deps) and the database must exist.
    """
    base_url = f"http://127.0.0.1:{env['PORT']}"
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = log_path_for(env)
    started = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["node", str(STRAPI_BIN), "start"],
            cwd=APP_DIR,
            env=dict(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    clean = False
    try:
        deadline = started + startup_timeout
        while True:
            # Exit first: a 204 on the port proves nothing once our process is gone.
            if process.poll() is not None:
                raise StrapiStartError(
                    f"Strapi exited with {process.returncode} during start-up "
                    f"(log {log_path}):\n{_tail(log_path)}"
                )
            if _healthy(base_url) and process.poll() is None:
                break
            if time.monotonic() > deadline:
                raise StrapiStartError(
                    f"Strapi not healthy after {startup_timeout:.0f} s "
                    f"(log {log_path}):\n{_tail(log_path)}"
                )
            time.sleep(0.2)
        yield time.monotonic() - started
        clean = True
    finally:
        _stop(process)
        if clean and not os.environ.get("MULTICAM_KEEP_STRAPI_LOG"):
            log_path.unlink(missing_ok=True)


@contextlib.contextmanager
def running_strapi(
    *,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    webhook_header: str = DEFAULT_WEBHOOK_HEADER,
    pg: Postgres | None = None,
    serve_admin: bool = False,
    startup_timeout: float = 180.0,
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[StrapiServer]:
    """Install deps (cached), start Strapi headless on a free loopback port with a new
    database, wait for /_health; on exit stop it and drop the database."""
    install_seconds = install_node_deps()
    with fresh_database(pg) as database:
        env = strapi_env(
            database=database,
            pg=pg,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_header=webhook_header,
            serve_admin=serve_admin,
            extra=extra_env,
        )
        with strapi_process(env, startup_timeout=startup_timeout) as startup_seconds:
            yield StrapiServer(
                base_url=f"http://127.0.0.1:{env['PORT']}",
                port=int(env["PORT"]),
                api_token=env["MULTICAM_API_TOKEN"],
                admin_email=env["MULTICAM_ADMIN_EMAIL"],
                admin_password=env["MULTICAM_ADMIN_PASSWORD"],
                database=database,
                log_path=log_path_for(env),
                webhook_url=webhook_url,
                webhook_secret=webhook_secret,
                webhook_header=webhook_header,
                install_seconds=install_seconds,
                startup_seconds=startup_seconds,
                env=env,
            )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Run one instance in the foreground for manual poking (stop with Ctrl-C or SIGTERM)."""
    signal.signal(signal.SIGTERM, _interrupt)
    with running_strapi(
        webhook_url=os.environ.get("WEBHOOK_URL"), webhook_secret=os.environ.get("WEBHOOK_SECRET")
    ) as strapi:
        print(f"Strapi      {strapi.base_url}  (database {strapi.database})")
        print(f"API token   {strapi.api_token}")
        print(f"log         {strapi.log_path}")
        print(f"ready in    {strapi.install_seconds:.1f} s deps + {strapi.startup_seconds:.1f} s")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()


if __name__ == "__main__":
    main()
