"""docs/api.md documents every /v2 endpoint with an example; the operator guide names the
admin's real field names."""

from __future__ import annotations

import json
import re
from pathlib import Path

from worker.api.app import create_app
from worker.settings import Settings
from worker.storage.settings import StorageSettings

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "strapi-schemas" / "sync-result" / "schema.json"


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    nxt = text.find("\n### ", start + len(heading))
    return text[start : nxt if nxt >= 0 else None]


def test_every_endpoint_has_a_section_with_an_example() -> None:
    doc = create_app(Settings(), StorageSettings()).openapi()
    text = (ROOT / "docs" / "api.md").read_text()
    for path, item in doc["paths"].items():
        if not path.startswith("/v2/"):
            continue
        shown = re.sub(r"\{(\w+?)_id\}", lambda m: "{" + m.group(1) + "Id}", path)
        for method in item:
            heading = f"### `{method.upper()} {shown}`"
            assert heading in text, f"docs/api.md has no section {heading}"
            section = _section(text, heading)
            assert "```sh" in section and "curl" in section, f"{heading}: no request example"
            assert "```json" in section, f"{heading}: no response example"


def test_operator_guide_uses_the_admin_field_names() -> None:
    fields = set(json.loads(SCHEMA.read_text())["attributes"])
    guide = (ROOT / "docs" / "operator-guide.md").read_text()
    for name in (
        "operatorStatus",
        "operatorOffsetsMs",
        "approvedBy",
        "approvedAt",
        "reviewNotes",
        "offsetsMs",
        "method",
        "classification",
        "confidencePct",
    ):
        assert name in fields and f"`{name}`" in guide, name
    for klass in ("looks-good", "review-suggested", "needs-manual-nudge"):
        assert f"`{klass}`" in guide
