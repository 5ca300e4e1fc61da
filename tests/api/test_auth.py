"""Credentials of the /v2 API, without a server: which token is whose, and the admin headers."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from worker.api.v2.auth import (
    ADMIN_EMAIL_HEADER,
    ADMIN_ID_HEADER,
    AdminUser,
    Caller,
    resolve_caller,
    reviewer_of,
)
from worker.api.v2.problems import ApiError
from worker.review.reviewer import Reviewer
from worker.settings import Settings

ADMIN = {ADMIN_ID_HEADER: "7", ADMIN_EMAIL_HEADER: "ops@studio.example"}


def _settings(**kw: object) -> Settings:
    base: dict[str, object] = {
        "api_token": SecretStr("main-token"),
        "api_tokens": {"render-farm": SecretStr("farm-token"), "alice": SecretStr("alice-token")},
        "admin_panel_token": SecretStr("panel-token"),
    }
    return Settings(**{**base, **kw})  # type: ignore[arg-type]


def _call(token: str | None, settings: Settings | None = None, **headers: str) -> Caller | None:
    given = dict(headers)
    if token is not None:
        given["authorization"] = f"Bearer {token}"
    return resolve_caller(given, settings or _settings())


def test_each_token_is_its_name() -> None:
    assert _call("main-token") == Caller("token", "api")
    assert _call("farm-token") == Caller("token", "render-farm")
    assert _call("alice-token") == Caller("token", "alice")
    studio = _settings(MULTICAM_API_TOKEN_REVIEWER="studio")
    assert _call("main-token", studio) == Caller("token", "studio")
    for wrong in (None, "", "main-token-x", "farm", "Basic main-token"):
        assert _call(wrong) is None, wrong
    assert resolve_caller({"authorization": "main-token"}, _settings()) is None


def test_an_empty_token_refuses_but_the_others_still_work() -> None:
    settings = _settings(api_token=SecretStr(""))
    assert _call("", settings) is None
    assert resolve_caller({"authorization": "Bearer "}, settings) is None
    assert _call("farm-token", settings) == Caller("token", "render-farm")


def test_admin_headers_only_count_with_the_panel_token() -> None:
    panel = _call("panel-token", **ADMIN)
    assert panel == Caller("admin", "admin-panel", admin=AdminUser(7, "ops@studio.example"))
    assert reviewer_of(panel) == Reviewer.admin(7, "ops@studio.example")
    # Another credential sending the headers is still just that credential.
    farm = _call("farm-token", **ADMIN)
    assert farm == Caller("token", "render-farm")
    assert reviewer_of(farm).mark() == {"kind": "token", "name": "render-farm"}


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {ADMIN_ID_HEADER: "7"},
        {ADMIN_EMAIL_HEADER: "ops@studio.example"},
        {**ADMIN, ADMIN_ID_HEADER: "seven"},
        {**ADMIN, ADMIN_ID_HEADER: "0"},
        {**ADMIN, ADMIN_ID_HEADER: "-3"},
        {**ADMIN, ADMIN_ID_HEADER: "99999999999"},
        {**ADMIN, ADMIN_EMAIL_HEADER: "ops"},
        {**ADMIN, ADMIN_EMAIL_HEADER: "two words@studio.example"},
        {**ADMIN, ADMIN_EMAIL_HEADER: "a@b" + "c" * 300},
    ],
)
def test_the_panel_without_a_usable_admin_user_cannot_review(headers: dict[str, str]) -> None:
    panel = _call("panel-token", **headers)
    assert panel is not None and panel.kind == "admin" and panel.admin is None
    assert panel.admin_problem
    with pytest.raises(ApiError) as info:
        reviewer_of(panel)
    assert info.value.status == 401 and info.value.code == "admin_user_required"
    assert ADMIN_ID_HEADER in info.value.message and panel.admin_problem in info.value.message


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
    assert _call("t2", settings) == Caller("token", "bob")
