"""The pure parts of review: correction checks, echo detection, webhook decisions, history."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from strapi_client.enums import AssetState, OperatorStatus, SessionState
from strapi_client.models import MediaAsset, RecordingSession, SyncResult
from strapi_client.webhook import parse_webhook
from worker.errors import ReviewConflict, ReviewRejected
from worker.handoff.formats import TimelineFormat
from worker.jobs.session_sync import _history
from worker.pipeline.rules import decide
from worker.queue import APPLY_REVIEW
from worker.review.apply import Review, judge, review_input, without_bounces
from worker.review.marks import fingerprint, review_job_id
from worker.review.reviewer import Reviewer
from worker.review.validate import CameraFacts, check_approval, check_correction
from worker.review.view import ResultView

CAMS = {
    "A": CameraFacts("A", True, 40_000.0),
    "B": CameraFacts("B", True, 36_000.0),
    "C": CameraFacts("C", True, 38_000.0),
}
COMPUTED = {"A": 0.0, "B": 6432.1, "C": -4123.4}


def _locs(
    raw: Any, cameras: dict[str, CameraFacts] = CAMS, computed: dict[str, float] = COMPUTED
) -> list[tuple[str, ...]]:
    with pytest.raises(ReviewRejected) as info:
        check_correction(raw, master="A", computed=computed, cameras=cameras)
    return [p.loc for p in info.value.problems]


TAKES = {
    "REC": CameraFacts("REC", True, 60_000.0),
    "B#1": CameraFacts("B#1", True, 20_000.0, camera="B"),
    "B#2": CameraFacts("B#2", True, 20_000.0, camera="B"),
}


def test_a_take_must_overlap_another_camera_and_not_its_own_takes() -> None:
    computed = {"REC": 0.0, "B#1": 1000.0, "B#2": 30_000.0}

    def correct(raw: dict[str, float]) -> dict[str, float]:
        return check_correction(raw, master="REC", computed=computed, cameras=TAKES)

    # Nudged: fine, and a split recording's next file may start where the first ends.
    assert correct({"B#2": 30_040.0})["B#2"] == 30_040.0
    assert correct({"B#2": 21_000.0})["B#2"] == 21_000.0
    # Over its own first take: refused, naming it.
    with pytest.raises(ReviewRejected) as info:
        correct({"B#2": 10_000.0})
    (problem,) = info.value.problems
    assert problem.loc == ("B#2",)
    assert "over B#1 by 11000.0 ms: camera B records one take at a time" in problem.msg
    # Beside its own take only (past the recorder's end), it overlaps no other camera.
    with pytest.raises(ReviewRejected) as info:
        check_correction(
            {"B#2": 75_000.0},
            master="REC",
            computed={**computed, "B#1": 70_000.0},
            cameras=TAKES,
        )
    assert [p.loc for p in info.value.problems] == [("B#2",)]
    assert "to overlap another camera" in info.value.problems[0].msg


def test_correction_merges_with_computed_offsets() -> None:
    assert check_correction({"C": -4100}, master="A", computed=COMPUTED, cameras=CAMS) == {
        "A": 0.0,
        "B": 6432.1,
        "C": -4100.0,
    }
    assert (
        check_correction({"A": 0, "B": 1.5}, master="A", computed=COMPUTED, cameras=CAMS)["B"]
        == 1.5
    )


@pytest.mark.parametrize(
    "raw,loc",
    [
        ({"D": 5.0}, ("D",)),  # not a camera of this session
        ({"A": 12.0}, ("A",)),  # the master stays 0
        ({"C": math.nan}, ("C",)),
        ({"C": math.inf}, ("C",)),
        ({"C": "4 s"}, ("C",)),
        ({"C": None}, ("C",)),
        ({"C": True}, ("C",)),
        ({"C": 500_000.0}, ("C",)),  # beyond every other recording
        ({"C": -38_000.0}, ("C",)),  # ends exactly where A starts: no overlap
        ({}, ()),
        ([1, 2], ()),
        ("C=4", ()),
    ],
)
def test_correction_problems_name_the_camera(raw: Any, loc: tuple[str, ...]) -> None:
    assert _locs(raw) == [loc]


def test_correction_of_a_failed_camera_or_a_missing_offset() -> None:
    cams = {**CAMS, "C": CameraFacts("C", False, None, "failed", "no audio stream")}
    with pytest.raises(ReviewRejected, match="no audio stream"):
        check_correction({"C": 1.0}, master="A", computed=COMPUTED, cameras=cams)
    unplaced = {"A": 0.0, "B": 6432.1}
    assert _locs({"B": 6400.0}, computed=unplaced) == [("C",)]
    assert (
        check_correction({"C": -4000}, master="A", computed=unplaced, cameras=CAMS)["C"] == -4000.0
    )


def test_overlap_with_another_camera_is_enough() -> None:
    # C lies past the end of A but overlaps B: a chain A -> B -> C is a valid timeline.
    computed = {"A": 0.0, "B": 30_000.0, "C": 0.0}
    out = check_correction({"C": 50_000.0}, master="A", computed=computed, cameras=CAMS)
    assert out["C"] == 50_000.0


def test_approval_needs_every_usable_camera_placed() -> None:
    check_approval(COMPUTED, CAMS)
    with pytest.raises(ReviewConflict, match="C"):
        check_approval({"A": 0.0, "B": 1.0}, CAMS)
    check_approval({"A": 0.0, "B": 1.0}, {**CAMS, "C": CameraFacts("C", False, None)})


def _event(entry: dict[str, Any], event: str = "entry.update") -> Any:
    return parse_webhook(
        {
            "event": event,
            "model": "sync-result",
            "uid": "api::sync-result.sync-result",
            "createdAt": "2026-11-20T10:00:00.000Z",
            "entry": {"id": 7, "documentId": "r1", **entry},
        }
    )


def test_operator_review_enqueues_and_the_echo_does_not() -> None:
    entry = {
        "operatorStatus": "corrected",
        "operatorOffsetsMs": {"C": -4100},
        "approvedBy": "alice",
        "debugArtifacts": {"inputsDigest": "x"},
    }
    decision = decide(_event(entry))
    assert [j.function for j in decision.jobs] == [APPLY_REVIEW]
    assert decision.jobs[0].args == ("r1",)
    # The same webhook again: the same job id, so arq runs it once.
    assert decide(_event(entry)).jobs[0].job_id == decision.jobs[0].job_id
    # The worker's write: its fingerprint is stored beside the applied values.
    applied = {"A": 0.0, "B": 6432.1, "C": -4100.0}
    echo = {
        **entry,
        "operatorOffsetsMs": applied,
        "debugArtifacts": {"review": {"fingerprint": fingerprint("corrected", applied, "alice")}},
    }
    assert decide(_event(echo)).jobs == ()
    # A later edit by the operator (another offset) is a new review.
    edited = {**echo, "operatorOffsetsMs": {**applied, "C": -4000.0}}
    assert len(decide(_event(edited)).jobs) == 1


def test_pending_created_deleted_and_malformed_entries() -> None:
    assert decide(_event({"operatorStatus": "pending"})).jobs == ()
    assert decide(_event({"operatorStatus": "approved"}, "entry.create")).jobs == ()
    assert decide(_event({"operatorStatus": "approved"}, "entry.delete")).jobs == ()
    # Free JSON the typed model would refuse still reaches the job (which explains it).
    garbage = _event({"operatorStatus": "corrected", "operatorOffsetsMs": {"C": "4 s"}})
    assert len(decide(garbage).jobs) == 1
    assert review_job_id({"operatorStatus": "approved"}) is None  # no documentId


def test_fingerprint_survives_a_json_round_trip() -> None:
    assert fingerprint("corrected", {"C": -4100.0, "A": 0}, "a") == fingerprint(
        "corrected", {"A": 0.0, "C": -4100}, "a"
    )
    assert fingerprint("approved", None, "a") != fingerprint("approved", None, "b")


def test_bounce_lines_are_stripped_from_notes() -> None:
    assert without_bounces("[multicam] Not applied: x\nmy note") == "my note"
    assert without_bounces("[multicam] Not applied: x") is None


def test_history_keeps_the_previous_figures() -> None:
    previous = SyncResult(
        id=1,
        document_id="r",
        master_camera="A",
        offsets_ms={"A": 0.0, "B": 1.0},
        operator_status=OperatorStatus.APPROVED,
        approved_by="alice",
        approved_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        method="xcorr",
        debug_artifacts={"inputsDigest": "d1", "history": [{"offsetsMs": {"B": 3.0}}]},
    )
    history = _history(previous, "d1", {"A": 0.0, "B": 1.0})
    assert len(history) == 2 and history[0] == {"offsetsMs": {"B": 3.0}}
    assert history[1].offsets_ms == {"A": 0.0, "B": 1.0}
    assert history[1].approved_by == "alice" and history[1].operator_status == "approved"
    assert history[1].inputs_digest == "d1"
    # A retried run rewriting its own pending result adds nothing.
    pending = previous.model_copy(update={"operator_status": OperatorStatus.PENDING})
    assert len(_history(pending, "d1", {"A": 0.0, "B": 1.0})) == 1
    assert _history(None, "d1", {}) == []


def test_a_review_writes_the_same_debug_artifacts_as_ever() -> None:
    stored = {
        "inputsDigest": "d1",
        "engine": "multicam-xcorr-1",
        "artifacts": {"B": "u"},
        "errors": {},
        "history": [{"offsetsMs": {"B": 3.0}}],
        "operatorNote": "kept",
        "timeline": "an old value",
        "review": {"fingerprint": "old", "extra": 1},
    }
    view = ResultView.from_raw(
        {
            "id": 1,
            "documentId": "r1",
            "operatorStatus": "pending",
            "method": "xcorr",
            "offsetsMs": COMPUTED,
            "debugArtifacts": stored,
            "session": {"documentId": "s1"},
        }
    )
    now = dt.datetime(2026, 11, 21, 8, 0, 0, 250000, tzinfo=dt.UTC)
    offsets = {**COMPUTED, "C": -4100.0}
    signed = Review(
        OperatorStatus.CORRECTED,
        "dana@studio.example",
        None,
        offsets,
        "api",
        Reviewer.admin(3, "dana@studio.example"),
    )
    written = review_input(view, signed, now, "s1").to_strapi()
    assert written["method"] == "manual" and written["operatorOffsetsMs"] == offsets
    assert written["debugArtifacts"] == {
        **stored,
        "timeline": {
            "path": "/v2/sessions/s1/timeline",
            "formats": [f.value for f in TimelineFormat],
        },
        "review": {
            "fingerprint": fingerprint("corrected", offsets, "dana@studio.example"),
            "appliedAt": now.isoformat(),
            "source": "api",
            "computedMethod": "xcorr",
            "reviewer": {"kind": "admin", "id": 3, "email": "dana@studio.example"},
        },
    }
    # An admin review has no signer: the mark says nothing of one.
    admin = Review(OperatorStatus.APPROVED, "alice", None, None, "admin")
    mark = review_input(view, admin, now, "s1").to_strapi()["debugArtifacts"]["review"]
    assert mark == {
        "fingerprint": fingerprint("approved", None, "alice"),
        "appliedAt": now.isoformat(),
        "source": "admin",
        "computedMethod": "xcorr",
    }
    # Its fingerprint is what the echo of the write is recognised by.
    assert (
        review_job_id(
            {
                "documentId": "r1",
                "operatorStatus": "approved",
                "approvedBy": "alice",
                "debugArtifacts": {"review": mark},
            }
        )
        is None
    )


def test_a_result_whose_clip_ids_the_session_no_longer_has_is_not_reviewed() -> None:
    """A second file of camera B arrived after the sync: B is now B#1 and B#2."""
    result = SyncResult(
        id=1,
        document_id="r" * 24,
        master_camera="A",
        offsets_ms={"A": 0.0, "B": 6432.1},
        operator_status=OperatorStatus.PENDING,
    )
    assets = [
        MediaAsset(id=i, document_id=f"{i}" * 24, camera_label=cam, take=take, state=state)
        for i, (cam, take, state) in enumerate(
            [("A", 1, AssetState.READY), ("B", 1, AssetState.READY), ("B", 2, AssetState.READY)],
            start=1,
        )
    ]
    session = RecordingSession(
        id=9,
        document_id="s" * 24,
        title="t",
        date=dt.date(2026, 11, 20),
        project_id="p",
        state=SessionState.NEEDS_REVIEW,
        assets=assets,
    )
    with pytest.raises(ReviewConflict, match=r"offsets are for A, B, the session now has A, B#1"):
        judge(
            session,
            ResultView(result, None, session.document_id),
            status=OperatorStatus.APPROVED,
            reviewer="op",
            offsets=None,
            notes=None,
            source="api",
        )
