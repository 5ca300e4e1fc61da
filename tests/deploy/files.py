"""Readers for the deploy files, for static checks (no Docker engine runs here)."""

from __future__ import annotations

import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from worker.commands.config import all_settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
STRAPI = DEPLOY / "strapi"
COMPOSE = DEPLOY / "docker-compose.yml"
# Compose's own file: read to fill ${...}, never a container's env_file.
ENV_EXAMPLE = DEPLOY / ".env.example"
# Each container's own settings (env_file), relative to the compose file.
ENV_DIR = DEPLOY / "env"
STRAPI_ENV_EXAMPLE = ENV_DIR / "strapi.env.example"
SERVICE_ENV_EXAMPLE = ENV_DIR / "service.env.example"
SERVE_ENV_EXAMPLE = ENV_DIR / "serve.env.example"
CONTAINER_ENV_EXAMPLES = (STRAPI_ENV_EXAMPLE, SERVICE_ENV_EXAMPLE, SERVE_ENV_EXAMPLE)
SYSTEMD = DEPLOY / "systemd"

_NAME = r"[A-Z][A-Z0-9_]*"


# ---- environment variables -------------------------------------------------------------


def setting_names() -> set[str]:
    """Every variable the Python settings classes read."""
    return {s.env for s in all_settings()}


def env_file_names(path: Path) -> set[str]:
    """Variables assigned in an env file, commented-out ones included."""
    return set(re.findall(rf"^#?[ \t]*({_NAME})=", path.read_text(), re.M))


def commented_defaults(path: Path) -> dict[str, str]:
    """``# NAME=value`` lines (a variable left at the default the line shows)."""
    return dict(re.findall(rf"^# ({_NAME})=(.*)$", path.read_text(), re.M))


def active_assignments(path: Path) -> list[tuple[str, str]]:
    """Uncommented ``NAME=value`` lines, in order."""
    return re.findall(rf"^({_NAME})=(.*)$", path.read_text(), re.M)


def strapi_code_names() -> set[str]:
    """Variables the Strapi app's own code reads (config, bootstrap, scripts)."""
    names: set[str] = set()
    for js in sorted((STRAPI / "config").glob("*.js")):
        names |= set(re.findall(rf"env(?:\.\w+)?\(\s*'({_NAME})'", js.read_text()))
    for js in sorted((STRAPI / "src").rglob("*.js")):
        names |= set(re.findall(rf"\benv\.({_NAME})\b", js.read_text()))
    for js in sorted((STRAPI / "scripts").glob("*.js")):
        names |= set(re.findall(rf"process\.env\.({_NAME})\b", js.read_text()))
    return names


def strapi_names() -> set[str]:
    """Every Strapi variable: its .env.example (commented ones too) and its code."""
    return env_file_names(STRAPI / ".env.example") | strapi_code_names()


# ---- compose ---------------------------------------------------------------------------

_INTERPOLATION = re.compile(rf"(?<!\$)\$\{{({_NAME})(?:(:?[-?+])([^}}]*))?\}}")


def compose_text() -> str:
    return COMPOSE.read_text()


def compose() -> dict[str, Any]:
    doc = yaml.safe_load(compose_text())
    assert isinstance(doc, dict)
    return doc


def interpolated_names() -> set[str]:
    """Variables docker-compose.yml substitutes (``${NAME}``, ``${NAME:-default}``)."""
    return {m.group(1) for m in _INTERPOLATION.finditer(compose_text())}


def interpolations(text: str) -> list[tuple[str, str, str]]:
    """(name, operator, word) of each ``${NAME<operator><word>}`` in ``text``."""
    return [(m.group(1), m.group(2) or "", m.group(3) or "") for m in _INTERPOLATION.finditer(text)]


def interpolation_default(value: str) -> str:
    """``${NAME:-default}`` → ``default``; other strings unchanged."""
    m = _INTERPOLATION.fullmatch(value)
    if m and m.group(2) in (":-", "-"):
        return m.group(3)
    return value


