"""``multicam storage``: the bucket's lifecycle and CORS rules, and expiry for the local backend."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TextIO

from pydantic import ValidationError

from worker.storage.base import ObjectStore
from worker.storage.cors import (
    BROWSER_UPLOAD,
    MAX_AGE_SECONDS,
    apply_cors,
    blocked_message,
    blocked_reason,
    managed_origins,
    normalise_origin,
    upload_rule,
)
from worker.storage.cors import (
    is_managed as is_managed_cors,
)
from worker.storage.errors import StorageError
from worker.storage.factory import open_store
from worker.storage.keys import FOLDERS, RETENTION_PREFIXES
from worker.storage.lifecycle import (
    DEFAULT_POLICY,
    LifecyclePolicy,
    apply_lifecycle,
    get_lifecycle,
    in_step,
    is_managed,
    sweep_expired,
)
from worker.storage.settings import StorageSettings

DESCRIPTION = """\
Manage where multicam's objects live and how long they are kept.

The storage backend comes from the environment: MULTICAM_STORAGE_BACKEND (local
or s3), MULTICAM_STORAGE_ROOT for local, MULTICAM_S3_* for S3/R2 (see
docs/storage.md).

Retention policy: originals, proxies, waveforms, thumbnails and sync artifacts
are kept; mezzanines are deleted 90 days and audio WAVs 30 days after upload;
multipart uploads still incomplete 7 days after they started are aborted.

