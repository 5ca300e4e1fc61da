"""Tests of the synthetic corpus generator itself (fast: a few seconds)."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import av
import numpy as np
import pytest
from scipy.signal import resample

from tests.corpus import (
    FAMILIES,
    CameraSpec,
    ChannelModel,
    SceneSpec,
    Segment,
    all_cases,
    build_case,
    decode_audio,
    make_case,
    random_case,
    spec_hash,
    synthesize_scene,
    truth_relative_to,
    write_media,
    write_video_only,
)
from tests.corpus import cases as cases_mod
from tests.corpus.channel import CameraChain, channel_filters, eq_fir, eq_magnitude, room_impulse
from tests.corpus.containers import CONTAINER_CODECS, VIDEO_CODEC
from tests.corpus.render import render
from tests.corpus.room import RoomChannel, explicit_room_impulse
from tests.corpus.simulated_room import (
    DIRECTIVITIES,
    SPEED_OF_SOUND_M_S,
    SimulatedRoomChannel,
)
from tests.corpus.sources import SCENE_RATE, active_power, loop_length

REQUIRED_FAMILIES = {
    "clean",
    "noise_10db",
    "noise_0db",
    "noise_m5db",
    "reverb_eq",
    "mixed_rates",
    "codecs",
    "polarity",
    "clipping",
    "drift",
    "partial_overlap",
    "chain_overlap",
    "large_offset",
    "music_steady",
    "sparse",
    "crowd",
    "unrelated",
    "silence",
    "no_audio",
    "hard_room",
    "simulated_room",
}


def _lag_samples(ref: np.ndarray, x: np.ndarray, max_lag: int = 200) -> float:
    """Sub-sample lag of x relative to ref (x[n] ~ ref[n - lag]), parabolic peak fit."""
    n = min(len(ref), len(x))
    size = 1 << int(np.ceil(np.log2(2 * n)))
    c = np.fft.irfft(np.fft.rfft(x[:n], size) * np.conj(np.fft.rfft(ref[:n], size)), size)
    c = np.concatenate([c[-max_lag:], c[: max_lag + 1]])
    k = int(np.argmax(c))
    y0, y1, y2 = c[k - 1], c[k], c[k + 1]
    return k - max_lag + 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)


def _bursty_noise(n: int, rate: int, channels: int, seed: int = 0) -> np.ndarray:
    """Band-limited (< 6 kHz) noise with on/off bursts: easy to align, codec friendly."""
    rng = np.random.default_rng(seed)
    spec = np.fft.rfft(rng.standard_normal((n, channels)), axis=0)
    spec[np.fft.rfftfreq(n, 1 / rate) > 6000] = 0
    x = np.fft.irfft(spec, n, axis=0)
    env = (np.sin(2 * np.pi * 2.7 * np.arange(n) / rate) > -0.3).astype(float)
    x *= env[:, None]
    return 0.1 * x / x.std()


# --------------------------------------------------------------------------- render


@pytest.mark.parametrize("rate", [48_000, 44_100, 32_000, 22_050, 16_000, 8_000])
@pytest.mark.parametrize("drift", [0.0, 87.5])
def test_render_matches_analytic_band_limited_signal(rate: int, drift: float) -> None:
    t = np.arange(6 * SCENE_RATE) / SCENE_RATE
    freqs = np.array([97.3, 440.0, 1234.5, min(0.3 * rate, 12_000.0)])  # inside passbands
    phases = np.array([0.3, 1.1, 2.0, 4.0])
    scene = sum(np.sin(2 * np.pi * f * t + p) for f, p in zip(freqs, phases, strict=True))
    start, n = 1.234567891, int(3 * rate)
    y = render(scene, rate, start, drift, 0, n)
    tau = start + np.arange(n) / (rate * (1 + drift * 1e-6))
    ref = sum(np.sin(2 * np.pi * f * tau + p) for f, p in zip(freqs, phases, strict=True))
    err = np.sqrt(np.mean((y - ref) ** 2) / np.mean(ref**2))
    assert err < 5e-4  # better than -66 dB (the filters' ripple and the interpolator)
    # A sub-sample timing check on the slowest component (most sensitive to delay).
    f = freqs[1]
    a, b = (
        np.mean(y * np.sin(2 * np.pi * f * tau + phases[1])),
        np.mean(y * np.cos(2 * np.pi * f * tau + phases[1])),
    )
    assert abs(np.arctan2(-b, a) / (2 * np.pi * f)) < 1e-7  # < 0.1 us


def test_render_is_chunking_invariant() -> None:
    rng = np.random.default_rng(1)
    scene = rng.standard_normal(5 * SCENE_RATE)
    for drift in (0.0, -40.0):
        whole = render(scene, 44_100, 0.5 + 1e-7, drift, -100, 90_000)
        parts = np.concatenate(
            [
                render(scene, 44_100, 0.5 + 1e-7, drift, a, min(a + 30_001, 90_000))
                for a in range(-100, 90_000, 30_001)
            ]
        )
        assert np.max(np.abs(whole - parts)) < 1e-9


# --------------------------------------------------------------------------- truth


def _spec3() -> cases_mod.CaseSpec:
    cams = [
        CameraSpec("A", 2.0, 30.0, drift_ppm=35.0),
        CameraSpec("B", 9.51234567, 25.0, sample_rate=44_100, drift_ppm=-80.0),
        CameraSpec("C", 0.7654321, 20.0, sample_rate=32_000, drift_ppm=120.0),
    ]
    return cases_mod.CaseSpec("t", "t", 1, SceneSpec((Segment("speech", 40.0),), 1), tuple(cams))


def test_truth_convention_formulas_and_composition() -> None:
    spec = _spec3()
    ta = truth_relative_to(spec, "A")
    assert ta.offsets_ms["A"] == 0.0 and ta.drift_ppm["A"] == 0.0
    a, b = spec.camera("A"), spec.camera("B")
    assert ta.offsets_ms["B"] == pytest.approx(
        (b.start_s - a.start_s) * (1 + 35e-6) * 1000, abs=1e-9
    )
    assert ta.drift_ppm["B"] == pytest.approx(((1 - 80e-6) / (1 + 35e-6) - 1) * 1e6, abs=1e-9)
    # Master file time m -> scene time -> camera X file time, against the truth mapping.
    for m_ms in (0.0, 5123.4, 29_000.0):
        tau = a.start_s + m_ms / 1000 / (1 + a.drift_ppm * 1e-6)
        for label in "BC":
            c = spec.camera(label)
            x_ms = (tau - c.start_s) * (1 + c.drift_ppm * 1e-6) * 1000
            want = (m_ms - ta.offsets_ms[label]) * (1 + ta.drift_ppm[label] * 1e-6)
            assert x_ms == pytest.approx(want, abs=1e-6)  # 1 ns
    # Changing master composes: X relative to B from X and B relative to A.
    tb = truth_relative_to(spec, "B")
    for m_ms in (100.0, 20_000.0):
        xb = (m_ms - ta.offsets_ms["B"]) * (1 + ta.drift_ppm["B"] * 1e-6)
        xc_direct = (m_ms - ta.offsets_ms["C"]) * (1 + ta.drift_ppm["C"] * 1e-6)
        xc_via_b = (xb - tb.offsets_ms["C"]) * (1 + tb.drift_ppm["C"] * 1e-6)
        assert xc_via_b == pytest.approx(xc_direct, abs=1e-6)


def test_truth_marks_unmatched_cameras() -> None:
    spec = FAMILIES["silence"][0]
    t = truth_relative_to(spec, "A")
    assert set(t.unmatched) == {"C", "D"} and set(t.offsets_ms) == {"A", "B"}
    with pytest.raises(ValueError):
        truth_relative_to(spec, "C")


# --------------------------------------------------------------------------- containers


@pytest.mark.parametrize(
    "container,codec", [(c, k) for c, ks in CONTAINER_CODECS.items() for k in ks]
)
def test_decoded_first_sample_is_where_we_say(tmp_path: Path, container: str, codec: str) -> None:
    rate = 48_000 if codec in ("opus", "aac", "mp3") else 44_100
    x = _bursty_noise(int(1.6 * rate), rate, 2)
    path = write_media(
        tmp_path / f"x.{container}",
        x,
        rate,
        container=container,
        audio_codec=codec,
        video=container in VIDEO_CODEC,
    )
    y, r = decode_audio(path)
    assert r == rate and y.shape[1] == 2
    assert len(y) >= len(x)  # AAC appends up to one frame of padding at the end
    lag_ms = _lag_samples(x[:, 0], y[:, 0].astype(float)) / rate * 1000
    lossless = codec in ("pcm_s16le", "pcm_f32le", "flac")
    # Brief: <= 0.05 ms for lossless; lossy codecs measure ~0.0001 ms here too, so the
    # same bound holds for them (their residual shift hook is CODEC_DECODED_SHIFT_S).
    assert abs(lag_ms) <= 0.05
    if lossless:
        assert np.max(np.abs(y[: len(x)] - x)) < 1e-4


def test_video_streams_and_video_only(tmp_path: Path) -> None:
    x = _bursty_noise(48_000, 48_000, 1)
    for container in VIDEO_CODEC:
        codec = CONTAINER_CODECS[container][0]
        p = write_media(
            tmp_path / f"v.{container}", x, 48_000, container=container, audio_codec=codec
        )
        with av.open(str(p)) as f:
            kinds = sorted(s.type for s in f.streams)
            assert kinds == ["audio", "video"]
            if container == "webm":
                assert f.streams.video[0].codec_context.name == "vp8"
    p = write_video_only(tmp_path / "none.mp4", 2.0)
    with av.open(str(p)) as f:
        assert [s.type for s in f.streams] == ["video"]
        assert f.duration / 1e6 == pytest.approx(2.0, abs=0.15)


# --------------------------------------------------------------------------- content


def test_sources_are_varied_and_levelled() -> None:
    for kind in ("speech", "crowd", "music", "sparse", "ambient"):
        x = synthesize_scene(SceneSpec((Segment(kind, 12.0, -23.0),), 5, None))
        assert np.all(np.isfinite(x))
        level = 10 * np.log10(active_power(x, SCENE_RATE))
        assert level == pytest.approx(-23.0, abs=1.5), kind
    sparse = synthesize_scene(SceneSpec((Segment("sparse", 60.0),), 3, -62.0))  # cheap
    frames = sparse[: 60 * SCENE_RATE].reshape(60, -1).astype(float)
    quiet = np.mean(10 * np.log10(np.mean(frames**2, axis=1)) < -50)
    assert quiet > 0.6  # mostly room tone between events


def test_speech_has_syllabic_rhythm() -> None:
    x = synthesize_scene(SceneSpec((Segment("speech", 30.0),), 11, None)).astype(float)
    env = np.sqrt(np.mean(x[: len(x) // 480 * 480].reshape(-1, 480) ** 2, axis=1))  # 100 Hz
    spec = np.abs(np.fft.rfft(env - env.mean()))
    f = np.fft.rfftfreq(len(env), 0.01)
    band = spec[(f > 2) & (f < 9)].mean()
    assert band > 2 * spec[(f > 20) & (f < 40)].mean()


def test_music_loop_is_exactly_periodic() -> None:
    x = synthesize_scene(SceneSpec((Segment("music_loop", 20.0),), 4, None))
    lengths = [loop_length(b) for b in (80, 96, 100, 120, 125, 128)]
    a = 2 * SCENE_RATE  # away from the fades at the ends
    period = next(
        p for p in lengths if np.allclose(x[a : a + 20_000], x[a + p : a + p + 20_000], atol=1e-6)
    )
    end = len(x) - 2 * SCENE_RATE
    assert end - a > 2 * period
    assert np.max(np.abs(x[a : end - period] - x[a + period : end])) < 1e-6


def test_scene_is_deterministic() -> None:
    spec = SceneSpec((Segment("speech", 4.0), Segment("music", 4.0, -25.0)), 42)
    h1 = hashlib.sha256(synthesize_scene(spec).tobytes()).hexdigest()
    h2 = hashlib.sha256(synthesize_scene(spec).tobytes()).hexdigest()
    assert h1 == h2
    other = hashlib.sha256(synthesize_scene(replace(spec, seed=43)).tobytes()).hexdigest()
    assert other != h1


# --------------------------------------------------------------------------- channel


def test_room_impulse_direct_path_first_and_eq_zero_phase() -> None:
    rir = room_impulse(np.random.default_rng(0), 48_000, 0.8, 0.0)
    assert rir[0] == 1.0 and np.argmax(np.abs(rir)) == 0
    h = eq_fir(ChannelModel(eq="telephone", hp_hz=200), 16_000)
    assert h is not None and len(h) % 2 == 1 and np.allclose(h, h[::-1])


def test_explicit_room_has_its_reflections_and_drr_after_a_direct_path_first() -> None:
    refl = ((0.003, 0.6), (0.0172, -0.4), (0.0391, 0.5))
    rate = 48_000
    h = explicit_room_impulse(np.random.default_rng(3), rate, 0.9, -9.0, refl)
    assert h[0] == 1.0 and np.argmax(np.abs(h)) == 0
    tail = explicit_room_impulse(np.random.default_rng(3), rate, 0.9, -9.0, ())
    # Exactly the given reflections on top of the same diffuse tail.
    added = h - tail
    want = np.zeros_like(h)
    for d, g in refl:
        want[round(d * rate)] = g
    assert np.allclose(added, want, atol=1e-12)
    # The diffuse tail carries 9 dB more energy than the direct path.
    tail[0] = 0.0
    assert 10 * np.log10(np.sum(tail**2)) == pytest.approx(9.0, abs=0.01)


def test_room_channel_colour_is_zero_phase_and_keeps_the_direct_path_at_the_lead() -> None:
    model = RoomChannel(
        rt60_s=0.8,
        drr_db=-5.0,
        reflections=((0.01, 0.5),),
        hp_hz=300,
        lp_hz=4000,
        presence_db=9.0,
        presence_hz=3000.0,
    )
    f = np.array([3000.0])
    base = eq_magnitude(f, replace(model, presence_db=0.0))
    assert 20 * np.log10(eq_magnitude(f, model)[0] / base[0]) == pytest.approx(9.0, abs=0.1)
    eq = eq_fir(model, 48_000)
    assert eq is not None and np.allclose(eq, eq[::-1])
    filters, lead = channel_filters(model, 48_000, 1, np.random.default_rng(0))
    assert filters is not None and lead == len(eq) // 2
    dry = channel_filters(
        replace(model, reflections=(), drr_db=60.0), 48_000, 1, np.random.default_rng(0)
    )[0]
    assert dry is not None and int(np.argmax(np.abs(dry[0]))) == lead  # direct path at lead
    # A plain ChannelModel is unchanged by the hooks: its room is room_impulse's.
    plain = ChannelModel(rt60_s=0.8, drr_db=0.0)
    assert np.array_equal(
        plain.impulse(np.random.default_rng(5), 16_000),
        room_impulse(np.random.default_rng(5), 16_000, 0.8, 0.0),
    )


def test_snr_is_relative_to_active_signal() -> None:
    scene = synthesize_scene(SceneSpec((Segment("speech", 20.0),), 9, None))
    kw = dict(
        scene=scene,
        rate=16_000,
        start_s=1.0,
        drift_ppm=0.0,
        n_samples=16_000 * 15,
        channels=1,
        seed=(1,),
    )
    clean = np.concatenate(list(CameraChain(model=ChannelModel(), **kw).chunks()))
    for snr in (10.0, 0.0, -5.0):
        noisy = np.concatenate(list(CameraChain(model=ChannelModel(snr_db=snr), **kw).chunks()))
        # Levels are renormalised so signal+noise sits at the target: compare shapes.
        g = np.dot(noisy[:, 0], clean[:, 0]) / np.dot(clean[:, 0], clean[:, 0])
        noise = noisy[:, 0] - g * clean[:, 0]
        got = 10 * np.log10(active_power(g * clean, 16_000) / np.mean(noise**2))
        assert got == pytest.approx(snr, abs=0.7)


# --------------------------------------------------------------------------- cases


def test_registry_covers_required_families() -> None:
    assert set(FAMILIES) >= REQUIRED_FAMILIES
    names = [c.name for c in all_cases()]
    assert len(names) == len(set(names))
    codecs = {(c.cameras[0].container, c.cameras[0].audio_codec) for c in FAMILIES["codecs"]}
    assert {
        ("mp4", "aac"),
        ("mov", "pcm_s16le"),
        ("mkv", "flac"),
        ("webm", "opus"),
        ("wav", "pcm_s16le"),
        ("mp3", "mp3"),
    } <= codecs
    for spec in all_cases(long=False):
        cases_mod.validate(spec)
        assert all(c.duration_s <= 130 for c in spec.cameras), spec.name
    drift = all_cases(long=True)
    assert len([c for c in drift if c.family == "drift"]) >= 2
    for spec in drift:
        assert max(abs(c.drift_ppm) for c in spec.cameras) >= 40
        assert max(c.duration_s for c in spec.cameras) >= 20 * 60
    chain = FAMILIES["chain_overlap"][0]
    assert cases_mod.overlap_s(chain, "A", "C") == 0
    assert cases_mod.overlap_s(chain, "B", "C") > 0
    po = FAMILIES["partial_overlap"][1]
    assert cases_mod.overlap_s(po, "A", "B") <= 0.26 * 60


def test_hard_rooms_are_as_hard_as_issue_14_says() -> None:
    """RT60 0.7-1.0 s, tail 2-9 dB above the direct sound, reflections 2-40 ms at up to
    0.6x, high-pass 150-400 Hz, low-pass 3.5-7 kHz, presence +-9 dB differing per
    camera; several rooms, speech and music; short enough for the quick suite."""
    specs = FAMILIES["hard_room"]
    assert len(specs) >= 6
    assert {s.scene.segments[0].kind for s in specs} >= {"speech", "music"}
    rooms = set()
    for spec in specs:
        assert not spec.long and all(c.duration_s <= 60 for c in spec.cameras)
        models = [c.channel for c in spec.cameras]
        assert all(isinstance(m, RoomChannel) for m in models)
        rooms.add(models[0].rt60_s)
        assert len({(m.hp_hz, m.lp_hz, m.presence_db) for m in models}) == len(models)
        for m in models:
            assert isinstance(m, RoomChannel) and m.rt60_s is not None
            assert 0.7 <= m.rt60_s <= 1.0 and -9.0 <= m.drr_db <= -2.0
            assert m.hp_hz is not None and 150 <= m.hp_hz <= 400
            assert m.lp_hz is not None and 3500 <= m.lp_hz <= 7000
            assert abs(m.presence_db) <= 9.0
            assert all(0.002 <= d <= 0.040 and abs(g) <= 0.6 for d, g in m.reflections)
            assert max(g for _, g in m.reflections) >= 0.45  # one reflection competes
        # Truth is the recording clock: microphone distance adds nothing.
        truth = truth_relative_to(spec, "A")
        for c in spec.cameras:
            assert truth.offsets_ms[c.label] == pytest.approx(
                (c.start_s - spec.camera("A").start_s) * 1000, abs=1e-9
            )
    assert len(rooms) >= 3
    assert {m.presence_db for s in specs for m in (c.channel for c in s.cameras)} >= {9.0, -9.0}


def test_simulated_rooms_span_what_issue_23_asks() -> None:
    """Shoeboxes from a dry office to halls of RT60 2 s, microphones 0.5-12 m from the
    source with the package's directivities, speech, music and claps."""
    specs = FAMILIES["simulated_room"]
    models = [c.channel for s in specs for c in s.cameras]
    assert all(isinstance(m, SimulatedRoomChannel) for m in models)
    rooms = [m for m in models if isinstance(m, SimulatedRoomChannel)]
    rt60s = {m.rt60_s for m in rooms if m.rt60_s is not None}
    assert min(rt60s) <= 0.3 and max(rt60s) >= 2.0 and len(rt60s) >= 6
    distances = [m.distance_m for m in rooms]
    assert min(distances) < 1.0 and max(distances) > 11.0 and max(distances) <= 12.0
    assert {m.directivity for m in rooms} == set(DIRECTIVITIES)
    kinds = {seg.kind for s in specs for seg in s.scene.segments}
    assert kinds >= {"speech", "music", "sparse"}
    assert all(not s.long for s in specs)


