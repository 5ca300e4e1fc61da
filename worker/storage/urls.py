"""Canonical object URLs and the strict reverse mapping (URL → key) that refuses foreign ones.

Recorded in Strapi: ``s3://{bucket}/{key}`` for the S3 backend, ``file:///{root}/{key}``
for the local one. Keys are percent-encoded in URLs (a no-op for the keys we generate).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urlsplit

from .errors import ForeignUrlError, InvalidKey
from .keys import check_key

MAX_URL_LENGTH = 4096
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f\\]")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _screen(url: str) -> str:
    if not isinstance(url, str) or not url:
        raise ForeignUrlError(str(url), "not a URL")
    if len(url) > MAX_URL_LENGTH:
        raise ForeignUrlError(url[:80] + "…", "URL is too long")
    if _BAD_CHARS.search(url):
        raise ForeignUrlError(url, "URL contains whitespace, control characters or backslashes")
    return url


def _checked(url: str, key: str) -> str:
    try:
        return check_key(key)
    except InvalidKey as exc:
        raise ForeignUrlError(url, f"not a valid object key ({exc})") from None


def _key(url: str, encoded: str) -> str:
    try:
        return _checked(url, unquote(encoded, errors="strict"))
    except UnicodeDecodeError:
        raise ForeignUrlError(url, "key is not valid UTF-8") from None


def s3_url(bucket: str, key: str) -> str:
    """``s3://bucket/key``: independent of endpoint, account and presigning."""
    return f"s3://{bucket}/{quote(check_key(key), safe='/')}"


def _origin(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return None
    try:
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if port is None:
        return None
    return parts.scheme, parts.hostname.lower(), port


def key_from_s3_url(
    url: str,
    *,
    bucket: str,
    endpoint_url: str | None = None,
    public_base_url: str | None = None,
) -> str:
    """The key of ``url`` if it names an object in ``bucket``; ForeignUrlError otherwise.

    Accepted: ``s3://bucket/key``; the path-style endpoint form
    ``{endpoint}/{bucket}/{key}`` (a presigned URL's query string is ignored);
    ``{public_base_url}/{key}``. Refused: other buckets, hosts, ports or schemes,
    user-info, virtual-host style, '..' or '.' segments (also percent-encoded).
    """
    _screen(url)
    parts = urlsplit(url)
    if parts.scheme == "s3":
        if parts.netloc != bucket:
            raise ForeignUrlError(url, f"not in bucket {bucket!r}")
        if parts.query or parts.fragment or "?" in url or "#" in url:
            raise ForeignUrlError(url, "s3:// URLs carry no query or fragment")
        return _key(url, parts.path.removeprefix("/"))
    if parts.scheme in ("http", "https"):
        origin = _origin(url)
        if origin is None:
            raise ForeignUrlError(url, "malformed host, port or user-info")
        bases = []
        if endpoint_url:
            bases.append(endpoint_url.rstrip("/") + f"/{bucket}/")
        if public_base_url:
            bases.append(public_base_url.rstrip("/") + "/")
        for base in bases:
            base_parts = urlsplit(base)
            if _origin(base) == origin and parts.path.startswith(base_parts.path):
                return _key(url, parts.path[len(base_parts.path) :])
        raise ForeignUrlError(
            url,
            f"not an object URL of bucket {bucket!r} at the configured endpoint or public base URL",
        )
    raise ForeignUrlError(url, f"scheme {parts.scheme or '(none)'!r} is not s3, http or https")


def file_url(root: PurePosixPath, key: str) -> str:
    """``file://`` URL of a key under an absolute local root."""
    return (root / check_key(key)).as_uri()


def key_from_file_url(url: str, root: PurePosixPath) -> str:
    """The key of a ``file://`` URL lexically inside ``root``; ForeignUrlError otherwise.

    Symlinks are the caller's to check (the local backend resolves the path).
    """
    _screen(url)
    parts = urlsplit(url)
    if parts.scheme != "file":
        raise ForeignUrlError(url, "the local backend only accepts file:// URLs")
    if parts.netloc not in ("", "localhost"):
        raise ForeignUrlError(url, f"file URL names another host {parts.netloc!r}")
    if parts.query or parts.fragment or "?" in url or "#" in url:
        raise ForeignUrlError(url, "file URLs carry no query or fragment")
    try:
        path = unquote(parts.path, errors="strict")
    except UnicodeDecodeError:
        raise ForeignUrlError(url, "path is not valid UTF-8") from None
    if not path.startswith("/") or path.startswith("//"):
        raise ForeignUrlError(url, "path is not absolute")
    if any(seg in (".", "..") for seg in path.split("/")):
        raise ForeignUrlError(url, "path contains '.' or '..' segments")
    try:
        rel = PurePosixPath(path).relative_to(root)
    except ValueError:
        raise ForeignUrlError(url, f"outside the storage folder {str(root)!r}") from None
    return _checked(url, rel.as_posix())
