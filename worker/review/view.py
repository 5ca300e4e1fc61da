"""A sync-result entry read leniently: an operator may type anything into its JSON fields.

``operatorOffsetsMs`` is free JSON in the Strapi admin; the typed ``SyncResult``
model would refuse ``{"C": "about 4 s"}`` and the worker could not even read the
entry to say what is wrong. It is therefore kept aside as raw JSON, and the
rest of the entry is parsed as usual.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from strapi_client.debug_artifacts import DebugArtifacts, ReviewMark
from strapi_client.enums import OperatorStatus
from strapi_client.models import SyncResult
from worker.review.marks import applied_fingerprint

_OPERATOR_OFFSETS = "operatorOffsetsMs"


@dataclass(frozen=True)
class ResultView:
    result: SyncResult  # operator_offsets_ms is left unset here: see ``operator_offsets_raw``
    operator_offsets_raw: Any
    session_id: str | None

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> ResultView:
        # The session is populated with its documentId only: not a full typed session.
        rest = {k: v for k, v in raw.items() if k not in (_OPERATOR_OFFSETS, "session")}
        session = raw.get("session")
        session_id = session.get("documentId") if isinstance(session, Mapping) else None
        return cls(
            result=SyncResult.model_validate(rest),
            operator_offsets_raw=raw.get(_OPERATOR_OFFSETS),
            session_id=session_id if isinstance(session_id, str) else None,
        )

    @property
    def document_id(self) -> str:
        return self.result.document_id

    @property
    def computed_offsets(self) -> dict[str, float]:
        return dict(self.result.offsets_ms or {})

    @property
    def operator_offsets(self) -> dict[str, float] | None:
        """The operator's offsets if they are a well-formed {label: number} map."""
        raw = self.operator_offsets_raw
        if not isinstance(raw, Mapping):
            return None
        out: dict[str, float] = {}
        for key, value in raw.items():
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                return None
            out[str(key)] = float(value)
        return out

    @property
    def final_offsets(self) -> dict[str, float]:
        """What the editing phases use: the correction if corrected, else the computed ones."""
        corrected = self.operator_offsets
        if self.result.operator_status is OperatorStatus.CORRECTED and corrected is not None:
            return corrected
        return self.computed_offsets

    @property
    def debug_artifacts(self) -> DebugArtifacts:
        """The result's debugArtifacts (empty when it has none)."""
        return self.result.debug_artifacts or DebugArtifacts()

    @property
    def applied_fingerprint(self) -> str | None:
        return applied_fingerprint(self.result.debug_artifacts)

    @property
    def review_mark(self) -> ReviewMark | None:
        """What the worker recorded of the review it last applied."""
        return self.debug_artifacts.review
