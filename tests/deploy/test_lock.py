"""Python dependencies are pinned for the images, CI and bootstrap (#22 item 8):
deploy/requirements.lock, used as pip constraints, within pyproject.toml's ranges."""

from __future__ import annotations

import re

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy import files
from tests.deploy.files import DEPLOY

LOCK = DEPLOY / "requirements.lock"


def _pins() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not a pin: {line}"
            pins[canonicalize_name(name)] = version.strip()
    return pins


def test_every_dependency_is_pinned_within_its_range() -> None:
    project = files.pyproject()["project"]
    wanted = [*project["dependencies"]]
    for extra in ("test", "lint"):  # what .[dev] installs; other extras are not locked
        wanted += project["optional-dependencies"][extra]
    pins = _pins()
    for spec in map(Requirement, wanted):
        if spec.marker is not None and not spec.marker.evaluate():
            continue
        name = canonicalize_name(spec.name)
        assert name in pins, f"{spec.name} is not in {LOCK.name}"
        assert spec.specifier.contains(pins[name], prereleases=True), (spec, pins[name])


def test_the_image_and_the_bootstrap_install_with_the_lock() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "COPY deploy/requirements.lock" in dockerfile
    assert re.search(r"PIP_CONSTRAINT=/src/requirements\.lock python -m pip install \.", dockerfile)
    assert "!deploy/requirements.lock" in (DEPLOY / "Dockerfile.dockerignore").read_text()
    assert 'PIP_CONSTRAINT="$PWD/deploy/requirements.lock"' in (DEPLOY / "bootstrap").read_text()
