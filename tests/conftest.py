"""How the suite splits over pytest-xdist's workers (tests/run: ``-n 2 --dist loadgroup``).

Each group runs whole on one worker, so a session-scoped stack (a Strapi, a Redis, an
S3 server, the service and its workers) starts once per group that needs it, never
twice for the same tests. The groups are the test folders, except the fault table,
which is the longest group and gets its own (its own pipeline stack beside the other
pipeline tests'). They are handed out in ``GROUP_ORDER``: xdist gives each worker two
groups at first and the next one whenever it finishes one, so the longest come first
with a short one between them (the first worker takes the faults and ``deploy``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FAULTS_GROUP = "pipeline-faults"
GROUP_ORDER = (
    FAULTS_GROUP,
    "api",
    "deploy",
    "browser",
    "pipeline",
    "strapi",
    "sync",
    "corpus",
    "ingest",
    "handoff",
    "storage",
    "top",
)


def group_of(nodeid: str) -> str:
    """The xdist group of a test, from its node id (``tests/<folder>/test_x.py::...``)."""
    path = nodeid.split("::", 1)[0]
    if path == "tests/pipeline/test_faults.py":
        return FAULTS_GROUP
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else "top"


def _rank(item: pytest.Item) -> int:
    group = group_of(item.nodeid)
    return GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.xdist_group(name=group_of(item.nodeid)))
    items.sort(key=_rank)  # stable: each group keeps its own order


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """Where generated corpus media is cached between runs (outside the checkout, by
    content hash: see tests/corpus and worker/examples)."""
    default = Path.home() / ".cache" / "multicam" / "corpus"
    root = Path(os.environ.get("MULTICAM_CORPUS_CACHE", default))
    root.mkdir(parents=True, exist_ok=True)
    return root
