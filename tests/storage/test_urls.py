"""URL ↔ key: canonical forms, and every way of pointing outside the bucket refused."""

from __future__ import annotations

from pathlib import PurePosixPath

import pytest

from worker.storage.errors import ForeignUrlError
from worker.storage.urls import file_url, key_from_file_url, key_from_s3_url, s3_url

BUCKET = "media"
ENDPOINT = "https://acct.r2.cloudflarestorage.com"
PUBLIC = "https://cdn.example.com/media"


def parse(url: str) -> str:
    return key_from_s3_url(url, bucket=BUCKET, endpoint_url=ENDPOINT, public_base_url=PUBLIC)


def test_s3_url_round_trip() -> None:
    key = "projects/acme/20250314/originals/angle-001_v001.mov"
    assert s3_url(BUCKET, key) == f"s3://media/{key}"
    assert parse(s3_url(BUCKET, key)) == key
    odd = "uploads/a b/ü#1?.mov"
    assert s3_url(BUCKET, odd) == "s3://media/uploads/a%20b/%C3%BC%231%3F.mov"
    assert parse(s3_url(BUCKET, odd)) == odd


@pytest.mark.parametrize(
    "url",
    [
        f"{ENDPOINT}/media/projects/a/x.mov",
        f"{ENDPOINT}:443/media/projects/a/x.mov",
        "HTTPS://ACCT.R2.cloudflarestorage.com/media/projects/a/x.mov",
        f"{ENDPOINT}/media/projects/a/x.mov?X-Amz-Signature=abc&X-Amz-Expires=60",
        f"{PUBLIC}/projects/a/x.mov",
        "s3://media/projects/a/x.mov",
        "s3://media/projects/a/%78.mov",
    ],
)
def test_accepted_forms(url: str) -> None:
    assert parse(url) == "projects/a/x.mov"


@pytest.mark.parametrize(
    "url",
    [
        "s3://other/projects/a/x.mov",
        "s3://media.evil/projects/a/x.mov",
        "s3://user@media/projects/a/x.mov",
        "s3://media:80/projects/a/x.mov",
        "s3://MEDIA/projects/a/x.mov",
        "s3://media/",
        "s3://media",
        "s3://media/projects/../../etc/passwd",
        "s3://media/projects/%2e%2e/secret",
        "s3://media/projects/%2E%2E/secret",
        "s3://media/./x.mov",
        "s3://media//x.mov",
        "s3://media/x.mov?versionId=1",
        "s3://media/x.mov#frag",
        "s3://media/a%00b",
        "s3://media/a%5Cb",
        "s3://media/a%ffb",
        "s3://media/.multicam/meta/x.json",
        f"{ENDPOINT}/other/projects/a/x.mov",
        f"{ENDPOINT}/mediax/projects/a/x.mov",
        f"{ENDPOINT}/media/../other/x.mov",
        f"{ENDPOINT}/media/%2e%2e/other/x.mov",
        "http://acct.r2.cloudflarestorage.com/media/x.mov",  # scheme differs
        "https://acct.r2.cloudflarestorage.com:8443/media/x.mov",  # port differs
        "https://evil.com/media/x.mov",
        "https://acct.r2.cloudflarestorage.com.evil.com/media/x.mov",
        "https://user:pw@acct.r2.cloudflarestorage.com/media/x.mov",
        "https://evil.com@acct.r2.cloudflarestorage.com/media/x.mov",
        "https://media.acct.r2.cloudflarestorage.com/x.mov",  # virtual-host style
        "https://cdn.example.com/other/x.mov",
        "https://cdn.example.com/media/../x.mov",
        "https://cdn.example.com:99999/media/x.mov",
        "file:///etc/passwd",
        "ftp://media/x.mov",
        "//media/x.mov",
        "media/x.mov",
        "/media/x.mov",
        "",
        " s3://media/x.mov",
        "s3://media/x.mov\n",
        "s3://media/a b.mov",
        "s3://media\\x.mov",
        "s3://media/" + "a" * 5000,
        "javascript:alert(1)",
    ],
)
def test_foreign_or_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(ForeignUrlError) as info:
        parse(url)
    assert info.value.reason
    assert isinstance(info.value, ValueError)


def test_without_endpoint_or_public_base_only_s3_urls_are_accepted() -> None:
    assert key_from_s3_url("s3://media/x", bucket="media") == "x"
    with pytest.raises(ForeignUrlError):
        key_from_s3_url(f"{ENDPOINT}/media/x", bucket="media")


ROOT = PurePosixPath("/srv/multicam storage")


def test_file_url_round_trip() -> None:
    url = file_url(ROOT, "projects/a/ü x.mov")
    assert url == "file:///srv/multicam%20storage/projects/a/%C3%BC%20x.mov"
    assert key_from_file_url(url, ROOT) == "projects/a/ü x.mov"
    assert key_from_file_url("file://localhost/srv/multicam%20storage/a", ROOT) == "a"


@pytest.mark.parametrize(
    "url",
    [
        "file:///srv/other/a",
        "file:///srv/multicam%20storage",
        "file:///srv/multicam%20storage/",
        "file:///srv/multicam%20storage/../other/a",
        "file:///srv/multicam%20storage/a/%2e%2e/%2e%2e/b",
        "file:///srv/multicam%20storage/./a",
        "file:///srv/multicam%20storage/.multicam/meta/a.json",
        "file:////srv/multicam%20storage/a",
        "file://evil.com/srv/multicam%20storage/a",
        "file:///srv/multicam%20storage/a?x=1",
        "file:///srv/multicam%20storage/a#x",
        "file:///srv/multicam%20storage/a%00",
        "file:///srv/multicam%20storagex/a",
        "file:srv/multicam%20storage/a",
        "s3://media/a",
        "/srv/multicam storage/a",
    ],
)
def test_foreign_file_urls_are_refused(url: str) -> None:
    with pytest.raises(ForeignUrlError):
        key_from_file_url(url, ROOT)
