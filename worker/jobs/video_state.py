"""What the video jobs write on a media-asset: encoding progress, ready, failed.

One place for the three writes, shared by the one-pass encode (``encode_video``)
and a proxy made in segments (``worker.jobs.proxy_segments``). A failed encode
leaves the asset ``ready``: its audio, and so the session's sync, stay good.
"""

from __future__ import annotations

from collections.abc import Iterable

from strapi_client.enums import VideoState
from strapi_client.models import MediaAsset, MediaAssetInput
from worker.jobs.context import Deps
from worker.logging import get_logger

AUDIO_READY = "audio ready"


async def progress(deps: Deps, asset_id: str, fraction: float, message: str) -> None:
    """The encode is ``fraction`` done (kept below 100 % until it is recorded)."""
    pct = max(0, min(99, int(fraction * 100)))
    await deps.strapi.update_asset(
        asset_id,
        MediaAssetInput(
            video_state=VideoState.ENCODING,
            video_progress_pct=pct,
            progress_message=f"{AUDIO_READY}; {message.replace('encoding video', 'video')}",
        ),
    )


async def ready(deps: Deps, asset_id: str, kinds: Iterable[str]) -> None:
    """Every video derivative is stored and recorded."""
    await deps.strapi.update_asset(
        asset_id,
        MediaAssetInput(
            video_state=VideoState.READY,
            video_progress_pct=100,
            error_message=None,
            progress_message=f"ready: audio-wav, waveform, {', '.join(kinds)}",
        ),
    )


async def failed(deps: Deps, asset: MediaAsset, reason: str) -> None:
    """The video could not be made; the audio, and so the sync, stay as they are."""
    get_logger().warning("video_failed", reason=reason)
    await deps.strapi.update_asset(
        asset.document_id,
        MediaAssetInput(
            video_state=VideoState.FAILED,
            video_progress_pct=None,
            error_message=f"video derivatives failed (the audio and the sync are not affected): "
            f"{reason}",
            progress_message=f"{AUDIO_READY}; video failed",
        ),
    )
