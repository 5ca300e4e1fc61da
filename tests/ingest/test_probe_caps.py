"""probe() refuses what is beyond the configured caps, with a message the operator can act on.

Small generated files (320x180, 3 s, stereo, 2 streams) against caps set just below them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.conftest import write_media
from worker.errors import MediaError, MediaOverLimit
from worker.ingest import IngestSettings, probe


def _caps(**caps: float) -> IngestSettings:
    return IngestSettings(**caps)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "caps,setting,says",
    [
        ({"max_frame_side": 300}, "MULTICAM_INGEST_MAX_FRAME_SIDE", "320x180 pixels"),
        ({"max_frame_pixels": 320 * 180 - 1}, "MULTICAM_INGEST_MAX_FRAME_PIXELS", "57,600"),
        ({"max_duration_s": 2.0}, "MULTICAM_INGEST_MAX_DURATION_S", "duration of 3.0 s"),
        ({"max_audio_channels": 1}, "MULTICAM_INGEST_MAX_AUDIO_CHANNELS", "2 channels"),
        ({"max_streams": 1}, "MULTICAM_INGEST_MAX_STREAMS", "2 streams"),
    ],
    ids=["side", "pixels", "duration", "channels", "streams"],
)
def test_a_file_over_a_cap_is_refused_naming_it(
    media: dict[str, Path], caps: dict[str, float], setting: str, says: str
) -> None:
    with pytest.raises(MediaOverLimit) as info:
        probe(media["mp4"], limits=_caps(**caps))
    message = str(info.value)  # what the asset's errorMessage shows
    assert isinstance(info.value, MediaError)
    assert message.startswith("camera.mp4: ")
    assert setting in message and says in message, message
    assert "over the limit" in message


def test_surround_is_refused_by_a_stereo_cap(media: dict[str, Path]) -> None:
    with pytest.raises(MediaOverLimit, match="6 channels"):
        probe(media["surround"], limits=_caps(max_audio_channels=2))
    assert probe(media["surround"], limits=_caps(max_audio_channels=6)).audio_channels == 6


def test_a_file_at_the_caps_passes(media: dict[str, Path]) -> None:
    exact = _caps(
        max_frame_side=320,
        max_frame_pixels=320 * 180,
        max_duration_s=3.1,
        max_audio_channels=2,
        max_streams=2,
    )
    assert probe(media["mp4"], limits=exact).resolution == "320x180"


def test_every_audio_stream_counts(tmp_path: Path) -> None:
    """A second, wider audio stream is still read by FFmpeg: it is capped too."""
    import av

    src = write_media(tmp_path / "two.mp4")
    out_path = tmp_path / "two-audio.mkv"
    with av.open(str(src)) as inp, av.open(str(out_path), "w") as out:
        v_in, a_in = inp.streams.video[0], inp.streams.audio[0]
        v_out = out.add_stream_from_template(v_in)
        a_out = out.add_stream_from_template(a_in)
        wide = out.add_stream("pcm_s16le", rate=48_000, layout="5.1")
        for packet in inp.demux(v_in, a_in):
            if packet.dts is None:
                continue
            packet.stream = v_out if packet.stream is v_in else a_out
            out.mux(packet)
        frame = av.AudioFrame(format="s16", layout="5.1", samples=1024)
        for plane in frame.planes:
            plane.update(bytes(plane.buffer_size))
        frame.sample_rate, frame.pts = 48_000, 0
        out.mux(wide.encode(frame))
        out.mux(wide.encode())
    with pytest.raises(MediaOverLimit, match="6 channels"):
        probe(out_path, limits=_caps(max_audio_channels=2))


def test_the_default_caps_read_the_environment(
    media: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ingest job calls probe(path): the caps come from MULTICAM_INGEST_* then."""
    assert probe(media["mp4"]).resolution == "320x180"  # the defaults accept it
    monkeypatch.setenv("MULTICAM_INGEST_MAX_DURATION_S", "1")
    with pytest.raises(MediaOverLimit, match="MULTICAM_INGEST_MAX_DURATION_S"):
        probe(media["mp4"])
