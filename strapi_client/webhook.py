"""The body Strapi POSTs to a webhook for entry.create / entry.update / entry.delete."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import JsonValue

from .base import Entry, StrapiModel
from .models import DerivedMedia, MediaAsset, RecordingSession, SyncResult

ENTRY_MODELS: dict[str, type[Entry]] = {
    model.uid: model for model in (RecordingSession, MediaAsset, DerivedMedia, SyncResult)
}


class WebhookEvent(StrapiModel):
    """`entry` carries relations one level deep for create/update, none for delete."""

    event: str
    created_at: dt.datetime
    model: str
    uid: str
    entry: dict[str, JsonValue]

    @property
    def document_id(self) -> str | None:
        value = self.entry.get("documentId")
        return value if isinstance(value, str) else None

    @property
    def is_ours(self) -> bool:
        """Whether the entry is one of the four multicam content types."""
        return self.uid in ENTRY_MODELS

    def typed_entry(self) -> Entry | None:
        """The entry parsed as its content type, or None for other types."""
        model = ENTRY_MODELS.get(self.uid)
        return model.model_validate(self.entry) if model else None


def parse_webhook(body: bytes | str | dict[str, Any]) -> WebhookEvent:
    """Validate a webhook body; raises pydantic.ValidationError when malformed."""
    if isinstance(body, dict):
        return WebhookEvent.model_validate(body)
    return WebhookEvent.model_validate_json(body)
