"""A long camera's proxy in segments through the whole stack: any worker takes any
segment, a crash loses one segment's work, and the joined proxy is the one-pass proxy."""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from pathlib import Path

import av
import pytest

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, DerivedKind, SessionState
from strapi_client.models import MediaAssetInput, RecordingSessionInput
from tests.corpus import cases as corpus
from tests.pipeline.conftest import (
    Stack,
    eventually,
    fully_ingested,
    replaced_worker,
    session_case,
    upload_original,
)
from tests.support.fault_rows import poisoned_worker
from worker.ingest.config import IngestSettings
from worker.ingest.derive import derive_all
from worker.ingest.probe import probe
from worker.storage.keys import RETENTION_PREFIXES, ObjectKind

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(900)]
DAY = dt.date(2026, 12, 8)
SEGMENT_S = 8  # camera A is 40 s: five segments


def _segment_objects(stack: Stack, project: str) -> list[str]:
    prefix = RETENTION_PREFIXES[ObjectKind.PROXY_SEGMENT] + f"projects/{project}/"
    listed = stack.s3.client().list_objects_v2(Bucket=stack.s3.bucket, Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", [])]


def _frames(path: Path) -> list[tuple[float, bool]]:
    with av.open(str(path)) as c:
        tb = c.streams.video[0].time_base
        assert tb is not None
        return [(float(f.pts * tb), f.key_frame) for f in c.decode(video=0) if f.pts is not None]


async def test_segments_survive_a_crash_and_join_into_the_one_pass_proxy(
    stack: Stack, strapi: StrapiClient, media_dir: Path, tmp_path: Path
) -> None:
    built = corpus.build_case(session_case("pipeline-golden", 501), media_dir)
    source = built.paths["A"]
    project = f"seg-{secrets.token_hex(3)}"
    session = await strapi.sessions.create(
        RecordingSessionInput(
            title="segments", date=DAY, project_id=project, state=SessionState.DRAFT
        )
    )
    gate = tmp_path / "gate"
    segmented = {"MULTICAM_INGEST_PROXY_SEGMENT_S": str(SEGMENT_S)}
    held_env = {"MULTICAM_TEST_HOLD": "segment", "MULTICAM_TEST_GATE": str(gate), **segmented}
    # The only worker at first: it plans five segments, encodes one, and is killed
    # during the second.
    with poisoned_worker(stack, "hold", held_env) as held:
        url = await upload_original(stack, project, DAY, "A", source)
        asset = await strapi.upsert_asset(
            session.document_id,
            "A",
            MediaAssetInput(
                original_filename="camA.mp4", original_url=url, state=AssetState.INGESTING
            ),
        )

        async def waiting() -> bool:
            return gate.with_suffix(".waiting").exists()

        await eventually(waiting, timeout=300, what="the second segment to start", stack=stack)
        assert len([k for k in _segment_objects(stack, project) if k.endswith(".json")]) == 1
        held.kill()
    # Another worker finishes: the killed segment is released by reconcile and runs
    # again; the one done before is not redone.
    with replaced_worker(stack, "worker-segments", env=segmented) as takeover:
        final = await eventually(
            lambda: fully_ingested(strapi, asset.document_id),
            timeout=400,
            what="the proxy joined after the crash",
            stack=stack,
        )
        log = takeover.log_path.read_text(errors="replace")
    assert log.count('"proxy_segment_done"') == 4
    assert '"dead_job_released"' in log
    assert log.count('"video_done"') == 1 and '"segments": 5' in log
    kinds = {d.kind for d in final.derivatives or []}
    assert {DerivedKind.PROXY, DerivedKind.THUMBNAIL} <= kinds
    assert _segment_objects(stack, project) == []  # the join removed its scratch
    proxy = next(d for d in final.derivatives or [] if d.kind is DerivedKind.PROXY)
    assert proxy.storage_key is not None
    joined = tmp_path / "joined.mp4"
    joined.write_bytes(stack.object_bytes(proxy.storage_key))
    one_pass = derive_all(
        source, tmp_path / "one-pass", probe(source), IngestSettings(), kinds=["proxy"]
    )[0].path
    got, want = _frames(joined), _frames(one_pass)
    assert len(got) == len(want)
    assert [t for t, _ in got] == pytest.approx([t for t, _ in want], abs=1e-6)
    keys = [i for i, (_, key) in enumerate(got) if key]
    assert keys == [i for i, (_, key) in enumerate(want) if key]
    assert all(b - a == IngestSettings().proxy_gop for a, b in itertools.pairwise(keys))
