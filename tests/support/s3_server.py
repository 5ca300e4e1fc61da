"""moto's S3 HTTP server on loopback, for tests and demos.

    with running_s3() as s3:
        settings = s3.settings                 # StorageSettings for a fresh bucket
        env = s3.settings.to_env()             # the same, for a subprocess
        other = s3.new_bucket()                # another empty bucket, same server

    .venv/bin/python -m tests.support.s3_server     # prints the env, runs until Ctrl-C

The server speaks the real S3 HTTP API (multipart, presigned URLs, lifecycle) but
does not check signatures or checksums; the storage package verifies its own.
moto keeps its state per process, so every bucket gets a random name.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from moto.server import ThreadedMotoServer
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from worker.storage.settings import StorageSettings

ACCESS_KEY = "multicam-test"
SECRET_KEY = "multicam-test-secret"


class _ExplicitSettings(StorageSettings):
    """StorageSettings that ignore MULTICAM_* variables: a developer's env cannot leak in."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def _client(endpoint_url: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )


def _bucket_settings(endpoint_url: str, overrides: dict[str, Any]) -> StorageSettings:
    bucket = f"multicam-test-{uuid.uuid4().hex[:12]}"
    _client(endpoint_url).create_bucket(Bucket=bucket)
    values: dict[str, Any] = {
        "storage_backend": "s3",
        "s3_endpoint_url": endpoint_url,
        "s3_bucket": bucket,
        "s3_region": "auto",
        "s3_access_key_id": ACCESS_KEY,
        "s3_secret_access_key": SECRET_KEY,
        # Fail fast in tests: no retry storms against a stopped server.
        "s3_max_attempts": 2,
        "s3_connect_timeout_s": 5.0,
        "s3_read_timeout_s": 30.0,
        **overrides,
    }
    return _ExplicitSettings(**values)


@dataclass
class S3Server:
    """A running moto server and the settings of the bucket made for the caller."""

    endpoint_url: str
    settings: StorageSettings
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def bucket(self) -> str:
        assert self.settings.s3_bucket is not None
        return self.settings.s3_bucket

    def client(self) -> Any:
        """A plain (sync) boto3 client on this server, for poking behind the store's back."""
        return _client(self.endpoint_url)

    def new_bucket(self, **overrides: Any) -> StorageSettings:
        """Create an empty bucket; returns settings for it (``overrides`` as in running_s3)."""
        return _bucket_settings(self.endpoint_url, {**self.overrides, **overrides})


@contextlib.contextmanager
def running_s3(**overrides: Any) -> Iterator[S3Server]:
    """Start moto's server on 127.0.0.1 (a free port), make a fresh bucket, stop on exit.

    ``overrides`` are StorageSettings fields, e.g. ``s3_multipart_threshold_mb=5``.
    """
    # werkzeug logs every request at INFO; a demo's terminal does not need that.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # Port 0: the OS picks a free port at bind time, so parallel runs cannot race for one.
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        yield S3Server(
            endpoint_url=endpoint,
            settings=_bucket_settings(endpoint, overrides),
            overrides=dict(overrides),
        )
    finally:
        server.stop()


def main() -> None:
    with running_s3() as s3:
        for name, value in sorted(s3.settings.to_env().items()):
            print(f"export {name}={value}")
        print(f"# moto S3 at {s3.endpoint_url}; Ctrl-C to stop", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
