"""The fault table: an operator's bad day, one fault at a time, on the whole stack.

    .venv/bin/python -m benchmarks.faults                 # every row
    .venv/bin/python -m benchmarks.faults --only kill     # rows whose name contains "kill"
    .venv/bin/python -m benchmarks.faults --list          # the rows, without running them

Real parts: a Strapi 5 on a fresh PostgreSQL database, a private Redis, moto's S3
server on loopback, ``multicam serve`` and ``multicam worker`` as processes (the
stack of the end-to-end tests). Each row (tests/support/fault_rows.py) starts its
sessions, injects its fault, waits for the stack to recover and checks what the
operator sees in Strapi; the audit (tests/support/fault_audit.py) then reads every
entry and object of those sessions and counts what was lost, duplicated or
orphaned. Printed per row: sessions run, sessions ending correct, lost, duplicated,
orphaned, the time from the fault's end to the sessions' end state, and a note.
The same rows run as tests in tests/pipeline/test_faults.py. Exit status 1 if any
row is not clean.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

from strapi_client.client import StrapiClient
from tests.support.fault_rows import FAULTS, Fault, Row, Run, run_row
from tests.support.stack import media_cache, running_stack

HEADER = (
    "| fault | sessions | correct | lost | duplicated | orphaned | recovered in | note |\n"
    "|---|---|---|---|---|---|---|---|"
)


def format_row(row: Row) -> str:
    a = row.audit
    recovered = "—" if row.recover_s is None else f"{row.recover_s:.1f} s"
    note = f"FAIL: {row.error}" if row.error else row.note
    if not row.error and not row.clean:
        note = "NOT CLEAN: " + "; ".join(a.lost + a.duplicated + a.orphaned + a.wrong)[:200]
    return (
        f"| {row.fault} | {a.sessions} | {a.correct} | {len(a.lost)} | "
        f"{len(a.duplicated)} | {len(a.orphaned)} | {recovered} | {note} |"
    )


async def run_table(faults: list[Fault]) -> list[Row]:
    rows = []
    with running_stack() as stack, tempfile.TemporaryDirectory(prefix="faults-") as tmp:
        async with StrapiClient(stack.strapi.base_url, stack.strapi.api_token) as strapi:
            for n, fault in enumerate(faults, 1):
                scratch = Path(tmp) / f"row-{n}"
                scratch.mkdir()
                began = time.monotonic()
                row = await run_row(fault, Run(stack, strapi, media_cache(), scratch))
                print(
                    f"[faults] {n}/{len(faults)} {fault.name}: "
                    f"{'clean' if row.clean else 'NOT CLEAN'} "
                    f"({time.monotonic() - began:.0f} s)",
                    file=sys.stderr,
                    flush=True,
                )
                rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.faults", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--only", default="", help="run only rows whose name contains this")
    parser.add_argument("--list", action="store_true", help="print the rows and stop")
    args = parser.parse_args(argv)
    faults = [f for f in FAULTS if args.only.lower() in f.name.lower()]
    if args.list:
        print("\n".join(f.name for f in faults))
        return 0
    if not faults:
        parser.error(f"no row matches {args.only!r}")
    began = time.monotonic()
    rows = asyncio.run(run_table(faults))
    print(HEADER)
    for row in rows:
        print(format_row(row))
    total_lost = sum(len(r.audit.lost) for r in rows)
    total_dup = sum(len(r.audit.duplicated) for r in rows)
    clean = sum(r.clean for r in rows)
    print(
        f"\n{clean}/{len(rows)} rows clean; {total_lost} lost, {total_dup} duplicated; "
        f"{time.monotonic() - began:.0f} s in all"
    )
    return 0 if clean == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
