"""``multicam config``: the configuration reference, generated from the settings classes.

``multicam config docs`` prints ``docs/configuration.md`` and ``multicam config env``
prints an environment file template (``deploy/systemd/multicam.env``); tests compare
both files with this output, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import SecretStr
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings

from worker.ingest.config import IngestSettings
from worker.settings import Settings
from worker.storage.settings import StorageSettings

# Every settings class the service and the workers read, in the order documented.
SETTINGS_CLASSES: tuple[tuple[str, type[BaseSettings]], ...] = (
    ("Service, worker and queue", Settings),
    ("Storage", StorageSettings),
    ("Ingest", IngestSettings),
)

DESCRIPTION = """\
Print the configuration reference generated from the settings classes.

  docs   the Markdown reference (docs/configuration.md): every environment
         variable with its type, default and meaning
  env    an environment file template (deploy/systemd/multicam.env): every
         variable, commented out at its default
"""

EPILOG = """\
examples:
  multicam config docs > docs/configuration.md
  multicam config env > /etc/multicam/multicam.env
"""

INTRO = """\
# Configuration

The webhook service (`multicam serve`) and the workers (`multicam worker`) are
configured only through environment variables. This file is generated from the
settings classes by `multicam config docs` (a test fails when it differs), so the
tables below are exactly what the code reads. Regenerate it after changing a setting:

```
.venv/bin/multicam config docs > docs/configuration.md
.venv/bin/multicam config env > deploy/systemd/multicam.env
```

## Where the values come from

* **Environment variables** always win. Names are case-insensitive; values are
  parsed and validated at start-up, so a bad value stops the process with a message
  naming the setting.
* Every group also reads a **`.env` file in the working directory** for variables
  the environment does not set.
* Booleans accept `true`/`false` (also `1`/`0`, `yes`/`no`). Leaving a variable
  unset gives the default; an empty value is not the same: it is an error for a
  number, and an empty string, not "unset", for the optional ones. Comment out what
  you do not set.
* Secrets of the first group (tokens, webhook and media secrets), when set, must be
  at least 32 characters and never a placeholder such as `change-me`
  (`worker/secret_rule.py`): `multicam serve` and `multicam worker` refuse to start
  otherwise, naming the variable. Empty keeps its documented meaning.

Templates:

* Docker Compose: `deploy/.env.example`, copied to `deploy/.env`. It has every
  variable below, plus Strapi's, PostgreSQL's and the compose file's own.
* systemd: `deploy/systemd/multicam.env` (the output of `multicam config env`),
  copied to `/etc/multicam/multicam.env`.
