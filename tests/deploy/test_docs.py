"""docs/architecture.md, docs/deployment.md and docs/configuration.md match the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from strapi_client.transport import RetryPolicy
from tests.deploy import files
from tests.deploy.files import ROOT
from worker.ingest.config import IngestSettings
from worker.jobs.arq_workers import build_workers
from worker.settings import Settings
from worker.storage.settings import StorageSettings

DOCS = [ROOT / "docs" / name for name in ("architecture.md", "deployment.md", "configuration.md")]
# Files the docs tell the reader to create.
USER_FILES = {
    "deploy/.env",
    "deploy/env/strapi.env",
    "deploy/env/service.env",
    "deploy/env/serve.env",
    "deploy/redis-shared.yml",
}
REPO_PATH = re.compile(
    r"`((?:deploy|worker|docs|tests|strapi-schemas|strapi_client|benchmarks)"
    r"/[^`\s<>*]*)`"
)


def _slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(m) for m in re.findall(r"^#+ (.+)$", path.read_text(), re.M)}


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_links_and_paths_exist(doc: Path) -> None:
    text = doc.read_text()
    for target, anchor in re.findall(r"\]\(([^)#:\s]+\.md)(?:#([^)]+))?\)", text):
        linked = doc.parent / target
        assert linked.is_file(), f"{doc.name}: link to missing {target}"
        if anchor:
            assert anchor in _anchors(linked), f"{doc.name}: no #{anchor} in {target}"
    for path in REPO_PATH.findall(text):
        if path.rstrip("/") in USER_FILES:
            continue
        assert (ROOT / path).exists(), f"{doc.name}: `{path}` does not exist"


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_variables_named_in_docs_exist(doc: Path) -> None:
    known = files.setting_names() | files.strapi_names() | files.interpolated_names()
    named = set(
        re.findall(r"\b((?:MULTICAM|DATABASE|STRAPI)_[A-Z0-9_]*[A-Z0-9])\b", doc.read_text())
    )
    assert named - known == set(), f"{doc.name} names variables nothing reads"


def test_architecture_figures_are_the_code_defaults() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text()
    s = Settings.model_fields
    assert s["reconcile_interval_s"].default == 60 and "(60 s by default)" in text
    assert s["stale_job_s"].default == 30 * 60 and "(30 min)" in text
    assert s["ingest_timeout_s"].default == 4 * 3600 and ": 4 h)" in text
    backoff = s["retry_backoff_s"].default
    tries = s["max_tries"].default
    delays = ", ".join(f"{backoff * 2**i:g}" for i in range(tries - 1))
    assert f"({delays} s)" in text
    policy = RetryPolicy()
    assert (
        f"({policy.attempts} attempts, {policy.initial_wait:g}–{policy.max_wait:g} s apart)" in text
    )


def test_architecture_names_the_worker_functions_and_crash_timeout() -> None:
    """The crash story relies on arq's in-progress marker: the longest timeout + 10 s."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    settings = Settings()
    workers = build_workers(settings, StorageSettings(), IngestSettings())
    assert [w.queue_name for w in workers] == [settings.queue_name, f"{settings.queue_name}:video"]
    main, video = workers
    assert (
        main.in_progress_timeout_s == max(settings.ingest_timeout_s, settings.sync_timeout_s) + 10
    )
    assert video.in_progress_timeout_s == settings.ingest_timeout_s + 10
    for worker in workers:
        assert worker.retry_jobs, "a cancelled job is put back in the queue"
        for name in worker.functions:
            assert f"`{name}`" in text, f"architecture.md does not mention `{name}`"
