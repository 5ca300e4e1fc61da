"""Bucket CORS for browser uploads: the rule, the check, and the rules on moto's S3 server,
which answers browsers' preflights from them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from worker.storage.base import PRESIGNED_PUT_HEADERS, ObjectStore
from worker.storage.cors import (
    BROWSER_UPLOAD,
    MAX_AGE_SECONDS,
    RULE_ID,
    apply_cors,
    blocked_message,
    blocked_reason,
    is_managed,
    merged_rules,
    normalise_origin,
    upload_rule,
)
from worker.storage.errors import UnsupportedOperation

CMS = "https://cms.example"
FOREIGN: dict[str, Any] = {
    "ID": "website-fonts",
    "AllowedOrigins": ["https://www.example"],
    "AllowedMethods": ["GET"],
}


def test_the_rule_allows_put_with_the_signed_headers_and_exposes_etag() -> None:
    rule = upload_rule([CMS, "http://localhost:1337", CMS])
    assert rule == {
        "ID": RULE_ID,
        "AllowedOrigins": [CMS, "http://localhost:1337"],
        "AllowedMethods": ["PUT"],
        "AllowedHeaders": ["Content-Type", "x-amz-meta-sha256", "If-None-Match"],
        "ExposeHeaders": ["ETag"],
        "MaxAgeSeconds": MAX_AGE_SECONDS,
    }
    assert tuple(rule["AllowedHeaders"]) == PRESIGNED_PUT_HEADERS
    assert blocked_reason([rule], CMS) is None
    assert blocked_reason([rule], "http://localhost:1337") is None


def test_origins_are_normalised_or_refused() -> None:
    assert normalise_origin(" HTTPS://CMS.Example/ ") == CMS
    assert normalise_origin("http://[::1]:1337") == "http://[::1]:1337"
    for bad in (
        "cms.example",
        "https://cms.example/admin",
        "ftp://cms.example",
        "https://",
        "https://cms.example:port",
        "*",
    ):
        with pytest.raises(ValueError, match="is not an origin"):
            normalise_origin(bad)


@pytest.mark.parametrize(
    ("rules", "reason"),
    [
        ([], "the bucket has no CORS rules"),
        ([FOREIGN], "no CORS rule allows origin https://cms.example"),
        (
            [{**upload_rule([CMS]), "AllowedMethods": ["GET", "HEAD"]}],
            "no CORS rule for origin https://cms.example allows method PUT",
        ),
        (
            [{**upload_rule([CMS]), "AllowedHeaders": ["content-type", "if-none-match"]}],
            "do not allow the request header x-amz-meta-sha256",
        ),
        (
            [{**upload_rule([CMS]), "AllowedHeaders": ["content-type", "x-amz-meta-sha256"]}],
            "do not allow the request header If-None-Match",
        ),  # a rule applied before #12
        (
            [{**upload_rule([CMS]), "AllowedHeaders": []}],
            "do not allow the request headers Content-Type, x-amz-meta-sha256, If-None-Match",
        ),
        (
            [{**upload_rule([CMS]), "ExposeHeaders": ["x-amz-version-id"]}],
            "does not expose the ETag header",
        ),
    ],
)
def test_blocked_reasons_name_what_is_missing(rules: list[dict[str, Any]], reason: str) -> None:
    found = blocked_reason(rules, CMS)
    assert found is not None and reason in found


def test_the_first_rule_that_matches_the_request_is_the_one_that_counts() -> None:
    hidden = {**upload_rule([CMS]), "ID": "old", "ExposeHeaders": []}
    assert "does not expose" in (blocked_reason([hidden, upload_rule([CMS])], CMS) or "")
    # merged_rules puts ours first, so such a rule cannot shadow it.
    assert blocked_reason(merged_rules([hidden], [CMS]), CMS) is None
    # A rule that does not match the request (no PUT) is skipped, as S3 does.
    assert blocked_reason([FOREIGN | {"AllowedOrigins": [CMS]}, upload_rule([CMS])], CMS) is None


def test_wildcards_and_case_match_as_s3_matches_them() -> None:
    rule = {
        "AllowedOrigins": ["https://*.example"],
        "AllowedMethods": ["put"],
        "AllowedHeaders": ["*"],
        "ExposeHeaders": ["etag"],
    }
    assert blocked_reason([rule], CMS) is None
    assert (
        blocked_reason(
            [rule | {"AllowedHeaders": ["content-type", "X-Amz-Meta-*", "IF-NONE-MATCH"]}], CMS
        )
        is None
    )
    assert blocked_reason([rule | {"ExposeHeaders": ["*"]}], CMS) is None
    assert "no CORS rule allows origin" in (blocked_reason([rule], "https://example.org") or "")
    assert blocked_reason([{**rule, "AllowedOrigins": ["*"]}], "http://localhost:1337") is None


def test_our_rule_is_recognised_even_without_its_id() -> None:
    rule = upload_rule([CMS])
    assert is_managed(rule)
    assert is_managed({k: v for k, v in rule.items() if k != "ID"})
    assert not is_managed(FOREIGN)
    assert not is_managed({**rule, "ID": "someone-elses"})


def test_the_message_names_the_fix_and_keeps_the_allowed_origins() -> None:
    rules = [upload_rule(["https://old.example"])]
    reason = blocked_reason(rules, CMS)
    assert reason is not None
    assert blocked_message(CMS, reason, rules) == (
        "browser uploads from https://cms.example would be blocked by the bucket's CORS rules: "
        "no CORS rule allows origin https://cms.example; fix: run `multicam storage apply-cors "
        "--origin https://old.example --origin https://cms.example`"
    )


async def test_rules_round_trip_and_merge_on_s3(s3_store: ObjectStore) -> None:
    assert await s3_store.get_cors_rules() == []
    await s3_store.put_cors_rules([FOREIGN])
    sent = await apply_cors(s3_store, [CMS])
    assert sent == [upload_rule([CMS]), FOREIGN]
    stored = await s3_store.get_cors_rules()
    assert [r.get("ID") for r in stored] == [RULE_ID, "website-fonts"]
    assert blocked_reason(stored, CMS) is None

    # Again with other origins: ours is replaced, not added to; the foreign rule stays.
    await apply_cors(s3_store, ["https://new.example"])
    stored = await s3_store.get_cors_rules()
    assert [r.get("ID") for r in stored] == [RULE_ID, "website-fonts"]
    assert stored[0]["AllowedOrigins"] == ["https://new.example"]
    assert "no CORS rule allows origin" in (blocked_reason(stored, CMS) or "")

    await s3_store.put_cors_rules([])
    assert await s3_store.get_cors_rules() == []


def preflight(url: str, origin: str, headers: str) -> httpx.Response:
    return httpx.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": BROWSER_UPLOAD.method,
            "Access-Control-Request-Headers": headers,
        },
    )


async def test_the_bucket_answers_preflights_from_the_rule(s3_store: ObjectStore) -> None:
    presigned = await s3_store.presign_put(
        "projects/p/20260101/originals/a.mp4", "video/mp4", sha256="ab" * 32
    )
    asked = ",".join(h.lower() for h in presigned.headers)
    # (moto's server answers any origin while a bucket has no rules; S3 and R2 do not.)
    await apply_cors(s3_store, [CMS])
    allowed = preflight(presigned.url, CMS, asked)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == CMS
    assert "PUT" in allowed.headers["access-control-allow-methods"]
    assert allowed.headers["access-control-expose-headers"] == "ETag"
    assert allowed.headers["access-control-max-age"] == str(MAX_AGE_SECONDS)
    for header in PRESIGNED_PUT_HEADERS:
        assert header in allowed.headers["access-control-allow-headers"]
    assert preflight(presigned.url, "https://evil.example", asked).status_code == 403


async def test_the_local_backend_has_no_cors(local_store: ObjectStore) -> None:
    with pytest.raises(UnsupportedOperation, match="S3 backend"):
        await local_store.get_cors_rules()
    with pytest.raises(UnsupportedOperation):
        await local_store.put_cors_rules([upload_rule([CMS])])
