"""deploy/Dockerfile and deploy/strapi/Dockerfile, checked without a Docker engine."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path, PurePosixPath

import pytest

from tests.deploy import files
from tests.deploy.files import DEPLOY, ROOT, STRAPI, Stage
from worker.cli import build_parser
from worker.settings import Settings

SERVICE = DEPLOY / "Dockerfile"
STRAPI_IMAGE = STRAPI / "Dockerfile"
ROOT_USERS = {"root", "0", "0:0", "root:root"}


def _json_array(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list) and all(isinstance(v, str) for v in value), args
    return value


def _healthcheck_command(stage: Stage) -> list[str]:
    health = stage.last("HEALTHCHECK")
    assert health, "no HEALTHCHECK"
    m = re.search(r"\bCMD\s+(\[.*\])\s*$", health)
    assert m, f"HEALTHCHECK should use the exec form: {health}"
    return _json_array(m.group(1))


def _ignore_file(dockerfile: Path) -> list[str]:
    # BuildKit reads <Dockerfile>.dockerignore beside the Dockerfile (context: repo root).
    path = dockerfile.with_name(dockerfile.name + ".dockerignore")
    assert path.is_file(), f"{path} keeps .venv, .git, caches out of the build context"
    return files.dockerignore(path)


# ---- the service image ------------------------------------------------------------------


@pytest.fixture(scope="module")
def service() -> list[Stage]:
    return files.dockerfile(SERVICE)


def test_service_image_is_slim_and_multi_stage(service: list[Stage]) -> None:
    assert all(stage.base == "python:3.11-slim" for stage in service)
    assert len(service) >= 2
    final = service[-1]
    assert any("--from=" in args for args in final.all("COPY")), "runtime copies the venv"
    assert not any("apt-get install" in args for args in final.all("RUN")), (
        "PyAV's wheels bundle FFmpeg: no system packages needed"
    )


def test_service_image_runs_as_a_non_root_user(service: list[Stage]) -> None:
    user = service[-1].last("USER")
    assert user and user not in ROOT_USERS


def test_service_image_entrypoint_is_multicam_serve(service: list[Stage]) -> None:
    final = service[-1]
    assert _json_array(final.last("ENTRYPOINT") or "null") == ["multicam"]
    command = _json_array(final.last("CMD") or "null")
    assert command == ["serve"]
    build_parser().parse_args(command)
    build_parser().parse_args(["worker"])
    assert final.last("EXPOSE") == str(Settings.model_fields["http_port"].default)


def test_service_healthcheck_probes_healthz(service: list[Stage]) -> None:
    from worker.api.health import router

    command = _healthcheck_command(service[-1])
    assert command[0] == "python"
    assert "/healthz" in command[-1]
    assert "MULTICAM_HTTP_PORT" in command[-1]
    assert "/healthz" in {getattr(r, "path", None) for r in router.routes}


def test_service_image_env_names_real_settings(service: list[Stage]) -> None:
    names = {word.partition("=")[0] for env in service[-1].all("ENV") for word in shlex.split(env)}
    multicam = {n for n in names if n.startswith("MULTICAM_")}
    assert multicam <= files.setting_names(), multicam - files.setting_names()
    assert "MULTICAM_HTTP_HOST" in multicam, "serve must listen beyond the container"


def test_service_image_copies_every_package(service: list[Stage]) -> None:
    """Everything pip needs is in the context: pyproject's packages and its readme."""
    patterns = _ignore_file(SERVICE)
    copied = [src for sources, _ in files.copy_sources(service[0]) for src in sources]
    for src in copied:
        assert (ROOT / src).exists(), f"COPY {src}: not in the repository"
        assert files.context_files([src], patterns), f"COPY {src}: excluded from the context"
    project = files.pyproject()
    assert project["project"]["readme"] in copied
    assert "pyproject.toml" in copied
    for pattern in project["tool"]["setuptools"]["packages"]["find"]["include"]:
        top = pattern.rstrip("*")
        assert top in copied, f"package {top} is not copied into the image"
    for path in [".venv/bin/python", ".git/HEAD", "tests/__init__.py", "deploy/bootstrap"]:
        assert files.is_ignored(path, patterns), f"{path} should stay out of the context"


# ---- one install command everywhere ------------------------------------------------------


def _project_installs(text: str) -> list[list[str]]:
    """pip installs of this project (a path argument: ``.`` or ``.[extras]``)."""
    return [
        args
        for args in files.pip_installs(text)
        if any(a.split("[")[0] in (".", "./") for a in args)
    ]


