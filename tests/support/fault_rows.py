"""The fault table's rows: an operator's bad day, one fault at a time, on the whole stack.

Each row starts sessions on a running stack (tests/support/stack.py), injects its
fault (a killed worker, Strapi or Redis away, a full work dir, hostile bodies, a
file that crashes every job…), waits until the stack has recovered, checks what the
operator sees in Strapi, and hands its sessions to ``fault_audit`` for the counts.
``benchmarks/faults.py`` prints the rows as a table; ``tests/pipeline/test_faults.py``
runs each row as a test. A row that cannot reach its end raises (AssertionError):
the test fails and the table says FAIL.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import secrets
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import redis.asyncio as aioredis
from arq.constants import in_progress_key_prefix

from strapi_client.client import StrapiClient
from strapi_client.enums import AssetState, OperatorStatus, SessionState, VideoState
from strapi_client.models import MediaAssetInput, RecordingSession, RecordingSessionInput
from tests.corpus import cases as corpus
from tests.support.fault_audit import Audit, Expect, audit_session
from tests.support.jumpy_audio import write_jumpy_audio
from tests.support.services import Proc
from tests.support.stack import (
    API_TOKEN,
    Stack,
    eventually,
    fully_ingested,
    post_webhook,
    replaced_worker,
    session_case,
    upload_original,
)
from worker.jobs.attempts import NEVER_FINISHED
from worker.queue import ingest_job_id, review_clips_job_prefix
from worker.redis_keys import attempts_key

DAY = dt.date(2026, 11, 20)
POISON = Path(__file__).with_name("poison")
STRAPI_DOWN_S = 60.0
HOSTILE_BODY_BYTES = 5 * 2**20


@dataclass
class Run:
    """What a row works with."""

    stack: Stack
    strapi: StrapiClient
    media: Path  # generated cameras, cached by content
    scratch: Path  # this row's own temporary folder
    # How long the outage rows keep Strapi away: the benchmark's table says 60 s; the
    # tests take less (longer than the worker's client retries, so jobs meet it).
    outage_s: float = STRAPI_DOWN_S

    @property
    def case(self) -> corpus.BuiltCase:
        return corpus.build_case(session_case("pipeline-golden", 501), self.media)


@dataclass
class Outcome:
    """What a row ran: its sessions and how long the stack took to recover."""

    expects: list[Expect] = field(default_factory=list)
    recover_s: float | None = None  # from the fault's end to every session's end state
    note: str = ""


@dataclass(frozen=True)
class Fault:
    name: str
    run: Callable[[Run], Awaitable[Outcome]]


@dataclass
class Row:
    fault: str
    audit: Audit
    recover_s: float | None
    note: str
    error: str | None = None

    @property
    def clean(self) -> bool:
        a = self.audit
        return (
            self.error is None
            and a.correct == a.sessions
            and not a.lost
            and not a.duplicated
            and not a.orphaned
        )


async def run_row(fault: Fault, run: Run, *, catch: bool = True) -> Row:
    """Run one fault and audit its sessions once every track has come to rest.

    :param catch: a row that fails (an assertion, or an error of the harness) becomes a
        FAIL row, so the table goes on; the tests pass False to see the traceback.
    """
    try:
        outcome = await fault.run(run)
        audit = Audit()
        for expect in outcome.expects:
            await eventually(
                lambda e=expect: _at_rest(run, e.session_id),
                timeout=400,
                what="every track of the session to come to rest",
                stack=run.stack,
                interval=1,
            )
            audit.add(
                await audit_session(run.strapi, run.stack.s3.client(), run.stack.s3.bucket, expect)
            )
    except Exception as exc:
        if not catch:
            raise
        first = (str(exc).splitlines() or [""])[0]
        return Row(fault.name, Audit(), None, "", error=f"{type(exc).__name__}: {first}")
    return Row(fault.name, audit, outcome.recover_s, outcome.note)


# ---------------------------------------------------------------- shared steps


async def _at_rest(run: Run, session_id: str) -> bool:
    """No job has anything left to do on this session (so the audit sees an end state)."""
    s = await run.strapi.get_session(session_id)
    if s.state not in (SessionState.NEEDS_REVIEW, SessionState.READY):
        return False
    for a in s.assets or []:
        if a.state not in (AssetState.READY, AssetState.FAILED):
            return False
        if a.state is AssetState.READY and a.video_state not in (
            VideoState.READY,
            VideoState.FAILED,
        ):
            return False
    # A cut that started before the proxy was ready uploads its clips before it
    # records them; the bucket holds objects no entry lists until it has.
    async with _redis(run.stack) as r:
        for a in s.assets or []:
            running = in_progress_key_prefix + review_clips_job_prefix(a.document_id)
            if await r.keys(f"{running}*"):
                return False
    return True


async def new_session(strapi: StrapiClient, tag: str) -> RecordingSession:
    return await strapi.sessions.create(
        RecordingSessionInput(
            title=f"fault: {tag}",
            date=DAY,
            project_id=f"{tag}-{secrets.token_hex(3)}",
            state=SessionState.DRAFT,
        )
    )


async def add_camera(
    run: Run,
    session: RecordingSession,
    label: str,
    path: Path,
    *,
    state: AssetState = AssetState.INGESTING,
    version: int = 1,
) -> str:
    """Put the original in the bucket and point the camera's asset at it."""
    url = await upload_original(run.stack, session.project_id, DAY, label, path, version=version)
    asset = await run.strapi.upsert_asset(
        session.document_id,
        label,
        MediaAssetInput(
            original_filename=f"cam{label}{path.suffix}",
            original_url=url,
            state=state,
            progress_pct=None,
        ),
    )
    return asset.document_id


