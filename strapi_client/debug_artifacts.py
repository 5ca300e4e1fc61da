"""``debugArtifacts``: the JSON field of a sync-result, as one typed model.

Strapi stores it as free JSON, so the model reads whatever is there without failing:

* keys it does not know (written by an older worker, or by an operator) are kept
  as extras and written back unchanged;
* a known key whose value has the wrong shape (``"errors": "oops"``) reads as absent
  but is kept aside as it was written, and written back unchanged too;
* only a value that is not a JSON object at all is refused, as it always was.

Dump it with ``exclude_unset=True`` (``WriteModel.to_strapi`` does): keys that were not
there stay out, so a worker write produces the same JSON as the dicts it replaces.

Layout (camelCase on the wire)::

    {"inputsDigest": "...",        # what the result was computed from (jobs/session_sync.py)
     "engine": "multicam-xcorr-1",
     "masterClip": "A#1",          # the timeline's zero, when the master has several files
     "artifacts": {"B": "<url>"},  # per clip, its uploaded debug JSON
     "errors": {"C": "..."},       # per clip, why it could not be placed
     "history": [ {...}, ... ],    # earlier results' figures, oldest first
     "timeline": {"path": "/v2/sessions/<id>/timeline", "formats": [...]},
     "review": {"fingerprint": "...", "appliedAt": "...", "source": "api",
                "computedMethod": "xcorr", "reviewer": {"kind": "token", "name": "..."}}}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ModelWrapValidatorHandler,
    PlainSerializer,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
    model_validator,
)
from pydantic.alias_generators import to_camel

from .enums import CameraLabel, OperatorStatus, SyncMethod


class JsonRecord(BaseModel):
    """A JSON object of free JSON field: typed where known, everything kept as written."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="allow",
    )
    # Known keys whose value could not be read, exactly as they were written.
    _unreadable: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _set_aside_unreadable(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        try:
            return handler(data)
        except ValidationError as exc:
            if not isinstance(data, Mapping):
                raise  # not an object at all: nothing to keep apart
            # The first element of an error's location is the key as written in `data`.
            bad = {e["loc"][0] for e in exc.errors() if e["loc"]}
            model = handler({k: v for k, v in data.items() if k not in bad})
            model._unreadable = {k: v for k, v in data.items() if k in bad}
            return model

    @model_serializer(mode="wrap")
    def _with_unreadable(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        for key, value in self._unreadable.items():
            name = self._field_name(key)
            # A value given since (model_copy(update=...), assignment) replaces it.
            if name not in self.model_fields_set and _selected(name, info.include, info.exclude):
                out[key] = value
        return out

    @classmethod
    def _field_name(cls, key: str) -> str:
        for name, field in cls.model_fields.items():
            if key in (name, field.alias):
                return name
        return key

    def __eq__(self, other: object) -> bool:
        # Equal to the JSON object it writes, too: a record read back from Strapi can be
        # compared with the dict it was written from.
        if isinstance(other, Mapping):
            return self.model_dump(mode="json", exclude_unset=True) == dict(other)
        return super().__eq__(other)

    __hash__ = None  # type: ignore[assignment]  # mutable, like every BaseModel

    @property
    def unreadable(self) -> dict[str, Any]:
        """Known keys whose value had the wrong shape, as written (read as absent)."""
        return dict(self._unreadable)


def _selected(name: str, include: Any, exclude: Any) -> bool:
    if include is not None and name not in include:
        return False
    return not (exclude is not None and name in exclude)


# The review mark's time is written as Python's isoformat() ("+00:00"), not pydantic's "Z".
IsoDatetime = Annotated[dt.datetime, PlainSerializer(dt.datetime.isoformat, return_type=str)]


class ReviewerMark(JsonRecord):
    """Who signed a /v2 review, from its credential (``worker.review.reviewer``)."""

    kind: Literal["token", "admin"] | None = None
    name: str | None = None  # kind "token": the token's name
    id: int | None = None  # kind "admin": the Strapi admin user's id ...
    email: str | None = None  # ... and e-mail


class ReviewMark(JsonRecord):
    """The worker's record of the review it applied (``worker.review.marks``)."""

    # What the echo of the worker's own write is recognised by.
    fingerprint: str | None = None
    applied_at: IsoDatetime | None = None
    source: str | None = None  # "api" or "admin": where the operator acted
    # How the computed offsets were found (``method`` says manual once corrected).
    computed_method: SyncMethod | None = None
    reviewer: ReviewerMark | None = None


class TimelineLink(JsonRecord):
    """Where the API serves a reviewed session's timeline (``worker.handoff.link``)."""

    path: str | None = None
    formats: list[str] | None = None


class HistoryEntry(JsonRecord):
    """An earlier result's figures, kept when a re-sync replaced it (``jobs/session_sync.py``).

    The fields shared with ``SyncResult`` and with ``DebugArtifacts`` are the ones
    copied into the entry from the result being replaced.
    """

    master_camera: CameraLabel | None = None
    offsets_ms: dict[str, float] | None = None
    confidence: dict[str, float] | None = None
    confidence_pct: dict[str, float] | None = None
    classification: dict[str, str] | None = None
    drift_ppm: dict[str, float] | None = None
    method: SyncMethod | None = None
    operator_status: OperatorStatus | None = None
    operator_offsets_ms: dict[str, float] | None = None
    approved_by: str | None = None
    approved_at: dt.datetime | None = None
    review_notes: str | None = None
    computed_at: dt.datetime | None = None
    inputs_digest: str | None = None
    engine: str | None = None
    master_clip: str | None = None
    errors: dict[str, str] | None = None
    review: ReviewMark | None = None


def _objects_only(value: Any) -> Any:
    # Every reader of the history always skipped anything but an object in it.
    if isinstance(value, list):
        return [item for item in value if isinstance(item, Mapping | HistoryEntry)]
    return value


class DebugArtifacts(JsonRecord):
    """The sync-result's ``debugArtifacts``: see the module docstring for the layout."""

    inputs_digest: str | None = None
    engine: str | None = None
    # The clip at the timeline's zero when the master camera has several files (its
    # label, masterCamera, names it otherwise): see worker/session_clips.py.
    master_clip: str | None = None
    artifacts: dict[str, str] | None = None  # clip id -> URL of its debug JSON
    errors: dict[str, str] | None = None  # clip id -> why it could not be placed
    history: Annotated[list[HistoryEntry] | None, BeforeValidator(_objects_only)] = None
    timeline: TimelineLink | None = None
    review: ReviewMark | None = None
