"""docs/configuration.md and the env templates are generated from the settings classes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic_settings import BaseSettings

from tests.deploy.files import ROOT, SYSTEMD
from worker.cli import main
from worker.commands.config import (
    SETTINGS_CLASSES,
    all_settings,
    env_value,
    render_docs,
    render_env,
    settings_of,
)

REGENERATE = (
    "regenerate: .venv/bin/multicam config docs > docs/configuration.md && "
    ".venv/bin/multicam config env > deploy/systemd/multicam.env"
)


def test_configuration_md_is_the_generated_reference() -> None:
    assert (ROOT / "docs" / "configuration.md").read_text() == render_docs(), REGENERATE


def test_systemd_env_file_is_the_generated_template() -> None:
    assert (SYSTEMD / "multicam.env").read_text() == render_env(), REGENERATE


@pytest.mark.parametrize("action,render", [("docs", render_docs), ("env", render_env)])
def test_cli_prints_the_generated_text(
    action: str, render: Callable[[], str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", action]) == 0
    assert capsys.readouterr().out == render()


def test_config_needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["config"])
    assert exit_info.value.code == 2


def test_every_variable_is_documented_once() -> None:
    settings = all_settings()
    names = [s.env for s in settings]
    assert len(names) == len(set(names)), "two settings classes read the same variable"
    docs = render_docs()
    env = render_env()
    for s in settings:
        assert s.description, f"{s.env} has no description (Field(description=...))"
        assert f"| `{s.env}` |" in docs
        assert f"\n# {s.env}={s.default}\n" in env


def _env_value(cls: type[BaseSettings], name: str) -> str:
    """A valid value for the field: its default, or a plain string if it has none."""
    default = cls.model_fields[name].get_default(call_default_factory=True)
    return "x" if default is None else env_value(default)


@pytest.mark.parametrize(
    "cls", [cls for _, cls in SETTINGS_CLASSES], ids=[cls.__name__ for _, cls in SETTINGS_CLASSES]
)
def test_documented_names_are_the_ones_pydantic_reads(
    cls: type[BaseSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set every documented variable (to a valid value): each field must pick it up."""
    documented = {s.env: name for s, name in zip(settings_of(cls), cls.model_fields, strict=True)}
    for env, name in documented.items():
        monkeypatch.setenv(env, _env_value(cls, name))
    instance = cls()
    assert instance.model_fields_set == set(cls.model_fields)
