"""``multicam storage apply-cors`` / ``show-cors`` against moto's S3 server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.storage.test_cli import run, use_env
from tests.support.s3_server import S3Server
from worker.storage.cors import RULE_ID

CMS = "https://cms.example"
FOREIGN = {
    "ID": "website-fonts",
    "AllowedOrigins": ["https://www.example"],
    "AllowedMethods": ["GET"],
}


def test_help_teaches_the_rule_and_the_merge(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        run(["storage", "apply-cors", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for text in (
        "--origin",
        "PUT",
        "Content-Type, x-amz-meta-sha256",
        "ETag",
        "3600 s",
        "Rules for other",
        "R2",
    ):
        assert text in out, text
    with pytest.raises(SystemExit) as exit_info:
        run(["storage", "apply-cors"])  # --origin is required
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        run(["storage", "apply-cors", "--origin", "https://cms.example/admin"])
    assert exit_info.value.code == 2
    assert "is not an origin" in capsys.readouterr().err


def test_apply_then_show_keeps_other_rules(
    s3_server: S3Server,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = s3_server.new_bucket()
    use_env(monkeypatch, settings.to_env())
    s3_server.client().put_bucket_cors(
        Bucket=settings.s3_bucket, CORSConfiguration={"CORSRules": [FOREIGN]}
    )

    assert run(["storage", "show-cors", "--origin", CMS]) == 0
    out = capsys.readouterr().out
    assert "website-fonts: AllowedOrigins https://www.example" in out
    assert "(not managed by multicam)" in out
    assert (
        f"browser uploads from {CMS}: BLOCKED: browser uploads from {CMS} would be blocked "
        f"by the bucket's CORS rules: no CORS rule allows origin {CMS}; fix: run "
        f"`multicam storage apply-cors --origin {CMS}`"
    ) in out

    assert (
        run(
            [
                "storage",
                "apply-cors",
                "--origin",
                "HTTPS://CMS.example/",
                "--origin",
                "http://localhost:1337",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert (
        f"{RULE_ID}: AllowedOrigins {CMS}, http://localhost:1337; AllowedMethods PUT; "
        "AllowedHeaders Content-Type, x-amz-meta-sha256, If-None-Match; ExposeHeaders ETag; "
        "MaxAgeSeconds 3600"
    ) in out
    assert f"browser uploads from {CMS}: allowed" in out
    assert "browser uploads from http://localhost:1337: allowed" in out

    assert run(["storage", "show-cors"]) == 0  # checks the origins of our rule
    out = capsys.readouterr().out
    assert f"browser uploads from {CMS}: allowed" in out and "website-fonts" in out
    assert run(["storage", "show-cors", "--json"]) == 0
    rules = json.loads(capsys.readouterr().out)
    assert [r["ID"] for r in rules] == [RULE_ID, "website-fonts"]
    assert rules[1] == FOREIGN


def test_dry_run_needs_no_storage(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_env(
        monkeypatch,
        {
            "MULTICAM_STORAGE_BACKEND": "s3",
            "MULTICAM_S3_BUCKET": "unused",
            "MULTICAM_S3_ENDPOINT_URL": "http://127.0.0.1:9",
        },
    )
    assert run(["storage", "apply-cors", "--origin", CMS, "--dry-run", "--json"]) == 0
    [rule] = json.loads(capsys.readouterr().out)
    assert rule["AllowedOrigins"] == [CMS] and rule["ExposeHeaders"] == ["ETag"]


def test_the_local_backend_has_no_cors(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_env(
        monkeypatch, {"MULTICAM_STORAGE_BACKEND": "local", "MULTICAM_STORAGE_ROOT": str(tmp_path)}
    )
    assert run(["storage", "apply-cors", "--origin", CMS]) == 1
    assert "needs the S3 backend" in capsys.readouterr().err
    assert run(["storage", "show-cors"]) == 1
