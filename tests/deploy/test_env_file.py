"""Every settings class reads the working directory's .env, as the README says."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.ingest.config import IngestSettings
from worker.settings import Settings
from worker.storage.settings import StorageSettings


def test_all_three_settings_classes_read_dot_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("MULTICAM_MAX_JOBS", "MULTICAM_INGEST_PROXY_HEIGHT", "MULTICAM_STORAGE_ROOT"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text(
        "MULTICAM_MAX_JOBS=7\n"
        "MULTICAM_INGEST_PROXY_HEIGHT=480\n"
        f"MULTICAM_STORAGE_ROOT={tmp_path / 'media'}\n"
    )
    assert Settings().max_jobs == 7
    assert IngestSettings().proxy_height == 480
    assert Path(str(StorageSettings().storage_root)) == tmp_path / "media"
    monkeypatch.setenv("MULTICAM_INGEST_PROXY_HEIGHT", "360")  # the environment wins
    assert IngestSettings().proxy_height == 360