Browser uploads (the Strapi admin's drop zones) PUT straight to the bucket, so its
CORS rules must allow the admin's origin: apply-cors installs exactly that rule.
"""

EPILOG = """\
examples:
  multicam storage show-lifecycle
  multicam storage apply-lifecycle --dry-run
  multicam storage apply-lifecycle
  multicam storage sweep-expired --dry-run
  multicam storage apply-cors --origin https://cms.example
  multicam storage show-cors --origin https://cms.example

exit status: 0 on success (show-lifecycle, show-cors: also when the rules differ or
would block, they say so), 1 when storage is misconfigured, unreachable or lacks
the operation, 2 on bad arguments.
"""

APPLY_HELP = """\
Install the retention policy as the bucket's S3 lifecycle rules (S3 backend only;
Cloudflare R2 supports them). Rules whose ID does not start with 'multicam-' are
kept as they are; multicam's own rules are replaced. Prints the resulting rules.
"""

SHOW_HELP = """\
Print the bucket's lifecycle rules as stored, and whether multicam's rules match
the policy in this version (if not, run apply-lifecycle).
"""

SWEEP_HELP = """\
Delete mezzanines and audio WAVs older than their retention by listing them: the
lifecycle of the local backend, which has no lifecycle rules. Safe on S3 too.
"""


APPLY_CORS_HELP = f"""\
Install the bucket CORS rule that browser uploads from the given origins need
(S3 backend only; Cloudflare R2 supports PutBucketCors). The rule, with the ID
'multicam-browser-upload', allows:

  origins          exactly the --origin values (the Strapi admin's public origin)
  methods          {BROWSER_UPLOAD.method} (the presigned single and part uploads; nothing is
                   read cross-origin, so no GET/HEAD)
  request headers  {", ".join(BROWSER_UPLOAD.headers)} (signed into single-PUT URLs)
  exposed headers  {BROWSER_UPLOAD.expose} (the browser reads each part's ETag for complete)
  max age          {MAX_AGE_SECONDS} s (browsers cache the preflight that long)

The rule lists exactly the origins given: name every origin that should keep
uploading (a previous run's origins are replaced, not added to). Rules for other
origins or purposes are kept as they are; ours goes first, because S3 answers a
browser from the first rule that matches its request. Prints the rules read back
and checks that each origin is allowed.
"""

SHOW_CORS_HELP = """\
Print the bucket's CORS rules as stored, and whether browser uploads from each
--origin (default: the origins of multicam's rule) would be allowed; if not, why,
and the apply-cors command that fixes it.
"""


def _origin(value: str) -> str:
    try:
        return normalise_origin(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "storage",
        help="object storage: lifecycle and CORS rules, expiry",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="storage_command", metavar="ACTION")
    actions.required = True

    apply = actions.add_parser(
        "apply-lifecycle",
        help="install the retention policy as S3 lifecycle rules",
        description=APPLY_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    apply.add_argument(
        "--dry-run",
        action="store_true",
        help="print the rules that would be installed; change nothing",
    )
    apply.add_argument("--json", action="store_true", help="print the rules as JSON")
    apply.set_defaults(func=run_apply)

    show = actions.add_parser(
        "show-lifecycle",
        help="print the bucket's lifecycle rules",
        description=SHOW_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    show.add_argument("--json", action="store_true", help="print the rules as JSON")
    show.set_defaults(func=run_show)

    apply_cors_p = actions.add_parser(
        "apply-cors",
        help="allow browser uploads from these origins (bucket CORS)",
        description=APPLY_CORS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    apply_cors_p.add_argument(
        "--origin",
        action="append",
        required=True,
        type=_origin,
        metavar="ORIGIN",
        help="scheme://host[:port] of the Strapi admin as browsers "
        "see it, e.g. https://cms.example (repeat for several)",
    )
    apply_cors_p.add_argument(
        "--dry-run",
        action="store_true",
        help="print the rule that would be installed; change nothing",
    )
    apply_cors_p.add_argument("--json", action="store_true", help="print the rules as JSON")
    apply_cors_p.set_defaults(func=run_apply_cors)

    show_cors = actions.add_parser(
        "show-cors",
        help="print the bucket's CORS rules; check origins for browser uploads",
        description=SHOW_CORS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    show_cors.add_argument(
        "--origin",
        action="append",
        type=_origin,
        metavar="ORIGIN",
        help="check browser uploads from this origin (repeatable)",
    )
    show_cors.add_argument("--json", action="store_true", help="print the rules as JSON")
    show_cors.set_defaults(func=run_show_cors)

    sweep = actions.add_parser(
        "sweep-expired",
        help="delete expired objects by listing (local backend's lifecycle)",
        description=SWEEP_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sweep.add_argument(
        "--dry-run", action="store_true", help="print what would be deleted; delete nothing"
    )
    sweep.set_defaults(func=run_sweep)


def render_policy(policy: LifecyclePolicy, out: TextIO) -> None:
    """The policy as a table an operator can check against docs/storage.md."""
    rows = [("kind", "key prefix", "retention")]
    for r in policy.retention:
        where = f"{RETENTION_PREFIXES.get(r.kind, '')}projects/*/*/{FOLDERS[r.kind]}/"
        keep = (
            "kept"
            if r.expire_after_days is None
            else f"deleted {r.expire_after_days} days after upload"
        )
        rows.append((str(r.kind), where, keep))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
    out.write(
        f"incomplete multipart uploads: aborted "
        f"{policy.abort_incomplete_uploads_after_days} days after they start\n"
    )


def render_rules(rules: Sequence[dict[str, Any]], out: TextIO) -> None:
    if not rules:
        out.write("no lifecycle rules\n")
    for rule in rules:
        prefix = (rule.get("Filter") or {}).get("Prefix", rule.get("Prefix", ""))
        actions = []
        if "Expiration" in rule:
            actions.append(f"expire after {rule['Expiration'].get('Days', '?')} days")
        if "AbortIncompleteMultipartUpload" in rule:
            days = rule["AbortIncompleteMultipartUpload"].get("DaysAfterInitiation", "?")
            actions.append(f"abort incomplete uploads after {days} days")
        owner = "" if is_managed(rule) else "  (not managed by multicam)"
        out.write(
            f"{rule.get('ID', '?')}: prefix {prefix or '(whole bucket)'!r}, "
            f"{', '.join(actions) or 'other actions'}, {rule.get('Status', '?')}{owner}\n"
        )


def render_cors_rules(rules: Sequence[dict[str, Any]], out: TextIO) -> None:
    if not rules:
        out.write("no CORS rules\n")
    for rule in rules:
        owner = "" if is_managed_cors(rule) else "  (not managed by multicam)"
        fields = [
            f"{key} {', '.join(str(v) for v in rule[key])}"
            for key in ("AllowedOrigins", "AllowedMethods", "AllowedHeaders", "ExposeHeaders")
            if rule.get(key)
        ]
        if "MaxAgeSeconds" in rule:
            fields.append(f"MaxAgeSeconds {rule['MaxAgeSeconds']}")
        out.write(f"{rule.get('ID', '(no ID)')}: {'; '.join(fields)}{owner}\n")


def render_origin_checks(
    rules: Sequence[dict[str, Any]], origins: Sequence[str], out: TextIO
) -> bool:
    """One line per origin: allowed, or why not and the fix. True if all are allowed."""
    ok = True
    for origin in origins:
        reason = blocked_reason(rules, origin)
        if reason is None:
            out.write(f"browser uploads from {origin}: allowed\n")
        else:
            ok = False
            out.write(
                f"browser uploads from {origin}: BLOCKED: "
                f"{blocked_message(origin, reason, rules)}\n"
            )
    return ok


def _run(name: str, work: Callable[[ObjectStore], Awaitable[int]]) -> int:
    """Open the configured store, run ``work``; storage errors become exit status 1."""
    try:
        settings = StorageSettings()
    except ValidationError as exc:
        print(f"multicam storage {name}: configuration error: {exc}", file=sys.stderr)
        return 1

    async def main() -> int:
        async with open_store(settings) as store:
            return await work(store)

    try:
        return asyncio.run(main())
    except StorageError as exc:
        print(f"multicam storage {name}: error: {exc}", file=sys.stderr)
        return 1


def run_apply(args: argparse.Namespace) -> int:
    if args.dry_run:
        if args.json:
            sys.stdout.write(json.dumps(DEFAULT_POLICY.s3_rules(), indent=2) + "\n")
        else:
            render_policy(DEFAULT_POLICY, sys.stdout)
            sys.stdout.write("\nrules that would be installed (dry run):\n")
            render_rules(DEFAULT_POLICY.s3_rules(), sys.stdout)
        return 0

    async def work(store: ObjectStore) -> int:
        rules = await apply_lifecycle(store, DEFAULT_POLICY)
        stored = await get_lifecycle(store)
        if args.json:
            sys.stdout.write(json.dumps(stored, indent=2, default=str) + "\n")
        else:
            render_policy(DEFAULT_POLICY, sys.stdout)
            sys.stdout.write("\nbucket lifecycle rules now:\n")
            render_rules(stored, sys.stdout)
        if not in_step(stored, DEFAULT_POLICY):
            print(
                f"multicam storage apply-lifecycle: error: the bucket reports different "
                f"rules than the {len(rules)} sent",
                file=sys.stderr,
            )
            return 1
        return 0

    return _run("apply-lifecycle", work)


def run_show(args: argparse.Namespace) -> int:
    async def work(store: ObjectStore) -> int:
        rules = await get_lifecycle(store)
        if args.json:
            sys.stdout.write(json.dumps(rules, indent=2, default=str) + "\n")
            return 0
        render_rules(rules, sys.stdout)
        if in_step(rules, DEFAULT_POLICY):
            sys.stdout.write("multicam rules: in step with the policy\n")
        else:
            sys.stdout.write(
                "multicam rules: differ from the policy; run `multicam storage apply-lifecycle`\n"
            )
        return 0

    return _run("show-lifecycle", work)


def run_apply_cors(args: argparse.Namespace) -> int:
    origins: list[str] = list(dict.fromkeys(args.origin))
    if args.dry_run:
        rule = [upload_rule(origins)]
        if args.json:
            sys.stdout.write(json.dumps(rule, indent=2) + "\n")
        else:
            sys.stdout.write("rule that would be installed (dry run; other rules are kept):\n")
            render_cors_rules(rule, sys.stdout)
        return 0

    async def work(store: ObjectStore) -> int:
        await apply_cors(store, origins)
        stored = await store.get_cors_rules()
        if args.json:
            sys.stdout.write(json.dumps(stored, indent=2, default=str) + "\n")
            ok = all(blocked_reason(stored, o) is None for o in origins)
        else:
            sys.stdout.write("bucket CORS rules now:\n")
            render_cors_rules(stored, sys.stdout)
            ok = render_origin_checks(stored, origins, sys.stdout)
        if not ok:
            print(
                "multicam storage apply-cors: error: the bucket reports rules that still "
                "block browser uploads",
                file=sys.stderr,
            )
            return 1
        return 0

    return _run("apply-cors", work)


def run_show_cors(args: argparse.Namespace) -> int:
    async def work(store: ObjectStore) -> int:
        rules = await store.get_cors_rules()
        if args.json:
            sys.stdout.write(json.dumps(rules, indent=2, default=str) + "\n")
            return 0
        render_cors_rules(rules, sys.stdout)
        origins = list(dict.fromkeys(args.origin or managed_origins(rules)))
        if not origins:
            sys.stdout.write(
                "no browser uploads allowed yet; run `multicam storage apply-cors "
                "--origin <the Strapi admin's origin>`\n"
            )
        render_origin_checks(rules, origins, sys.stdout)
        return 0

    return _run("show-cors", work)


def run_sweep(args: argparse.Namespace) -> int:
    async def work(store: ObjectStore) -> int:
        expired = await sweep_expired(store, DEFAULT_POLICY, dry_run=args.dry_run)
        verb = "would delete" if args.dry_run else "deleted"
        for info in expired:
            sys.stdout.write(
                f"{verb} {info.key} ({info.size} bytes, modified {info.last_modified:%Y-%m-%d})\n"
            )
        sys.stdout.write(f"{verb} {len(expired)} expired objects\n")
        return 0

    return _run("sweep-expired", work)
