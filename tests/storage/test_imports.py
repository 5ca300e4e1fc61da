"""Importing the storage package or its pure modules must not load the S3 client.

``worker.storage`` exports ``open_store`` lazily: only the factory (and the S3
backend it opens) import aioboto3. Each check runs in a fresh interpreter, since
this one has long loaded everything.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("aioboto3", "aiobotocore", "botocore", "boto3")


def _loaded_after(statement: str) -> set[str]:
    probe = (
        f"import sys\n{statement}\n"
        "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(result.stdout.split())


@pytest.mark.parametrize(
    "statement",
    [
        "import worker.storage",
        "import worker.storage.hashing",
        "import worker.storage.keys",
        "from worker.storage import ObjectKind, object_key, parse_object_key, plan_parts",
        "import worker.commands.upload",
    ],
)
def test_cheap_imports_leave_the_s3_client_unloaded(statement: str) -> None:
    assert not _loaded_after(statement) & set(HEAVY)


def test_open_store_is_still_exported_and_loads_the_backend_on_use() -> None:
    loaded = _loaded_after(
        "from worker.storage import open_store\n"
        "from worker.storage.factory import open_store as real\n"
        "assert open_store is real"
    )
    assert "aioboto3" in loaded