async def add_cameras(run: Run, session: RecordingSession, labels: str = "AB") -> list[str]:
    case = run.case
    return [await add_camera(run, session, label, case.paths[label]) for label in labels]


async def synced(run: Run, session_id: str, labels: str = "AB") -> RecordingSession:
    """Wait until the session has a result with an offset for every one of ``labels``."""

    async def done() -> RecordingSession | None:
        s = await run.strapi.get_session(session_id)
        r = s.sync_result
        ok = (
            s.state in (SessionState.NEEDS_REVIEW, SessionState.READY)
            and r is not None
            and set(labels) <= set(r.offsets_ms or {})
        )
        return s if ok else None

    return await eventually(
        done, timeout=600, what=f"session {session_id} synced", stack=run.stack, interval=1
    )


def expect_synced(session: RecordingSession, run: Run, labels: str = "AB") -> Expect:
    return Expect(session.document_id, run.case, tuple(labels))


async def _recovered(
    run: Run, session: RecordingSession, since: float, labels: str = "AB"
) -> Outcome:
    await synced(run, session.document_id, labels)
    return Outcome([expect_synced(session, run, labels)], time.monotonic() - since)


@contextlib.asynccontextmanager
async def _redis(stack: Stack) -> AsyncIterator[aioredis.Redis]:
    r = aioredis.from_url(stack.redis.url)
    try:
        yield r
    finally:
        await r.aclose()


async def _job_running(run: Run, pattern: str) -> None:
    async with _redis(run.stack) as r:

        async def running() -> Any:
            return await r.keys(f"arq:in-progress:{pattern}")

        await eventually(
            running, timeout=120, what=f"a job {pattern} to start", stack=run.stack, interval=0.05
        )


@contextlib.contextmanager
def poisoned_worker(
    stack: Stack, poison: str, extra: Mapping[str, str] | None = None
) -> Iterator[Proc]:
    """The stack's worker replaced by one whose jobs meet ``poison`` (see poison/)."""
    with replaced_worker(
        stack,
        f"worker-{poison}-{secrets.token_hex(2)}",
        env={"PYTHONPATH": str(POISON), "MULTICAM_TEST_POISON": poison, **(extra or {})},
    ) as w:
        yield w


async def _at_gate(run: Run, gate: Path) -> None:
    async def waiting() -> bool:
        return gate.with_suffix(".waiting").exists()

    await eventually(
        waiting,
        timeout=300,
        what=f"a job to reach the gate {gate.name}",
        stack=run.stack,
        interval=0.05,
    )


def _log_count(proc: Proc, event: str) -> int:
    return proc.log_path.read_text(errors="replace").count(f'"{event}"')


# ---------------------------------------------------------------- rows: delivery


