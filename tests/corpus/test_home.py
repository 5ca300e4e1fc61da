"""The example generator lives in the installed package (worker.examples): the demo and
the benchmarks depend on it, not on tests/, and tests.corpus is the same modules."""

from __future__ import annotations

import subprocess
import sys

import tests.corpus
import worker.examples


def test_the_demo_entry_point_needs_nothing_from_tests() -> None:
    probe = (
        "import sys, worker.examples.demo\n"
        "print(sorted(m for m in sys.modules if m == 'tests' or m.startswith('tests.')))"
    )
    # -I: no script directory or cwd on sys.path, so a stray import of tests.* would fail.
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"
    usage = subprocess.run(
        [sys.executable, "-m", "worker.examples"], capture_output=True, text=True, timeout=120
    )
    assert usage.returncode == 2
    assert usage.stderr.strip() == "python -m worker.examples OUT_DIR"


def test_tests_corpus_is_the_package_not_a_copy() -> None:
    from tests.corpus import cases, channel, containers, render, room, sources

    for module in (cases, channel, containers, render, room, sources):
        name = module.__name__.rsplit(".", 1)[1]
        assert module is getattr(worker.examples, name)
        assert sys.modules[f"tests.corpus.{name}"] is module
    assert tests.corpus.build_case is worker.examples.build_case
    assert tests.corpus.__all__ == worker.examples.__all__
