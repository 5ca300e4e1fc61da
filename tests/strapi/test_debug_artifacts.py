"""``debugArtifacts`` as one typed model: what the worker writes round-trips unchanged,
older and hand-edited entries still read (pure: no Strapi needed).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from strapi_client import (
    DebugArtifacts,
    HistoryEntry,
    ReviewerMark,
    ReviewMark,
    SyncMethod,
    SyncResult,
    SyncResultInput,
    TimelineLink,
)

# Everything the worker writes, as Strapi hands it back (jsonb: whole floats come back
# as integers).
WRITTEN: dict[str, Any] = {
    "inputsDigest": "0123456789abcdef01234567",
    "engine": "multicam-xcorr-1",
    "artifacts": {"A": "https://s3.example/a.json", "B": "https://s3.example/b.json"},
    "errors": {"C": "ingest failed: no audio stream"},
    "history": [
        {
            "masterCamera": "A",
            "offsetsMs": {"A": 0, "B": -1234.5},
            "confidence": {"B": 14.2},
            "confidencePct": {"B": 98.0},
            "classification": {"B": "looks-good"},
            "driftPpm": {"B": 1.5},
            "method": "manual",
            "operatorStatus": "corrected",
            "operatorOffsetsMs": {"A": 0.0, "B": -1200.0},
            "approvedBy": "alice",
            "approvedAt": "2026-11-20T10:00:00Z",
            "reviewNotes": None,
            "computedAt": "2026-11-20T09:00:00.123000Z",
            "inputsDigest": "old",
            "engine": "e0",
            "errors": {},
            "review": {
                "fingerprint": "f0",
                "appliedAt": "2026-11-20T10:00:00.500000+00:00",
                "source": "admin",
                "computedMethod": "xcorr",
            },
        },
    ],
    "timeline": {"path": "/v2/sessions/s1/timeline", "formats": ["fcpxml", "mlt"]},
    "review": {
        "fingerprint": "f1",
        "appliedAt": "2026-11-21T08:00:00+00:00",
        "source": "api",
        "computedMethod": "xcorr",
        "reviewer": {"kind": "admin", "id": 3, "email": "dana@studio.example"},
    },
}


def _json(model: DebugArtifacts) -> Any:
    # What a write sends, through JSON text as it goes over the wire.
    sent = SyncResultInput(debug_artifacts=model).to_strapi()["debugArtifacts"]
    return json.loads(json.dumps(sent))


def test_what_the_worker_wrote_reads_typed_and_writes_back_unchanged() -> None:
    debug = DebugArtifacts.model_validate(WRITTEN)
    assert debug.inputs_digest == "0123456789abcdef01234567"
    assert debug.artifacts == WRITTEN["artifacts"] and debug.errors == WRITTEN["errors"]
    assert debug.timeline == TimelineLink(
        path="/v2/sessions/s1/timeline", formats=["fcpxml", "mlt"]
    )
    assert debug.review is not None and debug.review.computed_method is SyncMethod.XCORR
    assert debug.review.applied_at == dt.datetime(2026, 11, 21, 8, tzinfo=dt.UTC)
    assert debug.review.reviewer == ReviewerMark(kind="admin", id=3, email="dana@studio.example")
    assert debug.history is not None and debug.history[0].approved_by == "alice"
    assert debug.unreadable == {}
    assert _json(debug) == WRITTEN
    assert debug == WRITTEN  # a record equals the JSON object it writes


def test_a_write_sends_only_the_keys_that_were_set() -> None:
    fresh = DebugArtifacts(inputs_digest="d", engine="e", artifacts={}, errors={}, history=[])
    assert _json(fresh) == {
        "inputsDigest": "d",
        "engine": "e",
        "artifacts": {},
        "errors": {},
        "history": [],
    }
    mark = ReviewMark(
        fingerprint="f",
        applied_at=dt.datetime(2026, 1, 2, 3, 4, 5, 6, dt.UTC),
        source="api",
        computed_method=SyncMethod.HYBRID,
    )
    # appliedAt as Python's isoformat() wrote it, "+00:00" rather than "Z".
    assert mark == {
        "fingerprint": "f",
        "appliedAt": "2026-01-02T03:04:05.000006+00:00",
        "source": "api",
        "computedMethod": "hybrid",
    }
    assert ReviewerMark(kind="token", name="farm") == {"kind": "token", "name": "farm"}


def test_older_entries_with_missing_and_unknown_keys_still_read() -> None:
    assert DebugArtifacts.model_validate({}) == {}
    older = {
        "inputsDigest": "x",
        "plot": "https://s3.example/plot.png",
        "pairs": [["A", "B"]],
        "history": [{"offsetsMs": {"B": 3.0}, "note": "kept"}],
        "review": {"fingerprint": "f", "legacy": True},
    }
    debug = DebugArtifacts.model_validate(older)
    assert debug.engine is None and debug.review is not None and debug.review.source is None
    assert debug.history == [HistoryEntry(offsets_ms={"B": 3.0}, note="kept")]
    assert _json(debug) == older
    # And after the worker changes a known key, the unknown ones are still there.
    changed = debug.model_copy(update={"review": ReviewMark(fingerprint="g")})
    assert _json(changed) == {**older, "review": {"fingerprint": "g"}}


def test_a_value_of_the_wrong_shape_reads_as_absent_and_is_kept_as_written() -> None:
    typed_in = {
        "inputsDigest": 42,
        "errors": "oops",
        "artifacts": {"A": ["not", "a url"]},
        "review": {"fingerprint": 7, "computedMethod": "telepathy", "source": "api"},
        "history": [{"offsetsMs": {"B": "far"}, "approvedBy": "bo"}, "junk", 3],
        "timeline": "soon",
    }
    debug = DebugArtifacts.model_validate(typed_in)
    assert debug.inputs_digest is None and debug.errors is None and debug.artifacts is None
    assert debug.timeline is None
    assert debug.review is not None and debug.review.fingerprint is None
    assert debug.review.computed_method is None and debug.review.source == "api"
    assert debug.history is not None and len(debug.history) == 1  # objects only, as ever
    assert debug.history[0].offsets_ms is None and debug.history[0].approved_by == "bo"
    assert debug.unreadable == {
        "inputsDigest": 42,
        "errors": "oops",
        "artifacts": {"A": ["not", "a url"]},
        "timeline": "soon",
    }
    assert _json(debug) == {**typed_in, "history": [typed_in["history"][0]]}
    # A value set since replaces what was unreadable.
    assert _json(debug.model_copy(update={"timeline": TimelineLink(path="/p")}))["timeline"] == {
        "path": "/p"
    }


def test_a_sync_result_whose_debug_artifacts_is_not_an_object_is_refused_as_before() -> None:
    entry = {"id": 1, "documentId": "r", "operatorStatus": "pending"}
    assert SyncResult.model_validate({**entry, "debugArtifacts": None}).debug_artifacts is None
    with pytest.raises(ValidationError):
        SyncResult.model_validate({**entry, "debugArtifacts": ["a", "list"]})


def test_the_data_model_doc_names_every_key() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "data-model.md").read_text()
    section = doc.split("#### `debugArtifacts`", 1)[1].split("\n## ", 1)[0]
    for model in (DebugArtifacts, HistoryEntry, ReviewMark, ReviewerMark, TimelineLink):
        for field in model.model_fields.values():
            assert f"`{field.alias}`" in section or f'"{field.alias}"' in section, field.alias
