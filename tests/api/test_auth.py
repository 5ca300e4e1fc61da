"""Credentials of the /v2 API, without a server: which token is whose, what it may do,
and the admin panel's signed admin user."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from worker.api.v2.admin_identity import (
    ADMIN_EMAIL_HEADER,
    ADMIN_ID_HEADER,
    MAX_SKEW_S,
    SIGNATURE_HEADER,
    AdminUser,
    signed_headers,
)
from worker.api.v2.auth import AdminRefused, Caller, resolve_caller, reviewer_of
from worker.api.v2.scopes import ALL_SCOPES
from worker.review.reviewer import Reviewer
from worker.settings import Settings

NOW = 1_790_000_000
OPS = AdminUser(7, "ops@studio.example")
TARGET = "/v2/sessions/abc/sync/approve"
READ = frozenset({"read"})


def _settings(**kw: object) -> Settings:
    base: dict[str, object] = {
        "api_token": SecretStr("main-token"),
        "api_tokens": {"render-farm": SecretStr("farm-token"), "alice": SecretStr("alice-token")},
        "admin_panel_token": SecretStr("panel-token"),
    }
    return Settings(**{**base, **kw})  # type: ignore[arg-type]


def _signed(
    user: AdminUser = OPS,
    *,
    at: int = NOW,
    method: str = "POST",
    target: str = TARGET,
    token: str = "panel-token",
) -> dict[str, str]:
    return signed_headers(token, at, method, target, user)


def _call(
    token: str | None,
    settings: Settings | None = None,
    *,
    method: str = "POST",
    target: str = TARGET,
    **headers: str,
) -> Caller | AdminRefused | None:
    given = dict(headers)
    if token is not None:
        given["authorization"] = f"Bearer {token}"
    return resolve_caller(given, settings or _settings(), method=method, target=target, now=NOW)


def test_each_token_is_its_name() -> None:
    assert _call("main-token") == Caller("token", "api", ALL_SCOPES)
    assert _call("farm-token") == Caller("token", "render-farm", READ)
    assert _call("alice-token") == Caller("token", "alice", READ)
    studio = _settings(MULTICAM_API_TOKEN_REVIEWER="studio")
    assert _call("main-token", studio) == Caller("token", "studio", ALL_SCOPES)
    for wrong in (None, "", "main-token-x", "farm", "Basic main-token"):
        assert _call(wrong) is None, wrong
    assert _call(None, authorization="main-token") is None


def test_scopes_come_from_the_setting_else_the_kind_default() -> None:
    settings = _settings(api_token_scopes={"alice": ["read", "upload"], "api": ["read"]})
    assert _call("alice-token", settings) == Caller("token", "alice", frozenset({"read", "upload"}))
    assert _call("farm-token", settings) == Caller("token", "render-farm", READ)
    assert _call("main-token", settings) == Caller("token", "api", READ)
    panel = _call("panel-token", settings, **_signed())
    assert isinstance(panel, Caller) and panel.scopes == ALL_SCOPES
    with pytest.raises(ValidationError):
        _settings(api_token_scopes={"alice": ["everything"]})


def test_an_empty_token_refuses_but_the_others_still_work() -> None:
    settings = _settings(api_token=SecretStr(""))
    assert _call("", settings) is None
    assert _call(None, settings, authorization="Bearer ") is None
    assert _call("farm-token", settings) == Caller("token", "render-farm", READ)


def test_a_signed_admin_user_counts_only_with_the_panel_token() -> None:
    panel = _call("panel-token", **_signed())
    assert panel == Caller("admin", "admin-panel", ALL_SCOPES, admin=OPS)
    assert reviewer_of(panel) == Reviewer.admin(7, "ops@studio.example")
    # The signature is good within MAX_SKEW_S of the service's clock, either way.
    for at in (NOW - MAX_SKEW_S, NOW + MAX_SKEW_S):
        assert _call("panel-token", **_signed(at=at)) == panel
    # Another credential sending the headers is still just that credential.
    farm = _call("farm-token", **_signed())
    assert farm == Caller("token", "render-farm", READ)
    assert reviewer_of(farm).mark() == {"kind": "token", "name": "render-farm"}


@pytest.mark.parametrize(
    ("headers", "why"),
    [
        ({}, "missing header"),
        ({ADMIN_ID_HEADER: "7"}, "missing header"),
        ({ADMIN_EMAIL_HEADER: "ops@studio.example"}, "missing header"),
        ({**_signed(), ADMIN_ID_HEADER: "seven"}, "numeric id"),
        ({**_signed(), ADMIN_ID_HEADER: "0"}, "numeric id"),
        ({**_signed(), ADMIN_ID_HEADER: "-3"}, "numeric id"),
        ({**_signed(), ADMIN_ID_HEADER: "99999999999"}, "numeric id"),
        ({**_signed(), ADMIN_EMAIL_HEADER: "ops"}, "e-mail"),
        ({**_signed(), ADMIN_EMAIL_HEADER: "two words@studio.example"}, "e-mail"),
        ({**_signed(), ADMIN_EMAIL_HEADER: "a@b" + "c" * 300}, "e-mail"),
        # The plain headers, unsigned.
        ({ADMIN_ID_HEADER: "7", ADMIN_EMAIL_HEADER: "ops@studio.example"}, "malformed"),
        ({**_signed(), SIGNATURE_HEADER: "t=1,v1=abc"}, "malformed"),
        # Signed for someone else, or re-aimed, replayed late, or signed with another key.
        ({**_signed(), ADMIN_ID_HEADER: "8"}, "does not match"),
        ({**_signed(), ADMIN_EMAIL_HEADER: "eve@studio.example"}, "does not match"),
        (_signed(method="GET"), "does not match"),
        (_signed(target="/v2/sessions/other/sync/approve"), "does not match"),
        (_signed(target=TARGET + "?x=1"), "does not match"),
        (_signed(token="main-token"), "does not match"),
        (_signed(at=NOW - MAX_SKEW_S - 1), "clock"),
        (_signed(at=NOW + MAX_SKEW_S + 1), "clock"),
    ],
)
def test_the_panel_without_a_verified_admin_user_is_refused(
    headers: dict[str, str], why: str
) -> None:
    refused = _call("panel-token", **headers)
    assert isinstance(refused, AdminRefused), refused
    assert why in refused.reason


def test_the_review_mark_says_who() -> None:
    assert Reviewer.admin(3, "a@b").mark() == {"kind": "admin", "id": 3, "email": "a@b"}
    assert Reviewer.admin(3, "a@b").name == "a@b"  # approvedBy
    assert Reviewer.token("render-farm").mark() == {"kind": "token", "name": "render-farm"}


@pytest.mark.parametrize(
    "kw",
    [
        {"api_tokens": {"farm": SecretStr("main-token")}},  # the same token twice
        {"admin_panel_token": SecretStr("farm-token")},
        {"api_tokens": {"farm": SecretStr("")}},  # a named token with no token
        {"api_tokens": {"api": SecretStr("other")}},  # the main token's name
        {"api_tokens": {"": SecretStr("other")}},  # no name
        {"api_tokens": {"two\nlines": SecretStr("other")}},
        {"MULTICAM_API_TOKEN_REVIEWER": ""},
    ],
)
def test_ambiguous_credentials_are_refused_at_start(kw: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _settings(**kw)


def test_named_tokens_come_from_a_json_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MULTICAM_API_TOKENS", '{"render-farm": "t1", "bob": "t2"}')
    monkeypatch.setenv("MULTICAM_ADMIN_PANEL_TOKEN", "t3")
    # Strapi's variable of that name (its own token's name) is not ours.
    monkeypatch.setenv("MULTICAM_API_TOKEN_NAME", "multicam-worker")
    monkeypatch.setenv("MULTICAM_API_TOKEN_REVIEWER", "ops")
    settings = Settings()
    assert settings.api_token_name == "ops"
    assert {k: v.get_secret_value() for k, v in settings.api_tokens.items()} == {
        "render-farm": "t1",
        "bob": "t2",
    }
    assert "t1" not in repr(settings)  # secrets stay masked
    assert _call("t2", settings) == Caller("token", "bob", READ)
