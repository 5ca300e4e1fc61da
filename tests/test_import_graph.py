"""#26: worker/ and strapi_client/ import each other without a cycle.

Counted are the imports Python runs when a module loads: module level, inside ``if``
and ``try`` too, but not ``if TYPE_CHECKING`` blocks nor imports inside functions (a
deferred import is how a module reaches a heavy or a higher layer on first use).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("worker", "strapi_client")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _absolute(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def _loaded_imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    out: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                visit(node.orelse)
            elif isinstance(node, ast.Import):
                out.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(module, path, node)
                submodules = {f"{base}.{a.name}" for a in node.names} & known.keys()
                out.update(submodules)
                if len(submodules) < len(node.names):
                    out.add(base)
            elif isinstance(node, ast.If):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                visit(node.body)
                visit(node.orelse)
                visit(node.finalbody)
                for handler in node.handlers:
                    visit(handler.body)

    visit(ast.parse(path.read_text()).body)
    return {m for m in out if m in known and m != module}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (module -> what it loads), or None."""
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node) :], node]
        if node in done:
            return None
        for nxt in sorted(graph.get(node, ())):
            found = visit(nxt, (*path, node))
            if found:
                return found
        done.add(node)
        return None

    for module in sorted(graph):
        found = visit(module, ())
        if found:
            return found
    return None


def test_no_import_cycle() -> None:
    known = _modules()
    assert {"worker.api.errors", "worker.jobs.session_sync", "strapi_client.client"} <= set(known)
    cycle = _cycle({m: _loaded_imports(m, p, known) for m, p in known.items()})
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_check_sees_a_cycle(tmp_path: Path) -> None:
    """The walk above finds a loop through relative and absolute imports alike."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("from . import b\n")
    (tmp_path / "pkg" / "b.py").write_text("import pkg.a\n")
    known = {
        "pkg": tmp_path / "pkg" / "__init__.py",
        "pkg.a": tmp_path / "pkg" / "a.py",
        "pkg.b": tmp_path / "pkg" / "b.py",
    }
    assert _loaded_imports("pkg.a", known["pkg.a"], known) == {"pkg.b"}
    assert _loaded_imports("pkg.b", known["pkg.b"], known) == {"pkg.a"}
    graph = {m: _loaded_imports(m, p, known) for m, p in known.items()}
    assert _cycle(graph) == ["pkg.a", "pkg.b", "pkg.a"]
    (tmp_path / "pkg" / "b.py").write_text("if TYPE_CHECKING:\n    import pkg.a\n")
    assert _cycle({m: _loaded_imports(m, p, known) for m, p in known.items()}) is None
