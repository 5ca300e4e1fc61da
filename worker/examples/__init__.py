"""Example multi-camera sessions with a known truth: scenes, camera channels, containers.

The generator behind ``deploy/demo`` (``python -m worker.examples OUT_DIR``, see
``demo.py``), the sync accuracy corpus of the tests (``tests/corpus`` re-exports
this package) and the benchmarks. Every file is a deterministic function of its
spec, so a case's files are the same on every machine.

Typical use::

    from worker.examples import FAMILIES, build_case, truth_relative_to
    built = build_case(FAMILIES["clean"][0], cache_dir)
    built.paths["B"], built.truth.offsets_ms["B"]
"""

from .cases import (
    FAMILIES,
    GENERATOR_VERSION,
    BuiltCase,
    CameraSpec,
    CaseSpec,
    Truth,
    all_cases,
    benchmark_case,
    build_case,
    build_cases,
    make_case,
    overlap_s,
    random_case,
    scene_of,
    spec_hash,
    truth_relative_to,
)
from .channel import ChannelModel
from .containers import decode_audio, write_media, write_media_chunks, write_video_only
from .sources import KINDS, SceneSpec, Segment, synthesize_scene

__all__ = [
    "FAMILIES",
    "GENERATOR_VERSION",
    "KINDS",
    "BuiltCase",
    "CameraSpec",
    "CaseSpec",
    "ChannelModel",
    "SceneSpec",
    "Segment",
    "Truth",
    "all_cases",
    "benchmark_case",
    "build_case",
    "build_cases",
    "decode_audio",
    "make_case",
    "overlap_s",
    "random_case",
    "scene_of",
    "spec_hash",
    "synthesize_scene",
    "truth_relative_to",
    "write_media",
    "write_media_chunks",
    "write_video_only",
]
