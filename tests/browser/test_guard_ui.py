"""An Editor signed in to the real admin cannot approve by spelling the Content
Manager's URL in capitals (#22 item 1): the page's own fetch gets the guard's 403,
and the sync card still asks for a review."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
from playwright.sync_api import Browser, expect

from strapi_client.client import StrapiClient
from strapi_client.query import related
from tests.browser.conftest import (
    BrowserStack,
    Seeded,
    admin_jwt,
    admin_request,
    login,
    session_edit_url,
    with_strapi,
)

SYNC = "api::sync-result.sync-result"

# The admin page's own fetch, with the signed-in Editor's token, as a script on it would.
PUT_FROM_PAGE = """async ([url, jwt, body]) => {
  const r = await fetch(url, {
    method: 'PUT',
    headers: {Authorization: `Bearer ${jwt}`, 'Content-Type': 'application/json'},
    body: JSON.stringify(body),
  });
  return [r.status, await r.text()];
}"""


def _editor(stack: BrowserStack) -> tuple[str, str]:
    root = admin_jwt(stack)
    roles = admin_request(stack, "GET", "/admin/roles", root).json()["data"]
    editor = next(r["id"] for r in roles if r["code"] == "strapi-editor")
    email = f"guard-editor-{secrets.token_hex(3)}@multicam.test"
    created = admin_request(
        stack,
        "POST",
        "/admin/users",
        root,
        json={"email": email, "firstname": "Gia", "lastname": "Editor", "roles": [editor]},
    )
    assert created.status_code == 201, created.text
    password = "Ed1tor-" + secrets.token_hex(6)
    registered = httpx.post(
        f"{stack.strapi.base_url}/admin/register",
        json={
            "registrationToken": created.json()["data"]["registrationToken"],
            "userInfo": {"firstname": "Gia", "lastname": "Editor", "password": password},
        },
        timeout=30,
    )
    assert registered.status_code == 200, registered.text
    return email, password


def _result(stack: BrowserStack, session_id: str) -> Any:
    async def get(s: StrapiClient) -> Any:
        return await s.sync_results.first(filters={"session": related(session_id)})

    return with_strapi(stack, get)


def test_an_editor_cannot_approve_through_a_capitalised_content_manager_path(
    seeded: Seeded, browser_stack: BrowserStack, browser: Browser
) -> None:
    email, password = _editor(browser_stack)
    before = _result(browser_stack, seeded.low)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    try:
        page = context.new_page()
        login(page, browser_stack, email, password)
        jwt = admin_jwt(browser_stack, email, password)
        path = f"/collection-types/{SYNC}/{before.document_id}"
        for prefix in ("/CONTENT-MANAGER", "/Content-Manager", "/content-manager"):
            url = f"{browser_stack.strapi.base_url}{prefix}{path}"
            status, text = page.evaluate(
                PUT_FROM_PAGE, [url, jwt, {"operatorStatus": "approved", "approvedBy": "anyone"}]
            )
            assert status == 403, (prefix, status, text)
            assert "operatorStatus" in text
        after = _result(browser_stack, seeded.low)
        assert (after.operator_status, after.approved_by) == (
            before.operator_status,
            before.approved_by,
        )
        # What the operators see: the session's edit view still shows the result unreviewed.
        page.goto(session_edit_url(browser_stack, seeded.low))
        expect(page.get_by_text("approved by anyone")).to_have_count(0, timeout=30_000)
    finally:
        context.close()
