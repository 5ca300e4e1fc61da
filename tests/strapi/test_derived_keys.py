"""The worker deletes only a derived entry's own file (#22 item 2).

A derived-media entry's storageKey is text in Strapi. Whatever it says, dropping
the entry never deletes an original, another session's or another camera's object:
a real Strapi holds the entries, a local store the objects.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from strapi_client import RecordingSession, StrapiClient
from strapi_client.enums import CameraLabel, DerivedKind
from strapi_client.models import DerivedMediaInput
from worker.jobs import derived
from worker.storage.keys import is_derived_key_of, object_key
from worker.storage.local import LocalObjectStore

DAY = dt.date(2026, 3, 14)


def _deps(strapi: StrapiClient, store: LocalObjectStore) -> Any:
    return cast(Any, SimpleNamespace(strapi=strapi, store=store))


async def test_dropping_entries_deletes_only_their_own_files(
    strapi: StrapiClient, session_entry: RecordingSession, tmp_path: Path
) -> None:
    store = LocalObjectStore(tmp_path)
    project = session_entry.project_id
    asset = await strapi.upsert_asset(session_entry.document_id, CameraLabel.A)
    own = object_key(project, DAY, "proxy", "A", version=2)
    foreign = {
        DerivedKind.AUDIO_WAV: object_key(project, DAY, "original", "A", ext="mov"),
        DerivedKind.WAVEFORM: object_key("other-project", DAY, "waveform", "A"),
        DerivedKind.THUMBNAIL: object_key(project, DAY, "thumbnail", "B"),
        DerivedKind.MEZZANINE: object_key(project, DAY, "proxy", "A"),  # another kind's
    }
    for key in [own, *foreign.values()]:
        await store.put_bytes(key, b"x", "application/octet-stream")
    await strapi.upsert_derived_media(
        asset.document_id,
        DerivedKind.PROXY,
        DerivedMediaInput(url=store.url_for(own), storage_key=own),
    )
    for kind, key in foreign.items():
        await strapi.upsert_derived_media(
            asset.document_id, kind, DerivedMediaInput(url=store.url_for(key), storage_key=key)
        )

    await derived.drop_kinds(_deps(strapi, store), asset.document_id, lambda _: False)

    assert await store.head(own) is None
    for key in foreign.values():
        assert await store.head(key) is not None, key
    fresh = await strapi.assets.get(asset.document_id, populate={"derivatives": True})
    assert fresh.derivatives == []  # the entries go either way


def test_a_derived_key_belongs_to_one_session_camera_and_kind() -> None:
    key = object_key("acme", DAY, "audio-wav", "B", version=3)
    assert is_derived_key_of(key, "acme", DAY, "B", "audio-wav")
    assert not is_derived_key_of(key, "acme", DAY, "A", "audio-wav")
    assert not is_derived_key_of(key, "acme", DAY + dt.timedelta(days=1), "B", "audio-wav")
    assert not is_derived_key_of(key, "acme-2", DAY, "B", "audio-wav")
    assert not is_derived_key_of(key, "acme", DAY, "B", "proxy")
    original = object_key("acme", DAY, "original", "B", ext="mov")
    assert not is_derived_key_of(original, "acme", DAY, "B", "original")
    assert not is_derived_key_of("projects/acme/../x", "acme", DAY, "B", "proxy")
