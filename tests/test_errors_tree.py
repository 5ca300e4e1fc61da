"""#26: every exception the service defines is in the one tree of worker/errors.py.

Storage's branch lives beside the storage backends (worker/storage/errors.py, still
under MulticamError); private control flow that never leaves its module
(``parallel._Aborted``) is no error of the service; the API's error response is not
an exception of the work (worker/api/errors.py); the Strapi client has its own
small tree.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import worker.errors as errors

ROOT = Path(__file__).resolve().parents[1] / "worker"
ELSEWHERE = {"worker/storage/errors.py", "worker/api/errors.py"}


def _exception_classes(path: Path) -> list[str]:
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ClassDef):
            bases = {
                b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases
            }
            # A private class is control flow that never leaves its module.
            public = not node.name.startswith("_")
            named = any(b.endswith(("Error", "Exception")) or b in errors.__all__ for b in bases)
            if public and named:
                out.append(node.name)
    return out


def test_no_exception_is_defined_outside_the_tree() -> None:
    found = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT.parent).as_posix()
        if rel == "worker/errors.py" or rel in ELSEWHERE:
            continue
        names = _exception_classes(path)
        if names:
            found[rel] = names
    assert found == {}


def test_every_exception_of_the_tree_is_a_multicam_error_and_exported() -> None:
    classes = [
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, BaseException) and obj.__module__ == errors.__name__
    ]
    assert {c.__name__ for c in classes} == set(errors.__all__)
    assert all(issubclass(c, errors.MulticamError) for c in classes)
    # The docstring draws every one of them.
    assert all(c.__name__ in (errors.__doc__ or "") for c in classes)
