"""derive_all(): every output of one pass, checked by decoding it back with PyAV."""

from __future__ import annotations

import hashlib
import json
import wave
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tests.ingest.conftest import BLACK_UNTIL_S, DURATION_S, envelope, write_media
from worker.ingest import DerivedFile, IngestSettings, derive_all, planned_kinds, probe
from worker.ingest.boxes import check_boxes

KINDS = ["audio-wav", "proxy", "waveform", "thumbnail"]


@pytest.fixture(scope="module")
def derived(
    media: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, DerivedFile], list[tuple[float, str]]]:
    config = IngestSettings(proxy_height=120, thumbnail_width=160, waveform_samples_per_pixel=480)
    calls: list[tuple[float, str]] = []
    files = derive_all(
        media["mp4"],
        tmp_path_factory.mktemp("out"),
        probe(media["mp4"]),
        config,
        lambda f, m: calls.append((f, m)),
    )
    return {f.kind: f for f in files}, calls


def test_outputs_and_checksums(derived: tuple[dict[str, DerivedFile], list]) -> None:
    files, _ = derived
    assert list(files) == KINDS  # a CFR source gets no mezzanine
    for f in files.values():
        data = f.path.read_bytes()
        assert f.size_bytes == len(data) > 0
        assert f.sha256 == hashlib.sha256(data).hexdigest()
        assert f.path.suffix == "." + f.extension
    assert files["proxy"].content_type == "video/mp4"
    assert files["audio-wav"].content_type == "audio/wav"
    assert files["thumbnail"].content_type == "image/jpeg"
    assert files["waveform"].content_type == "application/json"
    out_dir = files["proxy"].path.parent
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(f.path.name for f in files.values())


def test_progress_reported(derived: tuple[dict[str, DerivedFile], list[tuple[float, str]]]) -> None:
    _, calls = derived
    fractions = [f for f, _ in calls]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and calls[-1][1] == "done"
    assert all(0 <= f <= 1 and msg for f, msg in calls)


def test_proxy(derived: tuple[dict[str, DerivedFile], list]) -> None:
    path = derived[0]["proxy"].path
    with av.open(str(path)) as c:
        assert not c.streams.audio and len(c.streams.video) == 1
        vs = c.streams.video[0]
        assert vs.codec_context.name == "h264"
        assert (vs.codec_context.width, vs.codec_context.height) == (214, 120)
        assert vs.codec_context.pix_fmt == "yuv420p"
        packets = [p for p in c.demux(vs) if p.size]
    assert len(packets) == 75
    # Keyframe every proxy_gop frames (default 15), exactly: no scene-cut keyframes.
    assert IngestSettings().proxy_gop == 15
    assert [p.is_keyframe for p in packets] == [i % 15 == 0 for i in range(75)]
    # No B-frames: decode order is presentation order.
    pts = [p.pts for p in packets]
    assert pts == sorted(pts) and all(p.pts == p.dts for p in packets)
    # +faststart: the index comes before the media data.
    kinds = [b.kind for b in check_boxes(path).boxes]
    assert kinds.index("moov") < kinds.index("mdat")
    with av.open(str(path)) as c:
        frames = list(c.decode(video=0))
    assert len(frames) == 75 and frames[0].format.name == "yuv420p"


def test_wav(derived: tuple[dict[str, DerivedFile], list]) -> None:
    path = derived[0]["audio-wav"].path
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, 48000)
        n = w.getnframes()
        samples = np.frombuffer(w.readframes(n), "<i2").reshape(-1, 2)
    assert abs(n / 48000 - DURATION_S) < 0.03
    with av.open(str(path)) as c:
        a = c.streams.audio[0]
        assert (a.codec_context.name, a.rate, a.codec_context.channels) == ("pcm_s16le", 48000, 2)
    loud = np.abs(samples[int(1.2 * 48000) : int(1.8 * 48000)]).max() / 32768
    silent = np.abs(samples[int(0.1 * 48000) : int(0.9 * 48000)]).max() / 32768
    assert 0.7 < loud < 0.9 and silent < 0.01


