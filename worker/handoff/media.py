"""Which file each clip points at: the originals, the mezzanines or the proxies (pure).

Every file is described by where its time 0 lies in the camera's source, the
one fact the builder needs to find the first audio sample and the first frame
in it (``worker.camera_clock`` holds how each derived file is timed).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import PurePosixPath
from urllib.parse import unquote, urlparse

from strapi_client.enums import DerivedKind
from worker.camera_clock import mezzanine_origin_ms, proxy_origin_ms
from worker.handoff.model import CameraMedia, MediaFile
from worker.session_clips import AssetClip


class MediaChoice(StrEnum):
    ORIGINAL = "original"  # the camera files as uploaded (default)
    MEZZANINE = "mezzanine"  # the CFR mezzanines: picture and sound
    PROXY = "proxy"  # the 720p proxies (no sound: the audio clips use the audio WAVs)


def file_name(url: str) -> str:
    """The last part of a URL's or a path's path."""
    return PurePosixPath(unquote(urlparse(url).path)).name or url


def file_url(path: str) -> str:
    """An absolute POSIX path as a file:// URL (what FCP XML and FCPXML expect); else as is."""
    return PurePosixPath(path).as_uri() if path.startswith("/") else path


def located(url: str, name: str | None, media_root: str | None) -> str:
    """The reference an editor opens: ``media_root``/name when given, else the URL."""
    if media_root is None:
        return url
    return file_url(f"{media_root.rstrip('/')}/{name or file_name(url)}")


def container_origin_ms(video_start_ms: float | None, audio_start_ms: float) -> float:
    """Time 0 of a camera file as editors read it: its first stream's start."""
    if video_start_ms is None:
        return audio_start_ms
    # The mezzanine is made to start exactly where its source container does.
    return mezzanine_origin_ms(video_start_ms, audio_start_ms)


def asset_media(
    clip: AssetClip, choice: MediaChoice, media_root: str | None = None
) -> CameraMedia | str:
    """A stored clip's files for the timeline, or why it cannot be placed."""
    asset = clip.asset
    audio, video = asset.audio_start_ms, asset.video_start_ms
    if audio is None or (video is None and not clip.recorder) or not asset.duration_ms:
        return "its media facts (start times, duration) are not known: ingest it again"
    urls = {d.kind: d.url for d in asset.derivatives or [] if d.url}
    end_ms = container_origin_ms(video, audio) + asset.duration_ms  # the source's end

    def file(url: str, name: str | None, origin_ms: float) -> MediaFile:
        return MediaFile(
            url=located(url, name, media_root), origin_ms=origin_ms, duration_ms=end_ms - origin_ms
        )

    if clip.recorder:
        return _recorder_media(clip, choice, media_root, urls, file)
    label = clip.id

    if choice is MediaChoice.ORIGINAL:
        # With a media root, the file's name is enough: the editor has the shoot on disk.
        original = asset.original_url or (asset.original_filename if media_root else None)
        if not original:
            return "its original file has no URL (give a media root to point at its name)"
        both = file(original, asset.original_filename, container_origin_ms(video, audio))
        return CameraMedia(
            label=label,
            camera=clip.label,
            take=clip.take,
            fps=asset.fps,
            audio_start_ms=audio,
            video_start_ms=video,
            video=both,
            audio=both,
        )
    if choice is MediaChoice.MEZZANINE:
        url = urls.get(DerivedKind.MEZZANINE)
        if url is None:
            return "it has no mezzanine (yet)"
        assert video is not None
        both = file(url, None, mezzanine_origin_ms(video, audio))
        return CameraMedia(
            label=label,
            camera=clip.label,
            take=clip.take,
            fps=asset.fps,
            audio_start_ms=audio,
            video_start_ms=video,
            video=both,
            audio=both,
        )
    proxy, wav = urls.get(DerivedKind.PROXY), urls.get(DerivedKind.AUDIO_WAV)
    if proxy is None or wav is None:
        return "it has no proxy or audio WAV (yet)"
    assert video is not None
    return CameraMedia(
        label=label,
        camera=clip.label,
        take=clip.take,
        fps=asset.fps,
        audio_start_ms=audio,
        video_start_ms=video,
        video=file(proxy, None, proxy_origin_ms(video, audio)),
        audio=file(wav, None, audio),
    )


def _recorder_media(
    clip: AssetClip,
    choice: MediaChoice,
    media_root: str | None,
    urls: dict[DerivedKind, str],
    file: Callable[[str, str | None, float], MediaFile],
) -> CameraMedia | str:
    """A sound recorder's file: sound only, the original WAV (or its audio WAV, which is
    what the mezzanine and proxy choices stand in with for every camera's sound)."""
    asset = clip.asset
    audio = asset.audio_start_ms
    assert audio is not None
    if choice is MediaChoice.ORIGINAL:
        original = asset.original_url or (asset.original_filename if media_root else None)
        if not original:
            return "its original file has no URL (give a media root to point at its name)"
        sound = file(original, asset.original_filename, audio)
    else:
        wav = urls.get(DerivedKind.AUDIO_WAV)
        if wav is None:
            return "it has no audio WAV (yet)"
        sound = file(wav, None, audio)
    return CameraMedia(
        label=clip.id,
        camera=clip.label,
        take=clip.take,
        recorder=True,
        audio_start_ms=audio,
        audio=sound,
    )
