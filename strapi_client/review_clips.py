"""``clips``: the JSON field of a ``review-clips`` derived-media entry, as one typed model.

A camera's review clips are several small files; the entry's own ``storageKey``
is the first, and ``clips`` lists them all with where each lies::

    {"syncComputedAt": "2026-12-07T13:40:02.118Z",   # the sync result they were cut for
     "clips": [{"key": "projects/.../review-clips/angle-002_v001_c01.mp4",
                "startMs": 41500.0, "endMs": 45500.0,          # on the master's timeline
                "proxyStartMs": 38283.0, "proxyEndMs": 42283.0,  # on the camera's proxy's
                "sizeBytes": 812345, "reasons": ["event"]}]}

Times on the master's timeline are those of the offsets the clips were cut for;
the proxy-timeline times are the camera's own and stay right whatever an operator
nudges. Only the worker writes the field (the admin guards it); a value of another
shape reads as no clips, so a damaged entry never breaks the asset it hangs on.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, ValidationError, WrapValidator
from pydantic_core.core_schema import ValidatorFunctionWrapHandler

from .base import StrapiModel


class ReviewClip(StrapiModel):
    """One review clip: its object and the span it shows."""

    key: str = Field(max_length=1024)
    start_ms: float
    end_ms: float
    proxy_start_ms: float
    proxy_end_ms: float
    size_bytes: int = Field(ge=0)
    reasons: list[str] = Field(default_factory=list, max_length=8)


class ReviewClipSet(StrapiModel):
    """A camera's review clips, cut for one sync result."""

    sync_computed_at: dt.datetime | None = None
    clips: list[ReviewClip] = Field(default_factory=list, max_length=99)


def _lenient(value: Any, handler: ValidatorFunctionWrapHandler) -> ReviewClipSet | None:
    try:
        result: ReviewClipSet | None = handler(value)
    except ValidationError:
        return None
    return result


ReviewClipsField = Annotated[ReviewClipSet | None, WrapValidator(_lenient)]
"""The field as read from Strapi: malformed JSON reads as None."""
