"""Which file each clip points at, for a stored camera: originals, mezzanines, proxies."""

from __future__ import annotations

from strapi_client.models import DerivedMedia, MediaAsset
from worker.handoff.media import MediaChoice, asset_media
from worker.handoff.model import CameraMedia
from worker.session_clips import AssetClip, asset_clips

BUCKET = "https://bucket.example/p/2026-11-20"


def asset(**kw: object) -> AssetClip:
    """The session's one clip: this asset."""
    (clip,) = asset_clips([_asset(**kw)])
    return clip


def _asset(**kw: object) -> MediaAsset:
    derivatives = [
        DerivedMedia(id=i, document_id=f"d{i}", kind=kind, url=f"{BUCKET}/{name}")
        for i, (kind, name) in enumerate(
            [("mezzanine", "B-mezz.mp4"), ("proxy", "B-proxy.mp4"), ("audio-wav", "B.wav")]
        )
    ]
    base: dict[str, object] = {
        "id": 1,
        "document_id": "a1",
        "camera_label": "B",
        "original_filename": "MVI 0042.MOV",
        "original_url": f"{BUCKET}/original-B.mov",
        "duration_ms": 36_000,
        "fps": 25.0,
        "audio_start_ms": -21.3,
        "video_start_ms": 0.0,
        "derivatives": derivatives,
    }
    return MediaAsset.model_validate({**base, **kw})


def placed(found: CameraMedia | str) -> CameraMedia:
    assert isinstance(found, CameraMedia), found
    return found


def test_originals_by_url_or_under_a_media_root() -> None:
    cam = placed(asset_media(asset(), MediaChoice.ORIGINAL))
    assert cam.video == cam.audio and cam.video is not None
    assert cam.video.url == f"{BUCKET}/original-B.mov"
    # Time 0 of the file is its first stream's start: the audio, 21.3 ms before the picture.
    assert cam.video.origin_ms == -21.3 and cam.video.duration_ms == 36_000
    rooted = placed(asset_media(asset(original_url=None), MediaChoice.ORIGINAL, "/Volumes/Shoot/"))
    assert rooted.video is not None
    assert rooted.video.url == "file:///Volumes/Shoot/MVI%200042.MOV"


def test_mezzanines_and_proxies_with_the_audio_wavs() -> None:
    mezz = placed(asset_media(asset(), MediaChoice.MEZZANINE))
    assert mezz.video is not None and mezz.video.url == f"{BUCKET}/B-mezz.mp4"
    proxy = placed(asset_media(asset(), MediaChoice.PROXY))
    assert proxy.video is not None and proxy.audio is not None
    # The proxy starts at the first frame, the WAV at the first sample.
    assert (proxy.video.url, proxy.video.origin_ms) == (f"{BUCKET}/B-proxy.mp4", 0.0)
    assert (proxy.audio.url, proxy.audio.origin_ms) == (f"{BUCKET}/B.wav", -21.3)
    assert proxy.video.duration_ms == 36_000 - 21.3


def test_a_camera_that_cannot_be_pointed_at_says_why() -> None:
    assert "no URL" in str(asset_media(asset(original_url=None), MediaChoice.ORIGINAL))
    assert "media facts" in str(asset_media(asset(audio_start_ms=None), MediaChoice.ORIGINAL))
    assert "no mezzanine" in str(asset_media(asset(derivatives=[]), MediaChoice.MEZZANINE))


def test_takes_are_clips_of_their_camera_and_a_recorder_is_sound_only() -> None:
    first, second = asset_clips([_asset(take=2, document_id="a2"), _asset()])
    assert (first.id, second.id) == ("B#1", "B#2")
    cam = placed(asset_media(second, MediaChoice.PROXY))
    assert (cam.label, cam.camera, cam.take, cam.track_label) == ("B#2", "B", 2, "B")
    wav = DerivedMedia(id=9, document_id="d9", kind="audio-wav", url=f"{BUCKET}/REC.wav")
    (rec,) = asset_clips(
        [
            _asset(
                camera_label="REC",
                original_filename="ZOOM0001.WAV",
                original_url=f"{BUCKET}/original-REC.wav",
                fps=None,
                audio_start_ms=0.0,
                video_start_ms=None,
                derivatives=[wav],
            )
        ]
    )
    for choice, url in [
        (MediaChoice.ORIGINAL, f"{BUCKET}/original-REC.wav"),
        (MediaChoice.MEZZANINE, f"{BUCKET}/REC.wav"),
        (MediaChoice.PROXY, f"{BUCKET}/REC.wav"),
    ]:
        sound = placed(asset_media(rec, choice))
        assert sound.recorder and sound.video is None and sound.audio is not None
        assert (sound.audio.url, sound.audio.origin_ms) == (url, 0.0)