async def same_webhook_three_times(run: Run) -> Outcome:
    session = await new_session(run.strapi, "dup")
    case = run.case
    answers = []
    for label in "AB":
        # Created "uploading" so Strapi's own webhook does not start it: ours does.
        asset_id = await add_camera(
            run, session, label, case.paths[label], state=AssetState.UPLOADING
        )
        asset = await run.strapi.assets.get(asset_id)
        event = json.dumps(
            {
                "event": "entry.update",
                "model": "media-asset",
                "uid": "api::media-asset.media-asset",
                "createdAt": "2026-11-20T10:00:00.000Z",
                "entry": {
                    "id": asset.id,
                    "documentId": asset_id,
                    "cameraLabel": label,
                    "state": "ingesting",
                    "originalUrl": asset.original_url,
                },
            }
        ).encode()
        answers.append([post_webhook(run.stack, event, run.stack.secret).json() for _ in range(3)])
    for three in answers:
        job_ids = {j["job_id"] for a in three for j in a["jobs"]}
        assert len(job_ids) == 1, three
        assert sum(j["enqueued"] for a in three for j in a["jobs"]) <= 1, three
    await synced(run, session.document_id)
    return Outcome([expect_synced(session, run)], note="one job per camera")


async def lost_webhook(run: Run) -> Outcome:
    run.stack.procs.service.stop()  # Strapi's webhooks for these writes are lost for good
    try:
        session = await new_session(run.strapi, "lost")
        await add_cameras(run, session)
    finally:
        run.stack.procs.start_service()
    return await _recovered(run, session, time.monotonic())


async def redis_restart(run: Run) -> Outcome:
    run.stack.procs.worker.stop()  # nothing runs the jobs while Redis restarts
    try:
        session = await new_session(run.strapi, "redis")
        await add_cameras(run, session)
        run.stack.redis.restart()
    finally:
        run.stack.procs.worker.start()
    return await _recovered(run, session, time.monotonic())


# ---------------------------------------------------------------- rows: crashes


async def kill_during_ingest(run: Run) -> Outcome:
    session = await new_session(run.strapi, "kill-ingest")
    case = run.case
    # One camera at a time: the kill must find its ingest running, not done.
    first = await add_camera(run, session, "A", case.paths["A"])
    await _job_running(run, f"ingest:{first}:*")
    run.stack.procs.worker.kill()  # SIGKILL mid-job, as a crash or the OOM killer would
    run.stack.procs.worker.start()
    killed = time.monotonic()
    await add_camera(run, session, "B", case.paths["B"])
    return await _recovered(run, session, killed)


async def _killed_while_held(run: Run, hold: str, then: Callable[[], Awaitable[None]]) -> float:
    """Run ``then`` with a worker that stops at the ``hold`` point, SIGKILL it there;
    the stack's own worker takes over. Returns when the kill happened."""
    gate = run.scratch / f"gate-{hold}"
    with poisoned_worker(
        run.stack, "hold", {"MULTICAM_TEST_HOLD": hold, "MULTICAM_TEST_GATE": str(gate)}
    ) as held:
        await then()
        await _at_gate(run, gate)
        held.kill()
        return time.monotonic()


async def kill_during_sync(run: Run) -> Outcome:
    session = await new_session(run.strapi, "kill-sync")

    async def start() -> None:
        await add_cameras(run, session)

    killed = await _killed_while_held(run, "sync", start)
    return await _recovered(run, session, killed)


async def kill_during_review(run: Run) -> Outcome:
    session = await new_session(run.strapi, "kill-review")
    await add_cameras(run, session)
    done = await synced(run, session.document_id)
    assert done.sync_result is not None
    result_id = done.sync_result.document_id

    async def approve_in_admin() -> None:
        # What the admin's Save does: a plain update of the entry (it fires the webhook).
        await run.strapi.sync_results.update(
            result_id, {"operatorStatus": "approved", "approvedBy": "dana@studio.example"}
        )

    killed = await _killed_while_held(run, "review", approve_in_admin)

    async def applied() -> Any:
        s = await run.strapi.get_session(session.document_id)
        r = s.sync_result
        return (
            s
            if (s.state is SessionState.READY and r is not None and r.approved_at is not None)
            else None
        )

    final = await eventually(
        applied, timeout=300, what="the approval applied after the kill", stack=run.stack
    )
    assert final.sync_result is not None
    assert final.sync_result.operator_status is OperatorStatus.APPROVED
    return Outcome([expect_synced(session, run)], time.monotonic() - killed)