def test_waveform(derived: tuple[dict[str, DerivedFile], list]) -> None:
    doc = json.loads(derived[0]["waveform"].path.read_text())
    assert {
        k: doc[k] for k in ("version", "channels", "sample_rate", "samples_per_pixel", "bits")
    } == {"version": 2, "channels": 1, "sample_rate": 48000, "samples_per_pixel": 480, "bits": 8}
    with wave.open(str(derived[0]["audio-wav"].path)) as w:
        n = w.getnframes()
    assert doc["length"] == -(-n // 480) and len(doc["data"]) == 2 * doc["length"]
    data = np.array(doc["data"])
    mins, maxs = data[0::2], data[1::2]
    assert np.all(mins <= maxs) and data.min() >= -128 and data.max() <= 127
    # 100 points a second: the peaks follow the tone's loudness envelope.
    t = (np.arange(doc["length"]) + 0.5) * 480 / 48000
    for lo, hi in ((0.1, 0.9), (1.1, 1.9), (2.1, 2.9)):
        sel = (t > lo) & (t < hi)
        expected = envelope(np.array([(lo + hi) / 2]))[0] * 127
        assert abs(maxs[sel].mean() - expected) < 4, (lo, maxs[sel].mean(), expected)
        assert abs(-mins[sel].mean() - expected) < 4


def test_thumbnail(derived: tuple[dict[str, DerivedFile], list]) -> None:
    path = derived[0]["thumbnail"].path
    assert path.read_bytes()[:3] == b"\xff\xd8\xff"
    with av.open(str(path)) as c:
        frame = next(c.decode(video=0))
        assert c.streams.video[0].codec_context.name == "mjpeg"
    assert (frame.width, frame.height) == (160, 90)
    # 10% of 3 s is before the 1 s minimum, and the picture is black until 1.4 s.
    assert BLACK_UNTIL_S > 1.0
    assert frame.to_ndarray(format="gray").mean() > 60


def _packets(path: Path, kind: str) -> list[av.Packet]:
    with av.open(str(path)) as c:
        stream = c.streams.video[0] if kind == "video" else c.streams.audio[0]
        return [p for p in c.demux(stream) if p.size]


@pytest.mark.parametrize("key", ["vfr_mp4", "vfr_mkv"])
def test_vfr_source_gets_cfr_mezzanine(
    media: dict[str, Path], config: IngestSettings, tmp_path: Path, key: str
) -> None:
    result = probe(media[key])
    assert result.vfr and planned_kinds(result, config)[-1] == "mezzanine"
    files = {f.kind: f for f in derive_all(media[key], tmp_path, result, config)}
    assert set(files) == {*KINDS, "mezzanine"}
    mezz = files["mezzanine"]
    assert (mezz.content_type, mezz.extension) == ("video/quicktime", "mov")
    with av.open(str(mezz.path)) as c:
        vs, aus = c.streams.video[0], c.streams.audio[0]
        assert vs.codec_context.name == "h264" and vs.codec_context.pix_fmt == "yuv420p"
        assert (vs.codec_context.width, vs.codec_context.height) == (320, 180)
        assert vs.average_rate == 25
        assert (aus.codec_context.name, aus.rate) == ("pcm_s16le", 48000)
        tb = vs.time_base
        duration = float(c.duration or 0) / 1e6
    video = _packets(mezz.path, "video")
    times = sorted(float(p.pts * tb) for p in video)
    assert np.allclose(np.diff(times), 1 / 25, atol=1e-6)  # constant frame rate
    assert abs(len(video) - 25 * DURATION_S) <= 2
    assert abs(duration - DURATION_S) < 0.1
    assert not probe(mezz.path).vfr
    decoded = _frame_times(mezz.path)
    assert len(decoded) == len(video) and np.allclose(np.diff(decoded), 1 / 25, atol=1e-6)
    # The proxy keeps the source's own (variable) timing, frame for frame.
    assert np.allclose(_frame_times(files["proxy"].path), _frame_times(media[key]), atol=1e-3)


def _frame_times(path: Path) -> list[float]:
    with av.open(str(path)) as c:
        return [float(f.time or 0.0) for f in c.decode(video=0)]


def test_anamorphic_proxy_has_square_pixels(tmp_path: Path, config: IngestSettings) -> None:
    src = write_media(tmp_path / "anamorphic.mp4", sar=Fraction(4, 3))
    files = {
        f.kind: f
        for f in derive_all(src, tmp_path / "out", probe(src), config, kinds=["proxy", "thumbnail"])
    }
    with av.open(str(files["proxy"].path)) as c:
        cc = c.streams.video[0].codec_context
        assert (cc.width, cc.height) == (284, 120)  # 320 * 4/3 = 427 wide on screen
    with av.open(str(files["thumbnail"].path)) as c:
        frame = next(c.decode(video=0))
    assert (frame.width, frame.height) == (160, 68)


def test_mezzanine_on_demand(media: dict[str, Path], tmp_path: Path) -> None:
    config = IngestSettings(
        proxy_height=120,
        always_make_mezzanine=True,
        mezzanine_audio="aac",
        mezzanine_preset="ultrafast",
    )
    result = probe(media["mkv"])
    files = {f.kind: f for f in derive_all(media["mkv"], tmp_path, result, config)}
    with av.open(str(files["mezzanine"].path)) as c:
        assert c.streams.audio[0].codec_context.name == "aac"
        assert c.streams.video[0].frames == 75


@pytest.mark.parametrize(("key", "channels"), [("mono", 1), ("surround", 2)])
def test_wav_channels(
    media: dict[str, Path], config: IngestSettings, tmp_path: Path, key: str, channels: int
) -> None:
    files = derive_all(media[key], tmp_path, probe(media[key]), config, kinds=["audio-wav"])
    with wave.open(str(files[0].path)) as w:
        assert w.getnchannels() == channels and w.getframerate() == 48000
        assert abs(w.getnframes() / 48000 - DURATION_S) < 0.03


def test_portrait_phone(media: dict[str, Path], config: IngestSettings, tmp_path: Path) -> None:
    files = {
        f.kind: f
        for f in derive_all(
            media["rotated"],
            tmp_path,
            probe(media["rotated"]),
            config,
            kinds=["proxy", "thumbnail"],
        )
    }
    with av.open(str(files["thumbnail"].path)) as c:
        thumb = next(c.decode(video=0))
    assert (thumb.width, thumb.height) == (160, 284)
    with av.open(str(files["proxy"].path)) as c:
        frame = next(c.decode(video=0))
    assert (frame.width, frame.height) == (214, 120) and frame.rotation == -90


@pytest.mark.parametrize("kind", ["audio-wav", "waveform", "thumbnail", "proxy"])
def test_single_kind(
    media: dict[str, Path], config: IngestSettings, tmp_path: Path, kind: str
) -> None:
    files = derive_all(media["mp4"], tmp_path, probe(media["mp4"]), config, kinds=[kind])
    assert [f.kind for f in files] == [kind]
    assert [p.name for p in tmp_path.iterdir()] == [files[0].path.name]


def test_rerun_replaces_outputs(
    media: dict[str, Path], config: IngestSettings, tmp_path: Path
) -> None:
    result = probe(media["mp4"])
    first = derive_all(media["mp4"], tmp_path, result, config)
    second = derive_all(media["mp4"], tmp_path, result, config)
    assert [f.path for f in first] == [f.path for f in second]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f.path.name for f in second)


def test_time_base_fraction_is_exact(media: dict[str, Path]) -> None:
    assert probe(media["vfr_mp4"]).rate == Fraction(25)
