"""Strapi and the multicam processes run as different users with different files
(#22 item 8), as compose runs them in separate containers."""

from __future__ import annotations

from tests.deploy import files
from tests.deploy.files import DEPLOY

SYSTEMD = DEPLOY / "systemd"


def _values(unit: str, key: str) -> list[str]:
    return files.unit_values(files.unit(SYSTEMD / unit), "Service", key)


def test_strapi_has_a_user_and_a_file_of_its_own() -> None:
    strapi = (
        _values("multicam-strapi.service", "User"),
        _values("multicam-strapi.service", "Group"),
    )
    for unit in ("multicam-serve.service", "multicam-worker@.service"):
        assert (_values(unit, "User"), _values(unit, "Group")) != strapi, unit
        assert set(_values(unit, "User")) & set(strapi[0]) == set(), unit
        assert "/etc/multicam/strapi.env" not in _values(unit, "EnvironmentFile")
    assert _values("multicam-strapi.service", "EnvironmentFile") == ["/etc/multicam/strapi.env"]


def test_only_the_service_reads_the_v2_credentials_file() -> None:
    assert "-/etc/multicam/serve.env" in _values("multicam-serve.service", "EnvironmentFile")
    worker = _values("multicam-worker@.service", "EnvironmentFile")
    assert worker == ["/etc/multicam/multicam.env"]
    notes = (DEPLOY.parent / "docs" / "deployment.md").read_text()
    assert "useradd" in notes and "multicam-strapi" in notes and "serve.env" in notes
