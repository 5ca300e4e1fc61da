"""Each row of the fault table (benchmarks/faults.py) as a test: the fault is injected
into the whole stack, and the sessions it touched end correct with nothing lost,
duplicated or orphaned, and every failure said in Strapi."""

from __future__ import annotations

from pathlib import Path

import pytest

from strapi_client.client import StrapiClient
from tests.support.fault_rows import FAULTS, Fault, Run, run_row
from tests.support.stack import Stack

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(1200)]
# Strapi away this long in the outage row (the benchmark's table: 60 s); well over the
# worker's Strapi client retries (about 4 s against a refused connection).
TEST_OUTAGE_S = 20.0


@pytest.mark.parametrize("fault", FAULTS, ids=[f.run.__name__ for f in FAULTS])
async def test_fault(
    fault: Fault, stack: Stack, strapi: StrapiClient, media_dir: Path, tmp_path: Path
) -> None:
    row = await run_row(
        fault, Run(stack, strapi, media_dir, tmp_path, outage_s=TEST_OUTAGE_S), catch=False
    )
    audit = row.audit
    assert not audit.lost, audit.lost
    assert not audit.duplicated, audit.duplicated
    assert not audit.orphaned, audit.orphaned
    assert audit.correct == audit.sessions, audit.wrong
