"""Base pydantic models: Strapi's camelCase JSON on the wire, snake_case in Python."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer
from pydantic.alias_generators import to_camel

# Strapi returns biginteger as a string; send it as one too so JavaScript's JSON.parse
# never rounds values above 2**53.
BigInt = Annotated[int, PlainSerializer(str, return_type=str, when_used="json")]

# PostgreSQL text cannot hold control characters such as NUL (Strapi answers 500), and
# messages quote bytes of hostile files: written as \xNN escapes instead.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _escape_controls(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    return value


StoredText = Annotated[str, BeforeValidator(_escape_controls)]

# What Strapi's ids look like (a PostgreSQL integer; a 24-character documentId): a
# webhook body claiming a thousand-digit id or a documentId of "../../x" is refused
# at the boundary, not carried into job ids and Redis keys.
EntryId = Annotated[int, Field(ge=0, lt=2**63)]
DOCUMENT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
DocumentId = Annotated[str, Field(pattern=DOCUMENT_ID_PATTERN)]
_DOCUMENT_ID = re.compile(DOCUMENT_ID_PATTERN)


def is_document_id(value: object) -> bool:
    """True for a string shaped like a Strapi documentId (raw webhook bodies are unchecked)."""
    return isinstance(value, str) and _DOCUMENT_ID.fullmatch(value) is not None


class StrapiModel(BaseModel):
    """camelCase aliases, accepts either spelling, ignores fields it does not know."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="ignore",
    )


class Entry(StrapiModel):
    """Fields Strapi adds to every entry of a collection type."""

    uid: ClassVar[str]
    plural: ClassVar[str]

    id: EntryId
    document_id: DocumentId
    created_at: datetime | None = None
    updated_at: datetime | None = None


class DocumentRef(StrapiModel):
    """A relation target, by documentId."""

    document_id: str


class RelationChange(StrapiModel):
    """Strapi 5 relation operations for a write: connect, disconnect, or set all."""

    connect: list[DocumentRef] | None = None
    disconnect: list[DocumentRef] | None = None
    set: list[DocumentRef] | None = None

    @classmethod
    def connecting(cls, *document_ids: str) -> RelationChange:
        return cls(connect=[DocumentRef(document_id=d) for d in document_ids])

    @classmethod
    def disconnecting(cls, *document_ids: str) -> RelationChange:
        return cls(disconnect=[DocumentRef(document_id=d) for d in document_ids])

    @classmethod
    def setting(cls, *document_ids: str) -> RelationChange:
        return cls(set=[DocumentRef(document_id=d) for d in document_ids])


class WriteModel(StrapiModel):
    """Input for create/update: only the fields that were set are sent."""

    def to_strapi(self) -> dict[str, Any]:
        """The `data` object of a create or update request."""
        return self.model_dump(mode="json", exclude_unset=True, by_alias=True)


def _coerce_relation(value: Any) -> Any:
    # A bare documentId is shorthand for connecting that one target.
    if isinstance(value, str):
        return RelationChange.connecting(value)
    return value


RelationInput = Annotated[RelationChange | None, BeforeValidator(_coerce_relation)]