* Strapi's own variables: `deploy/strapi/.env.example`, explained in that file and
  in [data-model.md](data-model.md#configuration-and-api-token).

The container image (`deploy/Dockerfile`) sets three of these differently from the
code defaults: `MULTICAM_HTTP_HOST=0.0.0.0` (reachable from other containers),
`MULTICAM_STORAGE_ROOT=/var/lib/multicam/storage` and
`MULTICAM_WORK_DIR=/var/lib/multicam/work` (the image's data folder).

## Values shared with Strapi

* `MULTICAM_STRAPI_TOKEN` here is `MULTICAM_API_TOKEN` in Strapi: the API token
  Strapi's bootstrap creates (find, findOne, create, update and delete on the four
  multicam content types, nothing else), 32+ characters (`openssl rand -hex 32`).
* `MULTICAM_WEBHOOK_SECRET` is the same variable in both. Strapi sends it in the
  header named by its `MULTICAM_WEBHOOK_SECRET_HEADER`, which must stay
  `X-Multicam-Webhook-Secret` (the header this service reads).
* Strapi's `MULTICAM_WEBHOOK_URL` points at this service:
  `http://<serve host>:<MULTICAM_HTTP_PORT>/webhooks/strapi`.
* `MULTICAM_STRAPI_URL` points at Strapi (its `HOST` and `PORT`), as this service
  and the workers reach it.

Careful: `MULTICAM_API_TOKEN` means two different things. For this service it is
the bearer token of its own `/v2` API; for Strapi it is the token the worker uses
(this service's `MULTICAM_STRAPI_TOKEN`). Keep them in separate files (systemd) or
map them explicitly (the compose file passes `MULTICAM_STRAPI_TOKEN` to Strapi as
`MULTICAM_API_TOKEN`).

Settings of type `secret` are masked (`**********`) wherever a settings object is printed.
"""


@dataclass(frozen=True)
class Setting:
    """One environment variable of a settings class."""

    env: str
    type: str
    default: str  # as written in an env file; "" for empty or unset
    unset: bool  # the default is None: leave the variable out
    description: str


def env_name(cls: type[BaseSettings], name: str, field: FieldInfo) -> str:
    """The environment variable pydantic-settings reads for ``field``."""
    if isinstance(field.validation_alias, str):
        return field.validation_alias.upper()
    prefix = str(cls.model_config.get("env_prefix", ""))
    return f"{prefix}{name}".upper()


def _type_name(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(f"`{value}`" for value in get_args(annotation))
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(annotation) if a is not type(None)]
        name = " or ".join(_type_name(a) for a in args)
        return f"{name}, optional" if len(args) < len(get_args(annotation)) else name
    if origin is dict:
        value = get_args(annotation)[1] if get_args(annotation) else Any
        secret = ", secret values" if value is SecretStr else ""
        return f"JSON object{secret}"
    names: dict[Any, str] = {
        str: "string",
        int: "integer",
        float: "number",
        bool: "boolean",
        SecretStr: "string, secret",
        Path: "path",
    }
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _bounds(field: FieldInfo) -> str:
    parts: list[str] = []
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            parts.append(f"≥ {item.ge}")
        elif isinstance(item, annotated_types.Gt):
            parts.append(f"> {item.gt}")
        elif isinstance(item, annotated_types.Le):
            parts.append(f"≤ {item.le}")
        elif isinstance(item, annotated_types.Lt):
            parts.append(f"< {item.lt}")
    return ", ".join(parts)


def env_value(value: Any) -> str:
    """``value`` as it is written in an environment variable."""
    if value is None:
        return ""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps({k: env_value(v) for k, v in value.items()})
    return str(value)


def settings_of(cls: type[BaseSettings]) -> Iterator[Setting]:
    """The variables of one settings class, in declaration order."""
    for name, field in cls.model_fields.items():
        type_name = _type_name(field.annotation)
        bounds = _bounds(field)
        yield Setting(
            env=env_name(cls, name, field),
            type=f"{type_name} ({bounds})" if bounds else type_name,
            default=env_value(field.get_default(call_default_factory=True)),
            unset=field.get_default(call_default_factory=True) is None,
            description=" ".join((field.description or "").split()),
        )


def all_settings() -> list[Setting]:
    """Every variable of every settings class."""
    return [s for _, cls in SETTINGS_CLASSES for s in settings_of(cls)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _default_cell(setting: Setting) -> str:
    if setting.unset:
        return "(unset)"
    return f"`{setting.default}`" if setting.default else "(empty)"


def render_docs() -> str:
    """The Markdown configuration reference (the whole of docs/configuration.md)."""
    out = [INTRO]
    for title, cls in SETTINGS_CLASSES:
        doc = " ".join((cls.__doc__ or "").split())
        out.append(
            f"\n## {title}: `{cls.__module__}.{cls.__qualname__}`\n\n{doc}\n\n"
            "| Variable | Type | Default | Meaning |\n|---|---|---|---|\n"
        )
        for s in settings_of(cls):
            out.append(
                f"| `{s.env}` | {_cell(s.type)} | {_cell(_default_cell(s))} "
                f"| {_cell(s.description)} |\n"
            )
    return "".join(out)


def render_env() -> str:
    """An environment file template: every variable, commented out at its default."""
    out = [
        "# multicam service and worker settings: every environment variable they read.\n"
        "# Generated by `multicam config env` (reference: docs/configuration.md).\n"
        "# Each line is commented out at its default: uncomment and set what you need.\n"
        "# An empty value is not the same as unset for the optional ones.\n"
    ]
    for title, cls in SETTINGS_CLASSES:
        out.append(f"\n# ==== {title} ({cls.__module__}.{cls.__qualname__})\n")
        for s in settings_of(cls):
            text = f"{s.description} [{s.type}{'; unset by default' if s.unset else ''}]"
            lines = textwrap.wrap(text, width=86, break_on_hyphens=False)
            out.append("\n" + "".join(f"# {line}\n" for line in lines))
            out.append(f"# {s.env}={s.default}\n")
    return "".join(out)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "config",
        help="configuration reference: Markdown docs or an env file template",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="config_command", metavar="ACTION")
    actions.required = True
    docs = actions.add_parser("docs", help="print the Markdown reference (docs/configuration.md)")
    docs.set_defaults(func=lambda _: _print(render_docs()))
    env = actions.add_parser(
        "env", help="print an env file template, every variable commented out at its default"
    )
    env.set_defaults(func=lambda _: _print(render_env()))


def _print(text: str) -> int:
    sys.stdout.write(text)
    return 0
