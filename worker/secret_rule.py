"""The rule every secret we own follows: long enough, and never a shipped placeholder.

Strapi's bootstrap applies the same rule (``deploy/strapi/src/multicam/secret-rule.js``;
tests/deploy/test_secret_rule.py keeps the two identical). An operator who fixes only
what refuses to start must not end up with a service anyone can drive with
``Bearer change-me``.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import SecretStr

from worker.settings import Settings

MIN_SECRET_LENGTH = 32

# What deploy/.env.example and deploy/strapi/.env.example ship, plus the spellings
# people type when they mean "fill in later". Compared case-insensitively.
PLACEHOLDERS: frozenset[str] = frozenset(
    {
        "change-me",
        "change-me-1",
        "change-me-2",
        "change-me-3",
        "change-me-4",
        "changeme",
        "change_me",
        "tobemodified",
        "secret",
        "password",
        "token",
    }
)


def is_placeholder(value: str) -> bool:
    """True for a value the example files ship (or a look-alike), never a real secret."""
    return value.strip().lower() in PLACEHOLDERS


def secret_problem(value: str) -> str | None:
    """Why ``value`` is not acceptable as a secret, or None when it is."""
    if is_placeholder(value):
        return f"is the placeholder {value!r}"
    if len(value) < MIN_SECRET_LENGTH:
        return (
            f"is {len(value)} characters long; secrets need at least "
            f"{MIN_SECRET_LENGTH} (e.g. `openssl rand -hex 32`)"
        )
    return None


def _secret_settings(settings: Settings) -> Iterator[tuple[str, SecretStr]]:
    # Storage credentials are the provider's format, not ours to police.
    yield "MULTICAM_WEBHOOK_SECRET", settings.webhook_secret
    yield "MULTICAM_API_TOKEN", settings.api_token
    for name, token in settings.api_tokens.items():
        yield f"MULTICAM_API_TOKENS[{name!r}]", token
    yield "MULTICAM_ADMIN_PANEL_TOKEN", settings.admin_panel_token
    yield "MULTICAM_MEDIA_URL_SECRET", settings.media_url_secret
    yield "MULTICAM_STRAPI_TOKEN", settings.strapi_token


def weak_secrets(settings: Settings) -> list[str]:
    """One message per secret setting that is set but breaks the rule.

    Empty values keep their meaning (feature off, or every request refused).
    """
    problems = []
    for variable, secret in _secret_settings(settings):
        value = secret.get_secret_value()
        if value and (problem := secret_problem(value)):
            problems.append(f"{variable} {problem}")
    return problems
