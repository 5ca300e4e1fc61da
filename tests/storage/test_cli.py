"""``multicam storage …`` through worker.commands.storage (as cli.py will wire it)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
from pathlib import Path

import pytest

from tests.support.s3_server import S3Server
from worker.commands import storage as storage_cmd
from worker.storage.keys import object_key


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="multicam")
    sub = parser.add_subparsers(dest="command", required=True)
    storage_cmd.add_parser(sub)
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def use_env(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def test_help_names_every_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(["storage", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for action in [
        "apply-lifecycle",
        "show-lifecycle",
        "sweep-expired",
        "MULTICAM_STORAGE_BACKEND",
        "90 days",
        "30 days",
    ]:
        assert action in out
    with pytest.raises(SystemExit) as exit_info:
        run(["storage"])
    assert exit_info.value.code == 2


def test_apply_then_show_lifecycle_on_s3(
    s3_server: S3Server,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_env(monkeypatch, s3_server.new_bucket().to_env())

    assert run(["storage", "show-lifecycle"]) == 0
    out = capsys.readouterr().out
    assert "no lifecycle rules" in out and "run `multicam storage apply-lifecycle`" in out

    assert run(["storage", "apply-lifecycle"]) == 0
    out = capsys.readouterr().out
    assert "mezzanine" in out and "deleted 90 days after upload" in out
    assert "multicam-expire-audio: prefix 'expiring/audio/', expire after 30 days" in out
    assert "abort incomplete uploads after 7 days" in out

    assert run(["storage", "show-lifecycle"]) == 0
    assert "in step with the policy" in capsys.readouterr().out
    assert run(["storage", "show-lifecycle", "--json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert {r["ID"] for r in rules} == {
        "multicam-expire-mezzanines",
        "multicam-expire-audio",
        "multicam-abort-incomplete-uploads",
    }


def test_dry_run_needs_no_storage(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MULTICAM_STORAGE_BACKEND", "s3")
    monkeypatch.setenv("MULTICAM_S3_BUCKET", "unused")
    monkeypatch.setenv("MULTICAM_S3_ENDPOINT_URL", "http://127.0.0.1:9")
    assert run(["storage", "apply-lifecycle", "--dry-run", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3


def test_local_backend_has_no_lifecycle_but_can_sweep(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = tmp_path / "store"
    use_env(monkeypatch, {"MULTICAM_STORAGE_BACKEND": "local", "MULTICAM_STORAGE_ROOT": str(root)})
    assert run(["storage", "apply-lifecycle"]) == 1
    assert "sweep-expired" in capsys.readouterr().err

    key = object_key("acme", dt.date(2020, 1, 1), "audio-wav", "A")
    (root / key).parent.mkdir(parents=True)
    (root / key).write_bytes(b"old")
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=45)).timestamp()
    os.utime(root / key, (old, old))
    assert run(["storage", "sweep-expired", "--dry-run"]) == 0
    assert f"would delete {key}" in capsys.readouterr().out
    assert (root / key).exists()
    assert run(["storage", "sweep-expired"]) == 0
    assert "deleted 1 expired objects" in capsys.readouterr().out
    assert not (root / key).exists()


def test_configuration_and_connection_errors_exit_1(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MULTICAM_STORAGE_BACKEND", "s3")
    assert run(["storage", "show-lifecycle"]) == 1
    assert "MULTICAM_S3_BUCKET is required" in capsys.readouterr().err

    monkeypatch.setenv("MULTICAM_S3_BUCKET", "b")
    monkeypatch.setenv("MULTICAM_S3_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("MULTICAM_S3_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("MULTICAM_S3_SECRET_ACCESS_KEY", "y")
    monkeypatch.setenv("MULTICAM_S3_MAX_ATTEMPTS", "1")
    assert run(["storage", "show-lifecycle"]) == 1
    assert "unreachable" in capsys.readouterr().err
