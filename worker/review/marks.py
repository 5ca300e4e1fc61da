"""Telling an operator's review from the worker's own write of it (pure).

Strapi fires a webhook for every write, the worker's included. When the worker
applies a review it records a fingerprint of what it applied (status, offsets,
reviewer) in ``debugArtifacts.review``; an entry whose review fields still
match that fingerprint needs nothing, and any change an operator makes in the
admin (a new status, other offsets, another name) no longer matches.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from strapi_client.debug_artifacts import DebugArtifacts
from worker.queue import apply_review_job_id

REVIEWED = ("approved", "corrected")


def _canonical_offsets(offsets: object) -> object:
    if not isinstance(offsets, Mapping):
        return offsets
    out: dict[str, object] = {}
    for key, value in offsets.items():
        number = isinstance(value, int | float) and not isinstance(value, bool)
        # Rounded: a value that went through PostgreSQL's jsonb and back must match.
        out[str(key)] = round(float(value), 3) if number and math.isfinite(value) else value
    return out


def fingerprint(status: object, offsets: object, reviewer: object) -> str:
    """A short digest of the review fields (any JSON values, even malformed ones)."""
    doc = [status, _canonical_offsets(offsets), reviewer]
    text = json.dumps(doc, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def applied_fingerprint(debug_artifacts: DebugArtifacts | object) -> str | None:
    """The fingerprint of the review the worker last applied, if any.

    Takes the typed field, or the raw JSON of a webhook's entry: that can hold
    anything an operator typed, and must still be read (never raise).
    """
    if isinstance(debug_artifacts, Mapping):
        try:
            debug_artifacts = DebugArtifacts.model_validate(debug_artifacts)
        except ValidationError:
            return None
    if not isinstance(debug_artifacts, DebugArtifacts) or debug_artifacts.review is None:
        return None
    return debug_artifacts.review.fingerprint


def review_job_id(entry: Mapping[str, Any]) -> str | None:
    """The ``apply_review`` job id for a sync-result entry, or None if nothing is to apply.

    None for pending results and for results whose review was already applied
    (the echo of the worker's own write). The id carries the fingerprint, so a
    burst of identical webhooks collapses into one job, and a later edit gets its own.
    """
    status = entry.get("operatorStatus")
    doc_id = entry.get("documentId")
    if status not in REVIEWED or not isinstance(doc_id, str):
        return None
    current = fingerprint(status, entry.get("operatorOffsetsMs"), entry.get("approvedBy"))
    if current == applied_fingerprint(entry.get("debugArtifacts")):
        return None
    return apply_review_job_id(doc_id, current[:16])
