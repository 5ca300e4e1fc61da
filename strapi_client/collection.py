"""CRUD, listing and relation edits for one collection type."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from .base import Entry, RelationChange, WriteModel
from .query import Filters, Populate, build_params
from .transport import Transport

M = TypeVar("M", bound=Entry)
W = TypeVar("W", bound=WriteModel)


class Pagination(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    page: int = 1
    page_size: int = Field(25, alias="pageSize")
    page_count: int = Field(0, alias="pageCount")
    total: int = 0


class Page(BaseModel, Generic[M]):
    """One page of a listing with Strapi's pagination meta."""

    items: list[M]
    pagination: Pagination


def _data(payload: Any) -> Any:
    return payload.get("data") if isinstance(payload, Mapping) else None


class Collection(Generic[M, W]):
    """Typed access to /api/<plural>: reads parse into `model`; writes take `W` (or raw
    Strapi JSON as a Mapping)."""

    def __init__(self, transport: Transport, model: type[M], write_model: type[W]) -> None:
        self._transport = transport
        self.model = model
        self.write_model = write_model
        self.path = f"/api/{model.plural}"

    def _item(self, document_id: str) -> str:
        # Quoted whole: an id from a webhook or a URL is data, never more path ("../x").
        return f"{self.path}/{quote(str(document_id), safe='')}"

    @staticmethod
    def _body(data: W | Mapping[str, Any]) -> dict[str, Any]:
        # A Mapping is Strapi JSON (camelCase) sent as is: for fields this client does not
        # model yet, and for letting Strapi itself judge a value.
        return {"data": data.to_strapi() if isinstance(data, WriteModel) else dict(data)}

    async def get(self, document_id: str, *, populate: Populate | None = None) -> M:
        """One document; StrapiNotFound if it does not exist."""
        return self.model.model_validate(await self.get_raw(document_id, populate=populate))

    async def get_raw(
        self, document_id: str, *, populate: Populate | None = None
    ) -> dict[str, Any] | None:
        """One document as Strapi sent it (camelCase JSON, not validated); StrapiNotFound
        if it does not exist, None if the answer holds no object.

        For readers that must cope with whatever an operator typed into a JSON field,
        which the typed model would refuse before they could say what is wrong.
        """
        payload = await self._transport.request(
            "GET", self._item(document_id), params=build_params(populate=populate)
        )
        data = _data(payload)
        return dict(data) if isinstance(data, Mapping) else None

    async def find(
        self,
        *,
        filters: Filters | None = None,
        populate: Populate | None = None,
        sort: str | Sequence[str] | None = None,
        page: int = 1,
        page_size: int = 25,
    ) -> Page[M]:
        """One page of matching documents."""
        raw, pagination = await self._find_raw(
            filters=filters, populate=populate, sort=sort, page=page, page_size=page_size
        )
        items = [self.model.model_validate(item) for item in raw]
        return Page[M](items=items, pagination=pagination)

    async def find_raw(
        self,
        *,
        filters: Filters | None = None,
        populate: Populate | None = None,
        sort: str | Sequence[str] | None = None,
        page: int = 1,
        page_size: int = 25,
    ) -> list[dict[str, Any]]:
        """One page of matching documents as Strapi sent them (see ``get_raw``)."""
        raw, _ = await self._find_raw(
            filters=filters, populate=populate, sort=sort, page=page, page_size=page_size
        )
        return [dict(item) for item in raw if isinstance(item, Mapping)]

    async def _find_raw(
        self,
        *,
        filters: Filters | None,
        populate: Populate | None,
        sort: str | Sequence[str] | None,
        page: int,
        page_size: int,
    ) -> tuple[list[Any], Pagination]:
        params = build_params(
            filters=filters, populate=populate, sort=sort, page=page, page_size=page_size
        )
        payload = await self._transport.request("GET", self.path, params=params)
        meta = payload.get("meta", {}) if isinstance(payload, Mapping) else {}
        return list(_data(payload) or []), Pagination.model_validate(meta.get("pagination", {}))

    async def first(
        self,
        *,
        filters: Filters | None = None,
        populate: Populate | None = None,
        sort: str | Sequence[str] = "id:asc",
    ) -> M | None:
        """The first matching document (oldest by default), or None."""
        page = await self.find(filters=filters, populate=populate, sort=sort, page_size=1)
        return page.items[0] if page.items else None

    async def count(self, *, filters: Filters | None = None) -> int:
        page = await self.find(filters=filters, page_size=1)
        return page.pagination.total

    async def iterate(
        self,
        *,
        filters: Filters | None = None,
        populate: Populate | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[M]:
        """Every matching document, in id order, fetched `page_size` at a time."""
        async for item in self.iterate_raw(filters=filters, populate=populate, page_size=page_size):
            yield self.model.model_validate(item)

    async def iterate_raw(
        self,
        *,
        filters: Filters | None = None,
        populate: Populate | None = None,
        page_size: int = 100,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every matching document as Strapi sent it (see ``get_raw``), in id order.

        For scans where one entry the typed model refuses must not stop the others.
        Keyset pagination (id > last seen) rather than page numbers: callers typically
        change the very field they filter on (state), which would shift numbered pages
        under them and skip entries.
        """
        last_id = 0
        while True:
            page_filters: dict[str, Any] = {"id": {"$gt": last_id}}
            if filters:
                page_filters = {"$and": [dict(filters), page_filters]}
            items = await self.find_raw(
                filters=page_filters, populate=populate, sort="id:asc", page_size=page_size
            )
            for item in items:
                yield item
            if len(items) < page_size:
                return
            last_id = int(items[-1]["id"])

    async def create(
        self,
        data: W | Mapping[str, Any],
        *,
        populate: Populate | None = None,
        idempotent: bool = False,
    ) -> M:
        """A new document. Not resent after a failure that may have created it (a read
        timeout, a 500) unless ``idempotent``: a unique natural key in ``data`` makes a
        second create fail instead of duplicating, as ``upsert`` relies on."""
        payload = await self._transport.request(
            "POST",
            self.path,
            params=build_params(populate=populate),
            body=self._body(data),
            idempotent=idempotent,
        )
        return self.model.model_validate(_data(payload))

    async def update(
        self,
        document_id: str,
        data: W | Mapping[str, Any],
        *,
        populate: Populate | None = None,
    ) -> M:
        """Partial update: only the fields set on `data` change."""
        payload = await self._transport.request(
            "PUT",
            self._item(document_id),
            params=build_params(populate=populate),
            body=self._body(data),
        )
        return self.model.model_validate(_data(payload))

    async def delete(self, document_id: str) -> None:
        """Delete a document; its children cascade server-side. Deleting a document that
        does not exist is a no-op (Strapi answers 204 either way), so retries are safe."""
        await self._transport.request("DELETE", self._item(document_id))

    async def connect(self, document_id: str, field: str, *targets: str) -> M:
        """Add relation targets (by documentId) to `field`."""
        return await self._relation(document_id, field, RelationChange.connecting(*targets))

    async def disconnect(self, document_id: str, field: str, *targets: str) -> M:
        """Remove relation targets (by documentId) from `field`."""
        return await self._relation(document_id, field, RelationChange.disconnecting(*targets))

    async def set_relation(self, document_id: str, field: str, *targets: str) -> M:
        """Replace all targets of `field` (none clears it)."""
        return await self._relation(document_id, field, RelationChange.setting(*targets))

    async def _relation(self, document_id: str, field: str, change: RelationChange) -> M:
        data = {field: change.model_dump(mode="json", exclude_none=True, by_alias=True)}
        payload = await self._transport.request("PUT", self._item(document_id), body={"data": data})
        return self.model.model_validate(_data(payload))
