"""Whether a derived-media entry's stored keys name that entry's own files.

The key is text in Strapi; before the worker deletes the object or the API signs a
link to it or reads it, it must be the file ``object_key`` gives the entry's session,
camera, take and kind (``is_derived_key_of``), never an original or another session's object.
"""

from __future__ import annotations

from strapi_client.models import DerivedMedia, MediaAsset, RecordingSession
from worker.storage.keys import is_derived_key_of


def _is_own(
    key: str | None, derived: DerivedMedia, asset: MediaAsset, session: RecordingSession | None
) -> bool:
    return (
        key is not None
        and session is not None
        and is_derived_key_of(
            key,
            session.project_id,
            session.date,
            asset.camera_label.value,
            derived.kind.value,
            asset.take,
        )
    )


def owns_key(derived: DerivedMedia, asset: MediaAsset, session: RecordingSession | None) -> bool:
    """True when the entry's key is its own file's: the asset's session, camera, take and kind."""
    return _is_own(derived.storage_key, derived, asset, session)


def owned_clip_keys(
    derived: DerivedMedia, asset: MediaAsset, session: RecordingSession | None
) -> set[str]:
    """The keys of a review-clips entry's clips that are this asset's review clips."""
    clips = derived.clips.clips if derived.clips is not None else []
    return {c.key for c in clips if _is_own(c.key, derived, asset, session)}
