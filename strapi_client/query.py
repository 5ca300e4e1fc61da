"""Strapi's bracketed query string (`filters[state][$eq]=ready`) from Python values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

# A filter tree as Strapi documents it, e.g. {"session": {"documentId": {"$eq": id}}}.
Filters = Mapping[str, Any]
# "*", ["assets", "syncResult"], or Strapi's object form {"assets": {"populate": [...]}}.
Populate = str | Sequence[str] | Mapping[str, Any]
Params = list[tuple[str, str]]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None:
        return "null"
    return str(value)


def flatten(prefix: str, value: Any) -> Params:
    """`flatten("filters", {"a": {"$in": [1, 2]}})` -> filters[a][$in][0]=1, ...[1]=2."""
    if isinstance(value, Mapping):
        out: Params = []
        for key, item in value.items():
            out.extend(flatten(f"{prefix}[{key}]", item))
        return out
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        out = []
        for index, item in enumerate(value):
            out.extend(flatten(f"{prefix}[{index}]", item))
        return out
    return [(prefix, _scalar(value))]


def build_params(
    *,
    filters: Filters | None = None,
    populate: Populate | None = None,
    sort: str | Sequence[str] | None = None,
    fields: Sequence[str] | None = None,
    page: int | None = None,
    page_size: int | None = None,
) -> Params:
    """Query parameters for Strapi's REST API (v5 syntax)."""
    params: Params = []
    if filters:
        params.extend(flatten("filters", filters))
    if populate is not None:
        if isinstance(populate, str):
            params.append(("populate", populate))
        else:
            params.extend(flatten("populate", populate))
    if sort:
        params.extend(flatten("sort", [sort] if isinstance(sort, str) else list(sort)))
    if fields:
        params.extend(flatten("fields", list(fields)))
    if page is not None:
        params.append(("pagination[page]", str(page)))
    if page_size is not None:
        params.append(("pagination[pageSize]", str(page_size)))
    return params


def eq(value: Any) -> dict[str, Any]:
    """`{"$eq": value}`"""
    return {"$eq": value}


def one_of(values: Sequence[Any]) -> dict[str, Any]:
    """`{"$in": [...]}`"""
    return {"$in": list(values)}


def related(document_id: str) -> dict[str, Any]:
    """Filter on a relation's target: `{"documentId": {"$eq": id}}`."""
    return {"documentId": {"$eq": document_id}}
