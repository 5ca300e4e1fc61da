"""``python -m worker.examples OUT_DIR``: write the demo session (see demo.py)."""

from .demo import main

raise SystemExit(main())