def test_simulated_room_truth_is_the_clock_less_the_distance() -> None:
    spec = FAMILIES["simulated_room"][0]
    truth = truth_relative_to(spec, "A")
    a = spec.camera("A")
    for c in spec.cameras:
        assert isinstance(c.channel, SimulatedRoomChannel)
        assert isinstance(a.channel, SimulatedRoomChannel)
        clock_ms = (c.start_s - a.start_s) * 1000
        heard_ms = (c.channel.distance_m - a.channel.distance_m) / SPEED_OF_SOUND_M_S * 1000
        assert truth.clock_offsets_ms[c.label] == pytest.approx(clock_ms, abs=1e-9)
        assert truth.offsets_ms[c.label] == pytest.approx(clock_ms - heard_ms, abs=1e-9)


@pytest.mark.parametrize("rate", [48_000, 44_100])
def test_simulated_impulse_has_its_direct_path_at_the_distance(rate: int) -> None:
    """Nothing before the direct sound but filter ripple (the package's octave bands
    are linear-phase: the response's low band rings ahead of it about 50 dB down),
    and the direct sound's peak where distance / c puts it (to a tenth of a sample)."""
    spec = FAMILIES["simulated_room"][1]
    for c in spec.cameras:
        model = c.channel
        assert isinstance(model, SimulatedRoomChannel)
        h = model.impulse(np.random.default_rng(0), rate)
        at = model.propagation_s() * rate
        k0 = int(np.floor(at))
        lead = np.abs(h[: max(0, k0 - 40)])
        assert lead.max(initial=0.0) < 1e-2 * np.abs(h).max()
        # Band-limited interpolation (32x) of the sinc around the predicted tap.
        up = resample(h[k0 - 40 : k0 + 41], 81 * 32)
        peak = k0 - 40 + int(np.argmax(np.abs(up[31 * 32 : 50 * 32])) + 31 * 32) / 32
        assert peak == pytest.approx(at, abs=0.1), c.label
        assert np.array_equal(h, model.impulse(np.random.default_rng(0), rate))


