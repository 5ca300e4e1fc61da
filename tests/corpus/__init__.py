"""Synthetic multi-camera test corpus: scenes, camera channels, containers, truth.

Typical use::

    from tests.corpus import FAMILIES, build_case, truth_relative_to
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
    "FAMILIES", "GENERATOR_VERSION", "KINDS", "BuiltCase", "CameraSpec", "CaseSpec",
    "ChannelModel", "SceneSpec", "Segment", "Truth", "all_cases", "benchmark_case",
    "build_case", "build_cases", "decode_audio", "make_case", "overlap_s", "random_case",
    "scene_of", "spec_hash", "synthesize_scene", "truth_relative_to", "write_media",
    "write_media_chunks", "write_video_only",
]
