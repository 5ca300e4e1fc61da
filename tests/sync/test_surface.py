"""#26: the engine's face (worker/sync/__init__.py) and an import graph with no cycle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import worker.sync as engine

SYNC = Path(engine.__file__).parent


def test_every_public_name_resolves_to_its_home() -> None:
    for name in engine.__all__:
        value = getattr(engine, name)
        home = f"worker.sync.{engine._HOME[name]}"
        assert getattr(sys.modules[home], name) is value


def test_the_small_modules_load_without_the_engine() -> None:
    """The API reads the verdict rule; it must not pull in the decoders and the DSP."""
    code = (
        "import sys, worker.sync as s; s.Verdict; s.ENGINE_VERSION; "
        "print('worker.sync.engine' in sys.modules, 'av' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def _imports(path: Path) -> set[str]:
    """worker.sync modules a module imports anywhere (type-checking imports too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("worker.sync."):
            found.add(node.module.split(".")[2])  # type: ignore[union-attr]
    return found


def test_the_engine_modules_import_each_other_without_a_cycle() -> None:
    graph = {p.stem: _imports(p) for p in SYNC.glob("*.py") if p.stem != "__init__"}
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"import cycle: {' -> '.join((*path, node))}"
        if node in done:
            return
        for nxt in graph.get(node, ()):
            visit(nxt, (*path, node))
        done.add(node)

    for module in graph:
        visit(module, ())
