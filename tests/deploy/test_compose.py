"""deploy/docker-compose.yml, deploy/.env.example and deploy/env/*.env.example, checked
without a Docker engine."""

from __future__ import annotations

import shlex
from typing import Any

import pytest

from tests.deploy import files
from tests.deploy.files import (
    CONTAINER_ENV_EXAMPLES,
    DEPLOY,
    ENV_EXAMPLE,
    ROOT,
    SERVE_ENV_EXAMPLE,
    SERVICE_ENV_EXAMPLE,
    STRAPI_ENV_EXAMPLE,
)
from worker.api.webhooks import SECRET_HEADER
from worker.cli import build_parser
from worker.commands.config import all_settings
from worker.settings import Settings

PYTHON_SERVICES = ("serve", "worker")
ALL_EXAMPLES = (ENV_EXAMPLE, *CONTAINER_ENV_EXAMPLES)
# Each container's own env files (examples committed as <file>.example).
ENV_FILES = {
    "strapi": ["env/strapi.env"],
    "serve": ["env/service.env", "env/serve.env"],
    "worker": ["env/service.env"],
    "postgres": [],
    "redis": [],
}
# Secrets and who may see them (#12 item 7).
STRAPI_SECRETS = {
    "APP_KEYS",
    "API_TOKEN_SALT",
    "ADMIN_JWT_SECRET",
    "JWT_SECRET",
    "TRANSFER_TOKEN_SALT",
    "ENCRYPTION_KEY",
    "DATABASE_PASSWORD",
    "DATABASE_URL",
    "MULTICAM_ADMIN_PASSWORD",
}
STORAGE_SECRETS = {"MULTICAM_S3_ACCESS_KEY_ID", "MULTICAM_S3_SECRET_ACCESS_KEY"}
SERVE_SECRETS = {
    "MULTICAM_API_TOKEN",
    "MULTICAM_API_TOKENS",
    "MULTICAM_MEDIA_URL_SECRET",
    "MULTICAM_WEBHOOK_SECRET",
    "MULTICAM_ADMIN_PANEL_TOKEN",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return files.compose()


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = compose["services"]
    return result


def test_the_stack_has_every_component(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == {"postgres", "redis", "strapi", "serve", "worker"}


def test_redis_persists_queued_jobs_with_aof(services: dict[str, dict[str, Any]]) -> None:
    redis = services["redis"]
    command = redis["command"]
    words = command if isinstance(command, list) else shlex.split(command)
    assert words[words.index("--appendonly") + 1] == "yes"
    assert "noeviction" in words, "an evicted job key is a lost job"
    assert any(str(v).endswith(":/data") for v in redis["volumes"]), "AOF must be on a volume"


def test_postgres_keeps_its_data_on_a_volume(services: dict[str, dict[str, Any]]) -> None:
    assert any(
        str(v).endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"]
    )


@pytest.mark.parametrize("name", PYTHON_SERVICES)
def test_python_services_run_a_multicam_subcommand(
    name: str, services: dict[str, dict[str, Any]]
) -> None:
    service = services[name]
    assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert service["command"] == [name]
    build_parser().parse_args(service["command"])  # exits on an unknown subcommand


def test_build_contexts_and_dockerfiles_exist(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if "build" not in service:
            continue
        context = (DEPLOY / service["build"]["context"]).resolve()
        assert context == ROOT, f"{name}: the build context is the repository root"
        assert (context / service["build"]["dockerfile"]).is_file(), name


def test_workers_scale_and_have_no_http_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    worker = services["worker"]
    assert "${WORKER_REPLICAS" in str(worker["deploy"]["replicas"])
    assert worker["healthcheck"] == {"disable": True}
    assert "container_name" not in worker, "a fixed name prevents scaling"


def test_healthchecks_and_start_order(services: dict[str, dict[str, Any]]) -> None:
    dockerfile_health = {
        "serve": files.dockerfile(DEPLOY / "Dockerfile")[-1].last("HEALTHCHECK"),
        "strapi": files.dockerfile(files.STRAPI / "Dockerfile")[-1].last("HEALTHCHECK"),
    }
    for name, service in services.items():
        has_check = "healthcheck" in service or dockerfile_health.get(name)
        assert has_check, f"{name} has no healthcheck"
        for dep, spec in (service.get("depends_on") or {}).items():
            assert dep in services, f"{name} depends on unknown {dep}"
            if spec.get("condition") == "service_healthy":
                assert "healthcheck" in services[dep] or dockerfile_health.get(dep), dep
    assert services["strapi"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in PYTHON_SERVICES:
        assert services[name]["depends_on"]["redis"]["condition"] == "service_healthy"


def test_python_services_read_their_env_files(services: dict[str, dict[str, Any]]) -> None:
    settings = files.setting_names()
    for name in PYTHON_SERVICES:
        service = services[name]
        env = files.service_environment(service)
        assert set(env) <= settings, f"{name}: not a setting: {set(env) - settings}"
        # Wired to the other containers by service name.
        assert "redis:6379" in env["MULTICAM_REDIS_URL"]
        assert "//strapi:1337" in env["MULTICAM_STRAPI_URL"]
        assert env["MULTICAM_STRAPI_TOKEN"].startswith("${MULTICAM_STRAPI_TOKEN:?")
    # Reachable from the other containers (through the port published on loopback).
    assert files.service_environment(services["serve"])["MULTICAM_HTTP_HOST"] == "0.0.0.0"


def test_each_container_has_its_own_env_files(services: dict[str, dict[str, Any]]) -> None:
    """deploy/.env fills ${...} in the compose file; no container gets it whole."""
    assert {name: files.env_files(s) for name, s in services.items()} == ENV_FILES
    for env_file in {f for names in ENV_FILES.values() for f in names}:
        assert files.example_of(env_file).is_file(), f"no example of {env_file}"
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert "deploy/.env" in ignored and "deploy/env/*.env" in ignored, (
        "the filled-in env files hold secrets: keep them out of git"
    )


@pytest.mark.parametrize(
    "name,forbidden",
    [
        ("serve", STRAPI_SECRETS),
        ("worker", STRAPI_SECRETS | SERVE_SECRETS),
        ("strapi", STORAGE_SECRETS),
        ("postgres", STORAGE_SECRETS | SERVE_SECRETS | (STRAPI_SECRETS - {"DATABASE_PASSWORD"})),
        ("redis", STORAGE_SECRETS | SERVE_SECRETS | STRAPI_SECRETS),
    ],
)
def test_a_container_sees_no_secret_it_does_not_need(
    name: str, forbidden: set[str], services: dict[str, dict[str, Any]]
) -> None:
    seen = files.container_names(services[name])
    assert seen & forbidden == set(), f"{name} is handed {sorted(seen & forbidden)}"


def test_the_secrets_reach_the_containers_that_need_them(
    services: dict[str, dict[str, Any]],
) -> None:
    seen = {name: files.container_names(s) for name, s in services.items()}
    assert seen["strapi"] >= STRAPI_SECRETS - {"DATABASE_URL"}
    assert seen["serve"] >= STORAGE_SECRETS and seen["worker"] >= STORAGE_SECRETS
    assert seen["serve"] >= SERVE_SECRETS
    assert "MULTICAM_STRAPI_TOKEN" in seen["serve"] and "MULTICAM_STRAPI_TOKEN" in seen["worker"]
    assert "POSTGRES_PASSWORD" in seen["postgres"]


def test_compose_settings_are_not_in_an_env_file_too(services: dict[str, dict[str, Any]]) -> None:
    """``environment:`` wins over env_file: a value set in both is silently ignored."""
    for name, service in services.items():
        given = set(files.service_environment(service))
        for env_file in files.env_files(service):
            both = given & files.env_file_names(files.example_of(env_file))
            assert not both, f"{name}: {sorted(both)} set by compose and in {env_file}"


def test_ports_are_published_on_loopback_only(services: dict[str, dict[str, Any]]) -> None:
    published = {name: s["ports"] for name, s in services.items() if s.get("ports")}
    assert set(published) == {"serve", "strapi"}
    for name, ports in published.items():
        for port in ports:
            assert isinstance(port, str) and port.startswith("127.0.0.1:"), (
                f"{name} publishes {port!r} on every interface"
            )


def test_strapi_is_wired_to_the_service(services: dict[str, dict[str, Any]]) -> None:
    strapi = services["strapi"]
    env = files.service_environment(strapi)
    assert set(env) <= files.strapi_names(), set(env) - files.strapi_names()
    assert env["MULTICAM_ADMIN_PANEL_TOKEN"].startswith("${MULTICAM_ADMIN_PANEL_TOKEN:?")
    assert env["MULTICAM_S3_ENDPOINT_URL"].startswith("${MULTICAM_S3_ENDPOINT_URL")
    assert env["HOST"] == "0.0.0.0"
    assert env["DATABASE_HOST"] == "postgres"
    # The service checks exactly this header, and Strapi must send that one.
    assert env["MULTICAM_WEBHOOK_SECRET_HEADER"] == SECRET_HEADER
    assert env["MULTICAM_WEBHOOK_SECRET"].startswith("${MULTICAM_WEBHOOK_SECRET")
    port = Settings.model_fields["http_port"].default
    assert (
        env["MULTICAM_WEBHOOK_URL"]
        == f"http://serve:${{MULTICAM_HTTP_PORT:-{port}}}/webhooks/strapi"
    )
    # Strapi's MULTICAM_API_TOKEN is the service's MULTICAM_STRAPI_TOKEN (the service's own
    # MULTICAM_API_TOKEN is another secret: its /v2 API token).
    assert env["MULTICAM_API_TOKEN"].startswith("${MULTICAM_STRAPI_TOKEN")
    postgres = files.service_environment(services["postgres"])
    for ours, theirs in [
        ("DATABASE_NAME", "POSTGRES_DB"),
        ("DATABASE_USERNAME", "POSTGRES_USER"),
        ("DATABASE_PASSWORD", "POSTGRES_PASSWORD"),
    ]:
        assert env[ours] == postgres[theirs], f"{ours} differs from the database's {theirs}"


def test_webhook_route_exists() -> None:
    from worker.api.webhooks import router

    assert "/webhooks/strapi" in {getattr(r, "path", None) for r in router.routes}


# Strapi variables that mean nothing inside the containers; deploy/.env.example only
# mentions them (in words), so nobody sets them expecting an effect.
NOT_FOR_CONTAINERS = {
    "DATABASE_FILENAME": "sqlite only; the image has PostgreSQL's driver",
    "ENV_PATH": "Strapi's .env location; the containers get real environment variables",
    "MULTICAM_SCHEMAS_DIR": "read when the image is built (schemas at their default path)",
    "MULTICAM_CACHE_DIR": "node_modules cache of deploy/strapi/run, not of the image",
}


def _named_anywhere() -> set[str]:
    named: set[str] = set()
    for example in ALL_EXAMPLES:
        named |= files.env_file_names(example)
    for service in files.compose()["services"].values():
        named |= set(files.service_environment(service))
    return named


def test_every_variable_the_code_reads_is_named() -> None:
    """Settings classes, Strapi's config and bootstrap code, Strapi's .env.example."""
    named = _named_anywhere()
    wanted = files.setting_names() | files.strapi_names()
    missing = sorted(wanted - named - set(NOT_FOR_CONTAINERS))
    assert not missing, f"add to deploy/env/*.env.example: {missing}"
    text = STRAPI_ENV_EXAMPLE.read_text()
    for name in NOT_FOR_CONTAINERS:
        assert name in text, f"deploy/env/strapi.env.example should say {name} is not used"
        assert name not in named, f"{name} does nothing in the containers"


def test_every_setting_reaches_serve_and_the_workers() -> None:
    services = files.compose()["services"]
    reachable = files.container_names(services["serve"]) | files.container_names(services["worker"])
    missing = sorted(files.setting_names() - reachable)
    assert not missing, (
        f"add to deploy/env/service.env.example (see `multicam config env`): {missing}"
    )


def test_every_interpolated_variable_is_in_the_env_example() -> None:
    missing = sorted(files.interpolated_names() - files.env_file_names(ENV_EXAMPLE))
    assert not missing, f"docker-compose.yml reads these; add to deploy/.env.example: {missing}"


def test_env_examples_name_only_what_their_reader_reads() -> None:
    readers = {
        ENV_EXAMPLE: ("docker-compose.yml", files.interpolated_names()),
        STRAPI_ENV_EXAMPLE: ("Strapi", files.strapi_names()),
        SERVICE_ENV_EXAMPLE: ("serve and worker", files.setting_names()),
        SERVE_ENV_EXAMPLE: ("serve", files.setting_names()),
    }
    for example, (reader, known) in readers.items():
        unknown = sorted(files.env_file_names(example) - known)
        assert not unknown, f"{example.name} sets variables {reader} does not read: {unknown}"


def test_each_variable_is_set_once_across_the_env_files() -> None:
    names = [name for example in ALL_EXAMPLES for name, _ in files.active_assignments(example)]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


def _effective_defaults() -> dict[str, str]:
    """Each setting's default in the containers: compose, else the image, else the code."""
    defaults = {s.env: s.default for s in all_settings()}
    image = files.dockerfile(DEPLOY / "Dockerfile")[-1]
    for env in image.all("ENV"):
        for word in shlex.split(env):
            name, _, value = word.partition("=")
            if name in defaults:
                defaults[name] = value
    for name in PYTHON_SERVICES:
        service = files.compose()["services"][name]
        for key, value in files.service_environment(service).items():
            defaults[key] = files.interpolation_default(value)
    return defaults


def test_commented_settings_show_the_default_in_the_containers() -> None:
    defaults = _effective_defaults()
    for example in ALL_EXAMPLES:
        wrong = {
            name: (value, defaults[name])
            for name, value in files.commented_defaults(example).items()
            if name in defaults and value != defaults[name]
        }
        assert not wrong, f"{example.name} shows stale defaults (shown, actual): {wrong}"


@pytest.mark.parametrize(
    "example,names",
    [
        (
            ENV_EXAMPLE,
            [
                "MULTICAM_STRAPI_TOKEN",
                "MULTICAM_WEBHOOK_SECRET",
                "MULTICAM_ADMIN_PANEL_TOKEN",
                "DATABASE_PASSWORD",
            ],
        ),
        (
            STRAPI_ENV_EXAMPLE,
            [
                "APP_KEYS",
                "API_TOKEN_SALT",
                "ADMIN_JWT_SECRET",
                "JWT_SECRET",
                "TRANSFER_TOKEN_SALT",
                "ENCRYPTION_KEY",
                "MULTICAM_ADMIN_PASSWORD",
            ],
        ),
        (SERVE_ENV_EXAMPLE, ["MULTICAM_API_TOKEN"]),
    ],
    ids=lambda v: v.name if hasattr(v, "name") else "",
)
def test_required_secrets_are_placeholders_in_the_example(example: Any, names: list[str]) -> None:
    active = dict(files.active_assignments(example))
    for name in names:
        assert "change-me" in active[name], name


def test_interpolation_defaults_agree_with_the_example() -> None:
    """``${NAME:-x}`` in the compose file and ``NAME=`` in the example say the same."""
    text = files.compose_text()
    example = dict(files.active_assignments(ENV_EXAMPLE)) | files.commented_defaults(ENV_EXAMPLE)
    for name, op, default in files.interpolations(text):
        if op == ":-" and name in example:
            assert example[name] == default, f"{name}: compose {default!r}, {example[name]!r}"
