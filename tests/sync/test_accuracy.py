"""Accuracy and confidence of the engine over every family of the synthetic corpus.

Each case is real media files (worker/examples) decoded by PyAV and synced by the
engine; the truth comes from the generator. Long (20+ minute) drift cases carry
the ``long`` marker: CI runs them, ``-m 'not long'`` skips them locally.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus import cases as corpus
from worker.sync.engine import CameraInput, sync_files
from worker.sync.solve import FRAME_S

FRAME_MS = FRAME_S * 1000
# Families where every scene camera must be within 1 ms and looks-good.
EXACT = {
    "clean",
    "noise_10db",
    "noise_0db",
    "noise_m5db",
    "reverb_eq",
    "mixed_rates",
    "codecs",
    "polarity",
    "clipping",
}
# Harder families: within 5 ms and looks-good.
HARD = {"partial_overlap", "chain_overlap", "large_offset", "sparse", "crowd", "drift"}
NEGATIVE = {"unrelated", "silence", "no_audio"}
# Reverberant rooms louder than the source, strong early reflections and differently
# coloured microphones: the project's own (#14) and pyroomacoustics' (#23), checked
# per family below against the issues' targets (share within 1 ms).
ROOMS = {"hard_room": 0.9, "simulated_room": 0.95}
# Periodic loops: a right offset there is a lucky pick among equal peaks, which must
# never be looks-good (test_periodic_music_is_never_confident), so those cameras do
# not count among the correct offsets that should be.
COIN_FLIPS = {"music_steady"}
_RESULTS: dict[str, tuple[dict, corpus.Truth]] = {}  # the family tests reuse the case runs


def _params(long: bool) -> list[object]:
    return [
        pytest.param(spec, id=spec.name, marks=[pytest.mark.long] if spec.long else [])
        for spec in corpus.all_cases(long=long)
    ]


def _run(spec: corpus.CaseSpec, corpus_dir: Path) -> tuple[dict, corpus.Truth]:
    key = corpus.spec_hash(spec)
    if key not in _RESULTS:
        built = corpus.build_case(spec, corpus_dir)
        labels = [c.label for c in spec.cameras]
        report = sync_files([CameraInput(lbl, built.paths[lbl]) for lbl in labels], master="A")
        _RESULTS[key] = (report.to_dict(), corpus.truth_relative_to(built, "A"))
    return _RESULTS[key]


def _check(spec: corpus.CaseSpec, result: dict, truth: corpus.Truth) -> None:
    assert result["master"] == "A"
    for cam in spec.cameras:
        lbl = cam.label
        if lbl == "A":
            continue
        klass = result["classification"][lbl]
        offset = result["offsets_ms"].get(lbl)
        if lbl in truth.unmatched:
            # Negative controls: never looks-good, whatever else happens.
            assert klass != "looks-good", f"{lbl} has no true match but is {klass}"
            if cam.source in ("silence", "none"):
                assert offset is None and lbl in result["errors"]
            continue
        err = None if offset is None else offset - truth.offsets_ms[lbl]
        # The product's worst bug: a confident wrong offset.
        if klass == "looks-good":
            assert err is not None and abs(err) <= FRAME_MS, f"{lbl}: looks-good but err {err}"
        if spec.family in EXACT | HARD:
            tol = 1.0 if spec.family in EXACT else 5.0
            assert err is not None, f"{lbl}: no offset ({result['errors'].get(lbl)})"
            assert abs(err) <= tol, f"{lbl}: error {err:.3f} ms > {tol} ms"
            assert klass == "looks-good", f"{lbl}: {klass} ({result['confidence_pct'][lbl]}%)"
            assert result["drift_ppm"][lbl] == pytest.approx(truth.drift_ppm[lbl], abs=5.0)


@pytest.mark.parametrize("spec", _params(long=False))
def test_quick_case(spec: corpus.CaseSpec, corpus_dir: Path) -> None:
    result, truth = _run(spec, corpus_dir)
    _check(spec, result, truth)


@pytest.mark.parametrize("spec", _params(long=True))
def test_long_case(spec: corpus.CaseSpec, corpus_dir: Path) -> None:
    result, truth = _run(spec, corpus_dir)
    _check(spec, result, truth)


def test_periodic_music_is_never_confident(corpus_dir: Path) -> None:
    for spec in corpus.FAMILIES["music_steady"]:
        result, _ = _run(spec, corpus_dir)
        for lbl, klass in result["classification"].items():
            assert klass != "looks-good", f"{spec.name} {lbl}: periodic loop called {klass}"


def test_same_input_gives_byte_identical_json(corpus_dir: Path) -> None:
    spec = corpus.FAMILIES["reverb_eq"][0]
    built = corpus.build_case(spec, corpus_dir)
    cams = [CameraInput(c.label, built.paths[c.label]) for c in spec.cameras]
    assert sync_files(cams).to_json() == sync_files(cams).to_json()


def _room_cameras(family: str, corpus_dir: Path) -> list[tuple[str, float | None, str]]:
    """(case/camera, offset error in ms or None, class) of every non-master camera; the
    error is against the direct-path truth (the clock less the distance over c)."""
    out = []
    for spec in corpus.FAMILIES[family]:
        result, truth = _run(spec, corpus_dir)
        for lbl in truth.offsets_ms:
            if lbl != "A":
                off = result["offsets_ms"].get(lbl)
                err = None if off is None else off - truth.offsets_ms[lbl]
                out.append((f"{spec.name}/{lbl}", err, result["classification"][lbl]))
    return out


@pytest.mark.parametrize("family", sorted(ROOMS))
def test_room_target_none_looks_good_beyond_a_frame(family: str, corpus_dir: Path) -> None:
    bad = [
        (n, e, k)
        for n, e, k in _room_cameras(family, corpus_dir)
        if k == "looks-good" and (e is None or abs(e) > FRAME_MS)
    ]
    assert not bad


@pytest.mark.parametrize("family", sorted(ROOMS))
def test_room_target_share_within_1ms(family: str, corpus_dir: Path) -> None:
    cams = _room_cameras(family, corpus_dir)
    near = [n for n, e, _ in cams if e is not None and abs(e) <= 1.0]
    far = sorted({n for n, _, _ in cams} - set(near))
    assert len(near) >= ROOMS[family] * len(cams), f"{len(near)} of {len(cams)}; not: {far}"


@pytest.mark.parametrize("family", sorted(ROOMS))
def test_room_target_all_within_5ms(family: str, corpus_dir: Path) -> None:
    cams = _room_cameras(family, corpus_dir)
    assert len(cams) >= 18
    far = [(n, e) for n, e, _ in cams if e is None or abs(e) > 5.0]
    assert not far


@pytest.mark.parametrize(
    "long",
    [
        pytest.param(False, id="quick"),
        pytest.param(None, id="all", marks=[pytest.mark.long]),
    ],
)
def test_correct_offsets_are_looks_good(long: bool | None, corpus_dir: Path) -> None:
    """#23: at least 98 % of the offsets within one frame are rated looks-good, so
    operators are not sent to review what is right (no negative control is looks-good:
    ``_check`` asserts that per case; periodic loops are ``COIN_FLIPS``)."""
    correct, rated = [], []
    for spec in corpus.all_cases(long=long):
        if spec.family in COIN_FLIPS:
            continue
        result, truth = _run(spec, corpus_dir)
        for lbl, klass in result["classification"].items():
            off = result["offsets_ms"].get(lbl)
            if lbl in truth.unmatched or off is None:
                continue
            if abs(off - truth.offsets_ms[lbl]) <= FRAME_MS:
                correct.append(f"{spec.name}/{lbl}")
                if klass == "looks-good":
                    rated.append(correct[-1])
    missed = sorted(set(correct) - set(rated))
    assert len(rated) >= 0.98 * len(correct), f"not looks-good: {missed}"