async def killed_every_attempt(run: Run) -> Outcome:
    """The OOM killer takes the worker on every attempt: given up, not looped."""
    session = await new_session(run.strapi, "killed-thrice")
    case = run.case
    async with _redis(run.stack) as r:
        asset_id = await add_camera(run, session, "B", case.paths["B"])
        asset = await run.strapi.assets.get(asset_id)
        counter = attempts_key(ingest_job_id(asset_id, asset.original_url or ""))
        for attempt in (1, 2, 3):

            async def started(n: int = attempt) -> bool:
                return int(await r.get(counter) or 0) == n

            # Reconcile releases each killed job once the asset has been silent for
            # MULTICAM_STALE_JOB_S, and the restarted worker runs it again.
            await eventually(
                started,
                timeout=180,
                what=f"attempt {attempt} to start",
                stack=run.stack,
                interval=0.05,
            )
            run.stack.procs.worker.kill()
            run.stack.procs.worker.start()
        killed = time.monotonic()
    failed = await _asset_failed(run, asset_id)
    assert failed.error_message == f"gave up after 3 attempts: {NEVER_FINISHED}"
    return Outcome(
        [Expect(session.document_id, failed=("B",))],
        time.monotonic() - killed,
        note="given up after 3 attempts",
    )


async def _asset_failed(run: Run, asset_id: str) -> Any:
    async def failed() -> Any:
        a = await run.strapi.assets.get(asset_id, populate={"derivatives": True})
        return a if a.state is AssetState.FAILED else None

    return await eventually(
        failed, timeout=600, what="the asset to be failed", stack=run.stack, interval=1
    )


# ---------------------------------------------------------------- rows: outages


async def strapi_down(run: Run) -> Outcome:
    """Strapi unreachable for the worker and the service mid-ingest (``Run.outage_s``)."""
    session = await new_session(run.strapi, "strapi-down")
    run.stack.strapi_link.stop()
    began = time.monotonic()
    try:
        ids = await add_cameras(run, session)

        async def met_the_outage() -> bool:
            # The job's recorded outcome: it could not reach Strapi and was put back.
            log = run.stack.procs.worker.log_path.read_text(errors="replace")
            return any('"job_retry"' in line and ids[0] in line for line in log.splitlines())

        await eventually(
            met_the_outage,
            timeout=120,
            what="a job to meet the outage",
            stack=run.stack,
            interval=0.2,
        )
        # The fault lasts its length whatever the jobs do meanwhile.
        await asyncio.sleep(max(0.0, run.outage_s - (time.monotonic() - began)))
    finally:
        run.stack.strapi_link.start()
    return await _recovered(run, session, time.monotonic())


async def strapi_down_during_sync(run: Run) -> Outcome:
    """Strapi away longer than MULTICAM_STALE_JOB_S while a sync waits to write: once."""
    from tests.support.stack import STALE_JOB_S

    session = await new_session(run.strapi, "stale-sync")
    gate = run.scratch / "gate-stale-sync"
    with poisoned_worker(
        run.stack, "hold", {"MULTICAM_TEST_HOLD": "sync", "MULTICAM_TEST_GATE": str(gate)}
    ) as worker:
        await add_cameras(run, session)
        await _at_gate(run, gate)
        run.stack.strapi_link.stop()
        gate.touch()  # the engine runs; its write finds Strapi away
        down = time.monotonic()
        try:

            async def retried() -> bool:
                log = worker.log_path.read_text(errors="replace")
                return any('"job_retry"' in ln and "sync" in ln for ln in log.splitlines())

            await eventually(
                retried,
                timeout=120,
                what="the sync to meet the outage",
                stack=run.stack,
                interval=0.2,
            )
            # Longer than the stale-job time and a reconcile round after it.
            await asyncio.sleep(max(0.0, 3 * STALE_JOB_S - (time.monotonic() - down)))
        finally:
            run.stack.strapi_link.start()
        back = time.monotonic()
        outcome = await _recovered(run, session, back)
        log = worker.log_path.read_text(errors="replace")
    assert _log_count(worker, "sync_done") == 1, log[-4000:]
    assert "KeyError" not in log
    outcome.note = "sync ran once"
    return outcome


@contextlib.contextmanager
def _small_disk(path: Path, size_mb: int) -> Iterator[Callable[[int], None]]:
    """A real filesystem of ``size_mb`` (tmpfs) at ``path``; yields a resize function."""
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs", str(path)], check=True
    )

    def resize(mb: int) -> None:
        subprocess.run(["mount", "-o", f"remount,size={mb}m", str(path)], check=True)

    try:
        yield resize
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


