"""The bucket CORS rule browser uploads need, and whether a bucket's rules allow them.

A browser PUTs the presigned URLs straight to the bucket: a cross-origin request
with a preflight. S3 and R2 answer it from the first rule that matches the origin,
the method and every requested header; that rule must also expose ``ETag``, or the
browser cannot read the part ETags that complete needs. Pure functions, except
``apply_cors``, which reads and writes the rules through the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from .base import ETAG_HEADER, PRESIGNED_PUT_HEADERS, ObjectStore

RULE_ID = "multicam-browser-upload"
# Browsers cache a preflight for this long (Chrome caps it at 2 h): one preflight per
# hour instead of one per part, and a changed rule still takes effect within the hour.
MAX_AGE_SECONDS = 3600
# A serialised origin as browsers send it: scheme://host[:port], lower case, no path.
ORIGIN_PATTERN = (
    r"^https?://(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])"
    r"(?::[0-9]{1,5})?$"
)
_ORIGIN = re.compile(ORIGIN_PATTERN)


class CorsNeed(BaseModel):
    """What one kind of browser request needs from the bucket's CORS rules."""

    model_config = ConfigDict(frozen=True)

    method: str
    headers: tuple[str, ...]  # request headers the browser may send (preflighted)
    expose: str  # response header the browser must be able to read


# Part PUTs carry no header of ours, single PUTs the signed ones; a browser may add
# Content-Type to either (a File's type), so all of them must be allowed.
BROWSER_UPLOAD = CorsNeed(method="PUT", headers=PRESIGNED_PUT_HEADERS, expose=ETAG_HEADER)


def normalise_origin(origin: str) -> str:
    """``origin`` as browsers send it (lower case, no trailing slash); ValueError if not one."""
    value = origin.strip().lower().removesuffix("/")
    if not _ORIGIN.fullmatch(value):
        raise ValueError(
            f"{origin!r} is not an origin (scheme://host[:port], no path), e.g. https://cms.example"
        )
    return value


def upload_rule(origins: Sequence[str], need: CorsNeed = BROWSER_UPLOAD) -> dict[str, Any]:
    """The one rule browser uploads need, for these origins, in PutBucketCors' shape."""
    return {
        "ID": RULE_ID,
        "AllowedOrigins": list(dict.fromkeys(origins)),
        "AllowedMethods": [need.method],
        "AllowedHeaders": list(need.headers),
        "ExposeHeaders": [need.expose],
        "MaxAgeSeconds": MAX_AGE_SECONDS,
    }


def _folded(values: Iterable[str] | None) -> set[str]:
    return {str(v).lower() for v in values or ()}


def is_managed(rule: Mapping[str, Any], need: CorsNeed = BROWSER_UPLOAD) -> bool:
    """Whether multicam wrote this rule: by its ID, or by its shape if the ID was dropped."""
    if "ID" in rule:
        return bool(rule["ID"] == RULE_ID)
    ours = upload_rule([], need)
    # Some S3-compatible services do not keep rule IDs; our rule is recognisable anyway.
    return all(
        _folded(rule.get(k)) == _folded(ours[k])
        for k in ("AllowedMethods", "AllowedHeaders", "ExposeHeaders")
    )


def merged_rules(
    current: Sequence[Mapping[str, Any]], origins: Sequence[str], need: CorsNeed = BROWSER_UPLOAD
) -> list[dict[str, Any]]:
    """Our rule for ``origins`` first, then every rule not ours, unchanged.

    First, because S3 answers a preflight from the first matching rule: a foreign rule
    that allows PUT from the same origin but does not expose ETag must not win.
    """
    return [upload_rule(origins, need)] + [dict(r) for r in current if not is_managed(r, need)]


def managed_origins(rules: Sequence[Mapping[str, Any]]) -> list[str]:
    """The origins multicam's rule allows ([] if the bucket has no such rule)."""
    return [str(o) for r in rules if is_managed(r) for o in r.get("AllowedOrigins", [])]


def _wildcard(pattern: str) -> re.Pattern[str]:
    # S3 allows one '*' in an origin or header pattern; matching ignores case.
    return re.compile(".*".join(re.escape(p) for p in pattern.split("*")), re.IGNORECASE)


def _matches(patterns: Iterable[str] | None, value: str) -> bool:
    return any(_wildcard(str(p)).fullmatch(value) for p in patterns or ())


def _missing_headers(rule: Mapping[str, Any], need: CorsNeed) -> list[str]:
    return [h for h in need.headers if not _matches(rule.get("AllowedHeaders"), h)]


def _exposes(rule: Mapping[str, Any], header: str) -> bool:
    # '*' exposes every header to requests without credentials, which presigned PUTs are.
    return bool(_folded(rule.get("ExposeHeaders")) & {header.lower(), "*"})


def blocked_reason(
    rules: Sequence[Mapping[str, Any]], origin: str, need: CorsNeed = BROWSER_UPLOAD
) -> str | None:
    """Why the bucket's CORS rules would block the browser's request from ``origin``, or None."""
    if not rules:
        return "the bucket has no CORS rules"
    for_origin = [r for r in rules if _matches(r.get("AllowedOrigins"), origin)]
    if not for_origin:
        return f"no CORS rule allows origin {origin}"
    with_method = [
        r
        for r in for_origin
        if need.method in {str(m).upper() for m in r.get("AllowedMethods", [])}
    ]
    if not with_method:
        return f"no CORS rule for origin {origin} allows method {need.method}"
    chosen = next((r for r in with_method if not _missing_headers(r, need)), None)
    if chosen is None:
        missing = min((_missing_headers(r, need) for r in with_method), key=len)
        return (
            f"the CORS rules that allow {need.method} from {origin} do not allow the "
            f"request header{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    if not _exposes(chosen, need.expose):
        return (
            f"the CORS rule that allows {need.method} from {origin} does not expose the "
            f"{need.expose} header (the browser could not read the part ETags)"
        )
    return None


def fix_command(origins: Sequence[str]) -> str:
    return "multicam storage apply-cors " + " ".join(f"--origin {o}" for o in origins)


def blocked_message(origin: str, reason: str, rules: Sequence[Mapping[str, Any]] = ()) -> str:
    """The one wording of a refusal; the fix keeps the origins multicam's rule allows already."""
    origins = list(dict.fromkeys([*managed_origins(rules), origin]))
    return (
        f"browser uploads from {origin} would be blocked by the bucket's CORS rules: "
        f"{reason}; fix: run `{fix_command(origins)}`"
    )


async def apply_cors(store: ObjectStore, origins: Sequence[str]) -> list[dict[str, Any]]:
    """Install our rule for ``origins``, keeping every other rule; returns the rules sent.

    The S3 API replaces the whole configuration, so foreign rules are read and re-sent.
    """
    rules = merged_rules(await store.get_cors_rules(), origins)
    await store.put_cors_rules(rules)
    return rules
