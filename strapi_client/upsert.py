"""Create-or-update by natural key, safe when several workers race on the same key.

Strapi keeps each keyed entry's `naturalKey` (e.g. "<session documentId>:<camera>") in a
column with a database unique index (see deploy/strapi/src/multicam/natural-keys.js).
Two concurrent creates of one key cannot both commit: the loser gets a 400 on
`naturalKey`, and then finds and updates the winner's entry.
"""

from __future__ import annotations

from typing import TypeVar

from .base import Entry, RelationChange, WriteModel
from .collection import Collection
from .errors import StrapiError, StrapiValidationError
from .query import Filters

NATURAL_KEY_FIELD = "naturalKey"

M = TypeVar("M", bound=Entry)
W = TypeVar("W", bound=WriteModel)


def changed_fields(existing: Entry, data: WriteModel) -> set[str]:
    """Fields of `data` whose values differ from `existing`; relation edits always count."""
    changed: set[str] = set()
    for name in data.model_fields_set:
        value = getattr(data, name)
        if isinstance(value, RelationChange) or getattr(existing, name, None) != value:
            changed.add(name)
    return changed


def only(data: W, fields: set[str]) -> W:
    """A copy of `data` with just `fields` marked as set, so only they are sent."""
    copy = data.model_copy()
    copy.__pydantic_fields_set__ = set(fields)
    return copy


async def upsert(
    collection: Collection[M, W],
    *,
    key_filters: Filters,
    create: W,
    update: W,
    attempts: int = 4,
) -> M:
    """The one entry matching `key_filters`, updated with `update`, or created from `create`.

    No request is sent for an update that would change nothing, so a retried job does not
    fire a webhook for every entry it touches again.
    """
    for _ in range(attempts):
        existing = await collection.first(filters=key_filters)
        if existing is not None:
            changes = changed_fields(existing, update)
            if not changes:
                return existing
            return await collection.update(existing.document_id, only(update, changes))
        try:
            # A resent create cannot duplicate: the key's unique index refuses it.
            return await collection.create(create, idempotent=True)
        except StrapiValidationError as error:
            if not error.has_field(NATURAL_KEY_FIELD):
                raise
            # Lost the race: the winner is committed now, so the next lookup finds it.
    raise StrapiError(f"upsert on {collection.path} did not settle after {attempts} attempts")