def test_random_cases_are_valid_and_deterministic() -> None:
    for seed in range(150):
        spec = random_case(seed)
        cases_mod.validate(spec)
        assert spec == random_case(seed)
        assert all(30 <= c.duration_s <= 300 for c in spec.cameras)
        assert all(c.container in ("wav", "mkv") for c in spec.cameras)
    assert spec_hash(random_case(1)) != spec_hash(random_case(2))


def _tiny_case() -> cases_mod.CaseSpec:
    cm = ChannelModel
    return make_case(
        "tiny",
        "test",
        77,
        ("speech",),
        [
            CameraSpec("A", 0.0, 9.0, container="mp4", audio_codec="aac"),
            CameraSpec(
                "B",
                2.3456789,
                8.0,
                sample_rate=44_100,
                channels=2,
                drift_ppm=95.0,
                container="mkv",
                audio_codec="flac",
                channel=cm(snr_db=30),
            ),
            CameraSpec(
                "C", -1.2345671, 9.0, sample_rate=16_000, drift_ppm=-70.0, channel=cm(invert=True)
            ),
        ],
        room_tone_dbfs=-60.0,
    )


def test_built_case_truth_matches_decoded_audio(tmp_path: Path) -> None:
    """Map each camera onto A's timeline with the truth (offset + drift) and check that
    the decoded audio then lines up with A's to a few microseconds everywhere."""
    from scipy.signal import resample_poly

    built = build_case(_tiny_case(), tmp_path)
    assert (built.directory / "truth.json").exists()
    a, ra = decode_audio(built.paths["A"])
    a = a[:, 0].astype(float)
    for label, sign in (("B", 1.0), ("C", -1.0)):
        x, rx = decode_audio(built.paths[label])
        x = resample_poly(x[:, 0].astype(float), ra, rx) * sign  # zero-phase
        off = built.truth.offsets_ms[label] / 1000
        dr = built.truth.drift_ppm[label] * 1e-6
        # A's file time m is X's file time (m - off)(1 + dr): render X as a "camera"
        # whose sample n sits at X time -off(1+dr) + n / (ra / (1 + dr)).
        on_a = render(x, ra, -off * (1 + dr), (1 / (1 + dr) - 1) * 1e6, 0, len(a))
        lo = max(0, int(off * ra)) + ra // 2
        hi = min(len(a), int((off + len(x) / ra / (1 + dr)) * ra)) - ra // 2
        for w0 in range(lo, hi - ra, 2 * ra):  # several windows: catches a drift error too
            lag = _lag_samples(a[w0 : w0 + ra], on_a[w0 : w0 + ra])
            assert abs(lag / ra * 1000) < 0.005, (label, w0)  # 5 us


def test_build_is_cached_and_deterministic(tmp_path: Path) -> None:
    spec = replace(_tiny_case(), cameras=_tiny_case().cameras[:2])
    b1 = build_case(spec, tmp_path / "one")
    mtime = b1.paths["A"].stat().st_mtime_ns
    assert build_case(spec, tmp_path / "one").paths["A"].stat().st_mtime_ns == mtime
    cases_mod._SCENE_CACHE.clear()
    b2 = build_case(spec, tmp_path / "two")
    for label in ("A", "B"):
        h = [
            hashlib.sha256(decode_audio(b.paths[label])[0].tobytes()).hexdigest() for b in (b1, b2)
        ]
        assert h[0] == h[1]
        assert b1.paths[label].read_bytes() == b2.paths[label].read_bytes()
