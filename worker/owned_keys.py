"""Whether a derived-media entry's stored key names that entry's own file.

The key is text in Strapi; before the worker deletes the object or the API signs a
link to it or reads it, it must be the file ``object_key`` gives the entry's session,
camera, take and kind (``is_derived_key_of``), never an original or another session's object.
"""

from __future__ import annotations

from strapi_client.models import DerivedMedia, MediaAsset, RecordingSession
from worker.storage.keys import is_derived_key_of


def owns_key(derived: DerivedMedia, asset: MediaAsset, session: RecordingSession | None) -> bool:
    """True when the entry's key is its own file's: the asset's session, camera, take and kind."""
    return (
        derived.storage_key is not None
        and session is not None
        and is_derived_key_of(
            derived.storage_key,
            session.project_id,
            session.date,
            asset.camera_label.value,
            derived.kind.value,
            asset.take,
        )
    )