def test_image_installs_like_readme_and_bootstrap(service: list[Stage]) -> None:
    """The image installs the project exactly as the README and deploy/bootstrap do:
    pip on the project directory, dependencies from pyproject.toml; the bootstrap only
    adds the editable flag and the dev extras (tests and linters)."""
    image = [args for run in service[0].all("RUN") for args in _project_installs(run)]
    assert image == [["."]]
    bootstrap = _project_installs((DEPLOY / "bootstrap").read_text())
    assert bootstrap and all(args == ["-e", ".[dev]"] for args in bootstrap)
    extras = files.pyproject()["project"]["optional-dependencies"]
    assert set(extras["dev"]) == {"multicam[test,lint]"}
    allowed = [["."], ["-e", ".[dev]"]]
    for doc in ["README.md", "docs/deployment.md"]:
        for args in _project_installs((ROOT / doc).read_text()):
            assert args in allowed, f"{doc}: pip install {' '.join(args)}"
    deployment = _project_installs((ROOT / "docs" / "deployment.md").read_text())
    assert ["."] in deployment, "docs/deployment.md installs like the image"


def test_no_requirements_file_beside_pyproject() -> None:
    """Dependencies live only in pyproject.toml, so no install can drift from it."""
    assert not list(ROOT.glob("requirements*.txt"))
    assert not list(DEPLOY.glob("requirements*.txt"))


# ---- the Strapi image --------------------------------------------------------------------


@pytest.fixture(scope="module")
def strapi() -> list[Stage]:
    return files.dockerfile(STRAPI_IMAGE)


def test_strapi_image_is_node_20_slim_and_non_root(strapi: list[Stage]) -> None:
    assert all(stage.base == "node:20-slim" for stage in strapi)
    engines = json.loads((STRAPI / "package.json").read_text())["engines"]["node"]
    assert ">=20" in engines.replace(" ", "")
    user = strapi[-1].last("USER")
    assert user and user not in ROOT_USERS


def test_strapi_image_installs_with_the_lockfile_not_npm_ci(strapi: list[Stage]) -> None:
    runs = " ".join(args for stage in strapi for args in stage.all("RUN"))
    assert "npm install" in runs
    assert "npm ci" not in runs, "npm ci rejects this lockfile (see scripts/install-deps)"
    copied = [
        src for stage in strapi for sources, _ in files.copy_sources(stage) for src in sources
    ]
    assert "deploy/strapi/package-lock.json" in copied
    # The same command as the development install (scripts/install-deps).
    install_deps = [
        line
        for line in (STRAPI / "scripts" / "install-deps").read_text().splitlines()
        if not line.lstrip().startswith("#")
    ]
    assert any("npm install" in line for line in install_deps)
    assert not any("npm ci" in line for line in install_deps)


def test_strapi_image_generates_the_api_and_builds_the_admin(strapi: list[Stage]) -> None:
    build = strapi[0]
    runs = " ".join(build.all("RUN"))
    assert "scripts/sync-schemas.js" in runs
    assert re.search(r"strapi\.js build\b", runs)
    # sync-schemas.js reads ../../strapi-schemas from the app: keep that layout.
    workdir = PurePosixPath(build.last("WORKDIR") or "/")
    schemas = [dest for sources, dest in files.copy_sources(build) if "strapi-schemas" in sources]
    assert schemas == [str(workdir.parent.parent / "strapi-schemas")]
    assert "'..', '..', 'strapi-schemas'" in (STRAPI / "scripts" / "sync-schemas.js").read_text()


def test_strapi_image_context(strapi: list[Stage]) -> None:
    patterns = _ignore_file(STRAPI_IMAGE)
    for stage in strapi:
        for sources, _ in files.copy_sources(stage):
            for src in sources:
                assert (ROOT / src).exists(), f"COPY {src}: not in the repository"
                assert files.context_files([src], patterns), f"COPY {src}: excluded"
    # node_modules is a symlink into a cache: copied, it would replace the installed one.
    for path in [
        "deploy/strapi/node_modules",
        "deploy/strapi/.env",
        "deploy/strapi/build",
        "deploy/strapi/src/api/x/schema.json",
        ".venv/bin/python",
        "tests/x.py",
    ]:
        assert files.is_ignored(path, patterns), path
    for path in [
        "deploy/strapi/config/server.js",
        "deploy/strapi/src/multicam/bootstrap.js",
        "strapi-schemas/media-asset/schema.json",
        "deploy/strapi/public/robots.txt",
    ]:
        assert not files.is_ignored(path, patterns), path


def test_strapi_image_listens_beyond_the_container_and_checks_health(strapi: list[Stage]) -> None:
    final = strapi[-1]
    env = {
        word.partition("=")[0]: word.partition("=")[2]
        for args in final.all("ENV")
        for word in shlex.split(args)
    }
    assert env["HOST"] == "0.0.0.0"
    assert env["NODE_ENV"] == "production"
    assert set(env) - {"NODE_ENV", "npm_config_update_notifier"} <= files.strapi_names()
    command = _healthcheck_command(final)
    assert command[0] == "node" and "/_health" in command[-1]
    assert _json_array(final.last("CMD") or "null") == [
        "node",
        "node_modules/@strapi/strapi/bin/strapi.js",
        "start",
    ]
