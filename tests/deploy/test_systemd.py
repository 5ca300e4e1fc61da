"""deploy/systemd: units for running without containers."""

from __future__ import annotations

import json
import shlex
from pathlib import Path, PurePosixPath

import pytest

from tests.deploy import files
from tests.deploy.files import ROOT, STRAPI, SYSTEMD
from worker.cli import build_parser

UNITS = sorted(SYSTEMD.glob("*.service"))
MULTICAM_UNITS = {"multicam-serve.service": "serve", "multicam-worker@.service": "worker"}
# Strapi runs as a user of its own: a hole in it reaches neither the workers' files nor
# the /v2 credentials, which only serve's own (optional, "-") file holds.
UNIT_USERS = {"multicam-strapi.service": "multicam-strapi"}
ENV_FILES = {
    "serve": ["/etc/multicam/multicam.env", "-/etc/multicam/serve.env"],
    "worker": ["/etc/multicam/multicam.env"],
}
# Where the install notes (docs/deployment.md) put the checkout and the venv.
CHECKOUT = PurePosixPath("/opt/multicam")
VENV_MULTICAM = CHECKOUT / "venv" / "bin" / "multicam"


def test_the_units_are_there() -> None:
    assert {u.name for u in UNITS} == {*MULTICAM_UNITS, "multicam-strapi.service"}


@pytest.mark.parametrize("path", UNITS, ids=[u.name for u in UNITS])
def test_unit_is_complete(path: Path) -> None:
    unit = files.unit(path)
    assert {"Unit", "Service", "Install"} <= set(unit)
    assert files.unit_values(unit, "Unit", "Description")
    assert len(files.unit_values(unit, "Service", "ExecStart")) == 1
    assert files.unit_values(unit, "Service", "User") == [UNIT_USERS.get(path.name, "multicam")]
    assert files.unit_values(unit, "Service", "Restart")
    assert files.unit_values(unit, "Install", "WantedBy") == ["multi-user.target"]
    for env_file in files.unit_values(unit, "Service", "EnvironmentFile"):
        assert env_file.removeprefix("-").startswith("/etc/multicam/")


@pytest.mark.parametrize("name,command", sorted(MULTICAM_UNITS.items()))
def test_multicam_units_run_an_existing_subcommand(name: str, command: str) -> None:
    unit = files.unit(SYSTEMD / name)
    argv = shlex.split(files.unit_values(unit, "Service", "ExecStart")[0])
    assert PurePosixPath(argv[0]) == VENV_MULTICAM
    assert argv[1] == command
    build_parser().parse_args(argv[1:])  # exits on an unknown subcommand or option
    assert files.unit_values(unit, "Service", "EnvironmentFile") == ENV_FILES[command]
    # ProtectSystem=strict: the working directory must be writable (local storage root).
    workdir = files.unit_values(unit, "Service", "WorkingDirectory")[0]
    if files.unit_values(unit, "Service", "ProtectSystem") == ["strict"]:
        writable = " ".join(files.unit_values(unit, "Service", "ReadWritePaths")).split()
        assert workdir in writable


def test_worker_unit_is_a_template() -> None:
    unit = files.unit(SYSTEMD / "multicam-worker@.service")
    assert "%i" in files.unit_values(unit, "Unit", "Description")[0]


def test_strapi_unit_runs_the_image_command_from_the_checkout() -> None:
    unit = files.unit(SYSTEMD / "multicam-strapi.service")
    workdir = PurePosixPath(files.unit_values(unit, "Service", "WorkingDirectory")[0])
    assert workdir == CHECKOUT / STRAPI.relative_to(ROOT).as_posix()
    assert files.unit_values(unit, "Service", "EnvironmentFile") == ["/etc/multicam/strapi.env"]
    assert "NODE_ENV=production" in files.unit_values(unit, "Service", "Environment")
    start = shlex.split(files.unit_values(unit, "Service", "ExecStart")[0])
    image_cmd = json.loads(files.dockerfile(STRAPI / "Dockerfile")[-1].last("CMD") or "null")
    assert start[0].endswith("/node")
    assert ["node", *start[1:]] == image_cmd, "the same start command as the image"
    for pre in files.unit_values(unit, "Service", "ExecStartPre"):
        script = shlex.split(pre)[1]
        assert (STRAPI / script).is_file(), script


def test_env_file_template_covers_every_setting() -> None:
    names = files.env_file_names(SYSTEMD / "multicam.env")
    assert names == files.setting_names()


def test_install_notes_name_every_unit() -> None:
    notes = (ROOT / "docs" / "deployment.md").read_text()
    for unit in UNITS:
        assert unit.name in notes, f"docs/deployment.md does not explain {unit.name}"
    assert "multicam.env" in notes and "strapi.env" in notes
