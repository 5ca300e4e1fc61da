"""Where the API serves a session's timeline: the route, and the link on an approved result."""

from __future__ import annotations

from typing import Any

from worker.handoff.formats import TimelineFormat

TIMELINE_PATH = "/v2/sessions/{session_id}/timeline"


def timeline_link(session_id: str) -> dict[str, Any]:
    """What the sync result in Strapi shows once reviewed: the route and its formats."""
    return {
        "path": TIMELINE_PATH.format(session_id=session_id),
        "formats": [f.value for f in TimelineFormat],
    }