async def disk_full(run: Run) -> Outcome:
    """The work dir's disk has less free space than the worker must keep: it waits, says
    so, and goes on once space is freed."""
    session = await new_session(run.strapi, "disk-full")
    with (
        _small_disk(run.scratch / "small-disk", 64) as resize,
        replaced_worker(
            run.stack,
            f"worker-small-disk-{secrets.token_hex(2)}",
            env={"MULTICAM_WORK_DIR": str(run.scratch / "small-disk")},
        ),
    ):
        ids = await add_cameras(run, session)

        async def waiting() -> Any:
            a = await run.strapi.assets.get(ids[0])
            return a if "waiting for disk space" in (a.progress_message or "") else None

        seen = await eventually(
            waiting,
            timeout=120,
            what="the asset to wait for disk space",
            stack=run.stack,
            interval=0.5,
        )
        assert seen.state is AssetState.INGESTING
        resize(4096)  # the operator frees space
        freed = time.monotonic()
        outcome = await _recovered(run, session, freed)
    outcome.note = "waited, said so in Strapi"
    return outcome


# ---------------------------------------------------------------- rows: poison input


async def wav_over_4_gib(run: Run) -> Outcome:
    """Every attempt fails as the wave module does on a WAV over 4 GiB (stand-in)."""
    session = await new_session(run.strapi, "wav-4gib")
    with poisoned_worker(run.stack, "wav") as poisoned:
        asset_id = await add_camera(run, session, "A", run.case.paths["A"])
        done = await _asset_failed(run, asset_id)
        started = _log_count(poisoned, "ingest_started")
    assert done.error_message == (
        "gave up after 3 attempts: error: 'L' format requires 0 <= number <= 4294967295"
    )
    assert started == 3, started
    assert not done.derivatives
    return Outcome(
        [Expect(session.document_id, failed=("A",))],
        note="failed after 3 attempts, reason in errorMessage",
    )


async def sync_crashes_every_time(run: Run) -> Outcome:
    session = await new_session(run.strapi, "sync-poison")
    with poisoned_worker(run.stack, "sync") as poisoned:
        await add_cameras(run, session)

        async def given_up() -> Any:
            s = await run.strapi.get_session(session.document_id)
            return s if "gave up" in (s.progress_message or "") else None

        done = await eventually(
            given_up, timeout=600, what="the sync to be given up", stack=run.stack
        )
        started = _log_count(poisoned, "sync_started")
    assert done.state is SessionState.NEEDS_REVIEW
    assert done.progress_message == (
        "sync failed: gave up after 3 attempts: MemoryError: cannot allocate the "
        "cross-correlation buffers; re-ingest the camera(s) or recompute"
    )
    assert started == 3, started
    return Outcome([Expect(session.document_id)], note="given up, reason on the session")


async def damaged_video(run: Run) -> Outcome:
    session = await new_session(run.strapi, "video-poison")
    with poisoned_worker(run.stack, "video") as poisoned:
        ids = await add_cameras(run, session)
        for asset_id in ids:

            async def video_failed(a: str = asset_id) -> Any:
                got = await run.strapi.assets.get(a)
                return got if got.video_state is VideoState.FAILED else None

            failed = await eventually(
                video_failed, timeout=300, what="the encode to fail", stack=run.stack
            )
            assert failed.state is AssetState.READY  # the camera still syncs
            assert "video stream is damaged" in (failed.error_message or "")
        await synced(run, session.document_id)
        assert _log_count(poisoned, "video_failed") == 2  # once each, not in a loop
    return Outcome([expect_synced(session, run)], note="synced; proxy failed, said so")


async def timestamp_gaps(run: Run) -> Outcome:
    session = await new_session(run.strapi, "gaps")
    jumpy = run.scratch / "jumpy.mkv"
    write_jumpy_audio(jumpy, frames=3000, jump_s=0.4, video=True)
    asset_id = await add_camera(run, session, "A", jumpy)
    failed = await _asset_failed(run, asset_id)
    assert "audio timestamps jump forward" in (failed.error_message or ""), failed.error_message
    assert not failed.derivatives
    return Outcome([Expect(session.document_id, failed=("A",))], note="refused with reason")


# ---------------------------------------------------------------- rows: races


