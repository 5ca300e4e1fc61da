"""Shared pieces of the /v2 request and response models (camelCase JSON, like Strapi)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic.alias_generators import to_camel

# Strapi documentIds (24 lower-case letters and digits); other shapes never reach Strapi.
DOC_ID_PATTERN = r"^[A-Za-z0-9]{1,64}$"


def _encodable(value: str) -> str:
    # Lone surrogates pass JSON parsing but cannot be stored; refuse them here (422).
    value.encode("utf-8")
    return value


# No control characters: PostgreSQL refuses NUL, and none belongs in a name or title.
Line = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f]*$"), AfterValidator(_encodable)]
# Free text: newlines and tabs allowed.
Text = Annotated[
    str,
    StringConstraints(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"),
    AfterValidator(_encodable),
]


class ApiModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


class RequestModel(ApiModel):
    model_config = ConfigDict(extra="forbid")


class PresignedUrl(ApiModel):
    """A request to make as is: method, URL and exactly these headers."""

    method: Literal["GET", "PUT"]
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    expires_at: dt.datetime


class Link(ApiModel):
    """A temporary download link (presigned) or the stored object's URL."""

    url: str
    expires_at: dt.datetime | None = None
