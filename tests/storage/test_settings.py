"""StorageSettings: environment variables, validation, and the round trip to env."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from worker.storage.settings import MIB, StorageSettings


def test_defaults_are_the_embedded_local_folder() -> None:
    s = StorageSettings()
    assert s.storage_backend == "local"
    assert s.storage_root == Path(".multicam-storage")
    assert s.s3_region == "auto"
    assert s.multipart_threshold == 64 * MIB and s.part_size == 64 * MIB


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {
        "MULTICAM_STORAGE_BACKEND": "s3",
        "MULTICAM_S3_ENDPOINT_URL": "https://acct.r2.cloudflarestorage.com",
        "MULTICAM_S3_BUCKET": "media",
        "MULTICAM_S3_ACCESS_KEY_ID": "id",
        "MULTICAM_S3_SECRET_ACCESS_KEY": "hunter2",
        "MULTICAM_S3_MULTIPART_THRESHOLD_MB": "100",
        "MULTICAM_S3_PART_SIZE_MB": "16",
        "MULTICAM_S3_PUBLIC_BASE_URL": "https://cdn.example.com",
        "MULTICAM_SOMETHING_ELSE": "ignored",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    s = StorageSettings()
    assert s.storage_backend == "s3" and s.s3_bucket == "media"
    assert s.s3_secret_access_key is not None
    assert s.s3_secret_access_key.get_secret_value() == "hunter2"
    assert "hunter2" not in repr(s)
    assert s.multipart_threshold == 100 * MIB and s.part_size == 16 * MIB
    exported = s.to_env()
    assert {k: v for k, v in exported.items() if k in env} == {
        k: v for k, v in env.items() if k != "MULTICAM_SOMETHING_ELSE"
    }
    for k in env:
        monkeypatch.delenv(k)
    for k, v in exported.items():
        monkeypatch.setenv(k, v)
    assert StorageSettings() == s


@pytest.mark.parametrize(
    "values",
    [
        {"storage_backend": "s3"},  # no bucket
        {"storage_backend": "gcs"},
        {"s3_part_size_mb": 4},  # below S3's 5 MiB minimum
        {"s3_multipart_threshold_mb": 6000},
        {"s3_access_key_id": "only-the-id"},
    ],
)
def test_invalid_settings_are_refused(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        StorageSettings(**values)  # type: ignore[arg-type]


def test_every_field_is_documented() -> None:
    # The configuration reference is generated from these descriptions.
    for name, field in StorageSettings.model_fields.items():
        assert field.description, name