async def _reupload_during_ingest(run: Run, mode: str) -> Outcome:
    """The first file's ingest, overtaken by a re-upload, finishes (or fails) last."""
    session = await new_session(run.strapi, f"reupload-{mode}")
    case = run.case
    gate = run.scratch / f"gate-reupload-{mode}"
    with poisoned_worker(
        run.stack, "gate", {"MULTICAM_TEST_GATE": str(gate), "MULTICAM_TEST_GATE_MODE": mode}
    ):
        first_id = await add_camera(run, session, "A", case.paths["A"])
        first = (await run.strapi.assets.get(first_id)).original_url or ""
        await _at_gate(run, gate)
        # The operator replaces the file while the first ingest is still running.
        await add_camera(run, session, "A", case.paths["B"], version=2)
        second = (await run.strapi.assets.get(first_id)).original_url

        async def second_in() -> Any:
            a = await run.strapi.assets.get(first_id, populate={"derivatives": True})
            keys = [d.storage_key or "" for d in a.derivatives or []]
            return (
                a
                if (
                    a.state is AssetState.READY
                    and a.original_url == second
                    and any("_v002." in k for k in keys)
                )
                else None
            )

        await eventually(second_in, timeout=180, what="the second file's audio", stack=run.stack)
        gate.touch()  # now the first ingest finishes (or fails), last
        released = time.monotonic()
        async with _redis(run.stack) as r:
            done_key = "arq:result:" + ingest_job_id(first_id, first)

            async def first_done() -> bool:
                return bool(await r.exists(done_key))

            await eventually(
                first_done,
                timeout=120,
                what="the first ingest to end",
                stack=run.stack,
                interval=0.1,
            )
        final = await eventually(
            lambda: fully_ingested(run.strapi, first_id),
            timeout=300,
            what="the second file's video",
            stack=run.stack,
        )
    assert final.original_url == second and final.error_message is None
    keys = sorted(d.storage_key or "" for d in final.derivatives or [])
    assert keys and all("_v002." in k for k in keys), keys
    return Outcome(
        [Expect(session.document_id)], time.monotonic() - released, note="the newest upload won"
    )


async def reupload_old_finishes_last(run: Run) -> Outcome:
    return await _reupload_during_ingest(run, "finish")


async def reupload_old_fails_last(run: Run) -> Outcome:
    return await _reupload_during_ingest(run, "fail")


async def approve_after_resync(run: Run) -> Outcome:
    """An approve for the result the operator saw, sent after a re-sync replaced it."""
    session = await new_session(run.strapi, "approve-stale")
    await add_cameras(run, session)
    seen = await synced(run, session.document_id)
    assert seen.sync_result is not None and seen.sync_result.computed_at is not None
    sid = session.document_id
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    async with httpx.AsyncClient(
        base_url=run.stack.procs.service_url, headers=headers, timeout=30
    ) as api:

        async def post(path: str, body: dict[str, str] | None = None) -> httpx.Response:
            """POST as an operator would: again while the answer is 409 sync_in_progress
            (the session's own jobs still ending: each finished encode asks the session
            whether it needs work, and a sync holds the session's lock as it writes)."""

            async def answered() -> httpx.Response | None:
                r = await api.post(path, json=body)
                busy = r.status_code == 409 and r.json()["error"]["code"] == "sync_in_progress"
                return None if busy else r

            return await eventually(
                answered, timeout=120, what=f"{path} to be taken", stack=run.stack, interval=1
            )

        queued = await post(f"/v2/sessions/{sid}/sync/recompute")
        assert queued.status_code == 202, queued.text

        async def resynced() -> Any:
            s = await run.strapi.get_session(sid)
            r = s.sync_result
            return (
                s
                if (
                    r is not None
                    and r.computed_at != seen.sync_result.computed_at
                    and s.state is SessionState.NEEDS_REVIEW
                )
                else None
            )

        now = await eventually(resynced, timeout=300, what="the re-sync", stack=run.stack)
        approve = f"/v2/sessions/{sid}/sync/approve"
        stale = await post(approve, {"computedAt": seen.sync_result.computed_at.isoformat()})
        assert stale.status_code == 409 and stale.json()["error"]["code"] == "sync_changed"
        after = await run.strapi.get_session(sid)
        assert after.state is SessionState.NEEDS_REVIEW
        assert after.sync_result is not None
        assert after.sync_result.operator_status is OperatorStatus.PENDING
        assert now.sync_result is not None and now.sync_result.computed_at is not None
        fresh = await post(approve, {"computedAt": now.sync_result.computed_at.isoformat()})
        assert fresh.status_code == 200, fresh.text
    return Outcome([expect_synced(session, run)], note="409 sync_changed, nothing applied")


# ---------------------------------------------------------------- rows: hostile bodies


