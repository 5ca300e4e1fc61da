"""The tests' synthetic multi-camera corpus: the example generator of ``worker.examples``.

The generator lives in the installed package (``deploy/demo`` and the benchmarks use
it too); the tests keep importing it under this name. ``tests.corpus.cases``,
``.channel``, ``.containers``, ``.render``, ``.room``, ``.simulated_room`` and
``.sources`` are the very module objects of ``worker.examples`` (registered below), so
module state such as ``cases._SCENE_CACHE`` is shared, not copied.

Typical use::

    from tests.corpus import FAMILIES, build_case, truth_relative_to
    built = build_case(FAMILIES["clean"][0], cache_dir)
    built.paths["B"], built.truth.offsets_ms["B"]
"""

import sys

from worker.examples import *  # noqa: F403
from worker.examples import __all__ as __all__
from worker.examples import cases, channel, containers, render, room, simulated_room, sources

for _module in (cases, channel, containers, render, room, simulated_room, sources):
    sys.modules[f"{__name__}.{_module.__name__.rsplit('.', 1)[1]}"] = _module