def env_files(service: dict[str, Any]) -> list[str]:
    """The service's env_file entries, as paths relative to the compose file."""
    given = service.get("env_file") or []
    entries = [given] if isinstance(given, str | dict) else list(given)
    return [str(e["path"] if isinstance(e, dict) else e) for e in entries]


def example_of(env_file: str) -> Path:
    """The committed example of an env file the compose file names (``x.env.example``)."""
    return DEPLOY / f"{env_file}.example"


def container_names(service: dict[str, Any]) -> set[str]:
    """Every variable a container can see: its env files' (examples') names, commented
    ones included, and the names its ``environment:`` sets."""
    names = set(service_environment(service))
    for env_file in env_files(service):
        names |= env_file_names(example_of(env_file))
    return names


def service_environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


# ---- Dockerfiles -----------------------------------------------------------------------


@dataclass
class Instruction:
    keyword: str
    args: str


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [i.args for i in self.instructions if i.keyword == keyword]

    def last(self, keyword: str) -> str | None:
        found = self.all(keyword)
        return found[-1] if found else None


def dockerfile(path: Path) -> list[Stage]:
    """The stages of a Dockerfile, continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, f"{path}: dangling line continuation"
    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            stages.append(Stage(base=parts[0], name=name))
        else:
            assert stages, f"{path}: {keyword} before FROM"
            stages[-1].instructions.append(Instruction(keyword, args.strip()))
    return stages


def copy_sources(stage: Stage) -> list[tuple[list[str], str]]:
    """(sources, destination) of each COPY from the build context (not --from)."""
    out = []
    for args in stage.all("COPY"):
        words = shlex.split(args)
        if any(w.startswith("--from") for w in words):
            continue
        words = [w for w in words if not w.startswith("--")]
        out.append((words[:-1], words[-1]))
    return out


def dockerignore(path: Path) -> list[str]:
    return [
        line.strip()
        for line in path.read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def _pattern(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out)


def is_ignored(relpath: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or a parent folder decides."""
    parts = relpath.strip("/").split("/")
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    ignored = False
    for raw in patterns:
        negate = raw.startswith("!")
        rx = _pattern(raw.lstrip("!").strip("/"))
        if any(rx.fullmatch(c) for c in candidates):
            ignored = not negate
    return ignored


def context_files(sources: list[str], patterns: list[str]) -> list[str]:
    """Files of the build context (the repo root) under ``sources`` that survive ignores."""
    files: list[str] = []
    for src in sources:
        path = ROOT / src
        found = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for p in found:
            rel = p.relative_to(ROOT).as_posix()
            if not is_ignored(rel, patterns):
                files.append(rel)
    return files


# ---- install commands ------------------------------------------------------------------


def pip_installs(text: str) -> list[list[str]]:
    """Each ``pip install`` in shell text, as its arguments after ``install``
    (quiet/cache flags dropped; installs of pip itself left out)."""
    joined = text.replace("\\\n", " ")
    out = []
    for chunk in re.split(r"&&|\|\||;|\n|\(|\)", joined):
        try:
            words = shlex.split(chunk, comments=True)
        except ValueError:
            continue
        for i in range(len(words) - 1):
            if words[i].endswith("pip") and words[i + 1] == "install":
                args = [
                    w
                    for w in words[i + 2 :]
                    if w not in ("-q", "--quiet", "--no-cache-dir", "--upgrade", "-U")
                ]
                if args and args != ["pip"]:
                    out.append(args)
                break
    return out


def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


# ---- systemd ---------------------------------------------------------------------------


def unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A systemd unit as {section: [(key, value), ...]} (keys may repeat)."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None, f"{path}: {line!r} outside a section"
        key, sep, value = line.partition("=")
        assert sep, f"{path}: not key=value: {line!r}"
        current.append((key.strip(), value.strip()))
    return sections


def unit_values(sections: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [v for k, v in sections.get(section, []) if k == key]
