"""docs/data-model.md, strapi-schemas/ and the pydantic models describe the same fields."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import strapi_client
from strapi_client import (
    DerivedMedia,
    DerivedMediaInput,
    Entry,
    MediaAsset,
    MediaAssetInput,
    RecordingSession,
    RecordingSessionInput,
    SyncResult,
    SyncResultInput,
    WriteModel,
)

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "strapi-schemas"
DOC = REPO / "docs" / "data-model.md"

MODELS: dict[str, tuple[type[Entry], type[WriteModel]]] = {
    "recording-session": (RecordingSession, RecordingSessionInput),
    "media-asset": (MediaAsset, MediaAssetInput),
    "derived-media": (DerivedMedia, DerivedMediaInput),
    "sync-result": (SyncResult, SyncResultInput),
}
SERVER_ONLY = {"naturalKey"}  # computed by Strapi, never written by clients


def _schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMAS / name / "schema.json").read_text())
    return data


def _doc_rows(name: str) -> dict[str, tuple[str, str]]:
    """field -> (type cell, required cell) from the table under "### `name`"."""
    section = DOC.read_text().split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
    section = section.split("\n## ", 1)[0]
    cell = r"\s*([^|]*?)\s*\|"
    rows = re.findall(r"^\|\s*`(\w+)`\s*\|" + cell + cell, section, re.M)
    return {field: (kind.strip(), required.strip()) for field, kind, required in rows}


def test_schema_files_are_what_sync_schemas_expects() -> None:
    assert sorted(p.name for p in SCHEMAS.iterdir() if p.is_dir()) == sorted(MODELS)
    for name in MODELS:
        schema = _schema(name)
        assert schema["kind"] == "collectionType"
        assert schema["options"]["draftAndPublish"] is False
        assert schema["info"]["singularName"] == name
        assert "status" not in schema["attributes"], "Strapi 5 reserves `status`"


@pytest.mark.parametrize("name", sorted(MODELS))
def test_doc_matches_schema(name: str) -> None:
    attributes = _schema(name)["attributes"]
    rows = _doc_rows(name)
    assert set(rows) == set(attributes)
    for field, spec in attributes.items():
        kind, required = rows[field]
        if spec["type"] == "relation":
            target = spec["target"].split(".")[-1]
            assert kind == f"relation {spec['relation']} → {target}", field
        elif spec["type"] == "enumeration":
            assert kind == "enumeration: " + ", ".join(spec["enum"]), field
        else:
            assert kind == spec["type"], field
        assert (required == "yes") == bool(spec.get("required")), field


@pytest.mark.parametrize("name", sorted(MODELS))
def test_models_match_schema(name: str) -> None:
    attributes = _schema(name)["attributes"]
    read_model, write_model = MODELS[name]
    read_fields = {f.alias for f in read_model.model_fields.values()}
    write_fields = {f.alias for f in write_model.model_fields.values()}
    assert set(attributes) <= read_fields
    assert set(attributes) - SERVER_ONLY == write_fields
    for field, spec in attributes.items():
        if spec["type"] != "enumeration":
            continue
        annotation = str(read_model.model_fields[_python_name(read_model, field)].annotation)
        enum_name = re.search(
            r"\b(\w+State|CameraLabel|DerivedKind|SyncMethod|OperatorStatus)\b", annotation
        )
        assert enum_name, (field, annotation)
        enum = getattr(strapi_client, enum_name.group(1))
        assert [member.value for member in enum] == spec["enum"], field


def _python_name(model: type[Entry], alias: str) -> str:
    return next(name for name, f in model.model_fields.items() if f.alias == alias)