def hostile_webhooks(secret: str) -> list[tuple[str, bytes, str | None, set[int]]]:
    """(what, body, secret header, accepted status codes): 20 bodies a hostile or
    broken sender could post. Events for models or event kinds the service does not
    act on are answered 202 (Strapi sends every model's events and never retries);
    everything else malformed is a 4xx."""
    event: dict[str, Any] = {
        "event": "entry.update",
        "model": "media-asset",
        "uid": "api::media-asset.media-asset",
        "createdAt": "2026-11-20T10:00:00.000Z",
        "entry": {
            "id": 1,
            "documentId": "nosuchdocument00000000000",
            "cameraLabel": "A",
            "state": "ingesting",
            "originalUrl": "http://127.0.0.1:1/x.mp4",
        },
    }

    def with_entry(**fields: Any) -> bytes:
        return json.dumps({**event, "entry": {**event["entry"], **fields}}).encode()

    ok = json.dumps(event).encode()
    refused, bad = {401}, {400, 413, 422}
    return [
        ("no secret", ok, None, refused),
        ("wrong secret", ok, "wrong-" + secret, refused),
        ("half the secret", ok, secret[: len(secret) // 2], refused),
        ("not JSON", b"{not json", secret, bad),
        ("empty body", b"", secret, bad),
        ("JSON null", b"null", secret, bad),
        ("a JSON array", b"[1, 2, 3]", secret, bad),
        ("missing entry", json.dumps({"event": "entry.update"}).encode(), secret, bad),
        ("entry id a string", with_entry(id="one"), secret, bad),
        ("camera label Z", with_entry(cameraLabel="Z"), secret, bad),
        ("state a number", with_entry(state=7), secret, bad),
        ("documentId with ../", with_entry(documentId="../../etc/passwd"), secret, bad),
        ("5 MB body", b'{"event":"' + b"x" * HOSTILE_BODY_BYTES + b'"}', secret, bad),
        ("deeply nested", b"[" * 5000 + b"]" * 5000, secret, bad),
        ("invalid UTF-8", b'{"event":"\xff\xfe"}', secret, bad),
        (
            "unknown event",
            json.dumps({**event, "event": "entry.explode"}).encode(),
            secret,
            bad | {202},
        ),
        (
            "unknown model",
            json.dumps(
                {**event, "model": "user", "uid": "plugin::users-permissions.user"}
            ).encode(),
            secret,
            {202},
        ),
        ("a million-digit id", with_entry(id=int("9" * 4000)), secret, bad),
        ("control characters", with_entry(cameraLabel="A\x00"), secret, bad),
        ("form-encoded", b"event=entry.update", secret, bad),
    ]


def hostile_api_requests(
    session_id: str,
) -> list[tuple[str, str, str, bytes, str | None, set[int]]]:
    """(what, method, path, body, bearer token, accepted codes): 20 requests."""
    sync = f"/v2/sessions/{session_id}/sync"
    good = json.dumps({"title": "t", "date": "2026-11-20", "projectId": "p"}).encode()
    bad = {400, 404, 409, 413, 415, 422}
    return [
        ("no token", "POST", "/v2/sessions", good, None, {401}),
        ("wrong token", "POST", "/v2/sessions", good, "x" * 40, {401}),
        ("token with spaces", "GET", f"/v2/sessions/{session_id}", b"", "a b c", {401}),
        ("not JSON", "POST", "/v2/sessions", b"{nope", API_TOKEN, bad),
        ("JSON null", "POST", "/v2/sessions", b"null", API_TOKEN, bad),
        ("a JSON array", "POST", "/v2/sessions", b"[]", API_TOKEN, bad),
        (
            "title a number",
            "POST",
            "/v2/sessions",
            json.dumps({"title": 5, "date": "2026-11-20", "projectId": "p"}).encode(),
            API_TOKEN,
            bad,
        ),
        (
            "date not a date",
            "POST",
            "/v2/sessions",
            json.dumps({"title": "t", "date": "yesterday", "projectId": "p"}).encode(),
            API_TOKEN,
            bad,
        ),
        (
            "project id with a NUL",
            "POST",
            "/v2/sessions",
            json.dumps({"title": "t", "date": "2026-11-20", "projectId": "a\x00b"}).encode(),
            API_TOKEN,
            bad,
        ),
        (
            "5 MB body",
            "POST",
            "/v2/sessions",
            b'{"title":"' + b"x" * HOSTILE_BODY_BYTES + b'"}',
            API_TOKEN,
            bad,
        ),
        ("unknown session", "GET", "/v2/sessions/nosuchsession000000000000", b"", API_TOKEN, bad),
        ("session id with ../", "GET", "/v2/sessions/..%2F..%2Fadmin", b"", API_TOKEN, bad),
        ("approve without computedAt", "POST", f"{sync}/approve", b"{}", API_TOKEN, bad),
        (
            "approve, computedAt garbage",
            "POST",
            f"{sync}/approve",
            json.dumps({"computedAt": "soon"}).encode(),
            API_TOKEN,
            bad,
        ),
        (
            "correct, offsets a string",
            "POST",
            f"{sync}/correct",
            json.dumps({"computedAt": "2026-11-20T10:00:00Z", "offsets": "fast"}).encode(),
            API_TOKEN,
            bad,
        ),
        (
            "correct, NaN offset",
            "POST",
            f"{sync}/correct",
            b'{"computedAt":"2026-11-20T10:00:00Z","offsets":{"A":NaN}}',
            API_TOKEN,
            bad,
        ),
        (
            "complete, unknown asset",
            "POST",
            f"/v2/sessions/{session_id}/assets/nosuchasset/complete",
            b"{}",
            API_TOKEN,
            bad,
        ),
        (
            "init-upload, negative size",
            "POST",
            f"/v2/sessions/{session_id}/assets/init-upload",
            json.dumps(
                {"cameraLabel": "A", "filename": "a.mp4", "sizeBytes": -1, "sha256": "0" * 64}
            ).encode(),
            API_TOKEN,
            bad,
        ),
        ("deeply nested", "POST", "/v2/sessions", b"[" * 5000 + b"]" * 5000, API_TOKEN, bad),
        ("invalid UTF-8", "POST", "/v2/sessions", b'{"title":"\xff"}', API_TOKEN, bad),
    ]


async def hostile_bodies(run: Run) -> Outcome:
    """20 hostile webhook bodies and 20 hostile API requests: 4xx (or an ignored event),
    never 5xx, and the service is healthy afterwards."""
    session = await new_session(run.strapi, "hostile")
    surprises: list[str] = []
    for what, body, secret, accepted in hostile_webhooks(run.stack.secret):
        r = await asyncio.to_thread(post_webhook, run.stack, body, secret)
        if r.status_code not in accepted:
            surprises.append(f"webhook {what}: {r.status_code} {r.text[:120]}")
    url = run.stack.procs.service_url
    for what, method, path, body, token, codes in hostile_api_requests(session.document_id):
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        # A blocking client: it reads the 413 the service answers before the whole
        # body is sent (the async one reports the closed connection instead).
        r = await asyncio.to_thread(
            httpx.request, method, url + path, content=body, headers=headers, timeout=30
        )
        if r.status_code not in codes:
            surprises.append(f"api {what}: {r.status_code} {r.text[:120]}")
    health = await asyncio.to_thread(httpx.get, url + "/readyz", timeout=30)
    assert health.status_code == 200, health.text
    assert not surprises, "\n".join(surprises)
    return Outcome(note="40/40 refused or ignored, 0 5xx, healthy after")


FAULTS: tuple[Fault, ...] = (
    Fault("same webhook ×3", same_webhook_three_times),
    Fault("lost webhook", lost_webhook),
    Fault("worker SIGKILL during ingest", kill_during_ingest),
    Fault("worker SIGKILL during sync", kill_during_sync),
    Fault("worker SIGKILL during review", kill_during_review),
    Fault("worker SIGKILL on every attempt", killed_every_attempt),
    Fault("Redis restart", redis_restart),
    Fault(f"Strapi down {STRAPI_DOWN_S:.0f} s", strapi_down),
    Fault("Strapi down > stale-job time during sync", strapi_down_during_sync),
    Fault("disk full in the work dir", disk_full),
    Fault("WAV over 4 GiB (stand-in), every attempt", wav_over_4_gib),
    Fault("sync crashes every time (MemoryError)", sync_crashes_every_time),
    Fault("damaged video stream", damaged_video),
    Fault("thousands of timestamp gaps", timestamp_gaps),
    Fault("re-upload during ingest, old job finishes last", reupload_old_finishes_last),
    Fault("re-upload during ingest, old job fails last", reupload_old_fails_last),
    Fault("approve after a re-sync", approve_after_resync),
    Fault("20 hostile webhooks + 20 hostile API bodies", hostile_bodies),
)
