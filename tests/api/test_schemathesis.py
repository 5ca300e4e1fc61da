"""Property-based tests of the /v2 API from its own OpenAPI document: no input, valid or
not, may make the service answer with a server error (or off its documented contract)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import TOKEN, ApiStack
from worker.api.deps import API_STRAPI_BUDGET_S

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(300)]
# Per operation and mode: 13 operations x 2 modes x this many requests, in well under a minute.
EXAMPLES = 10
# A safety net only: every Strapi wait of a request is inside API_STRAPI_BUDGET_S.
REQUEST_TIMEOUT_S = API_STRAPI_BUDGET_S + 20


class BusyAnswers:
    """``not_a_server_error``, except for the one 5xx the API documents as "Strapi was too
    slow for this request's budget, retry": 503 ``unavailable`` with Retry-After. Those
    are counted, so a dependency that is down (every answer 503) still fails the test."""

    def __init__(self) -> None:
        self.calls = 0
        self.busy: list[str] = []

    def check(self, ctx: Any, response: Any, case: Any) -> bool | None:
        self.calls += 1
        if response.status_code == 503 and response.headers.get("Retry-After"):
            body = response.json()
            if isinstance(body, dict) and body.get("error", {}).get("code") == "unavailable":
                self.busy.append(f"{case.method} {case.formatted_path}")
                return None
        return not_a_server_error(ctx, response, case)


@pytest.fixture(scope="module")
def operations(api_stack: ApiStack) -> list[Any]:
    # (schemathesis' lazy pytest fixtures do not work with this pytest; drive it directly)
    schema = schemathesis.openapi.from_url(api_stack.url + "/openapi.json")
    ops = [result.ok() for result in schema.include(path_regex=r"^/v2/").get_all_operations()]
    assert len(ops) == 13
    return ops


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_v2_never_answers_with_a_server_error(
    api_stack: ApiStack, operations: list[Any], mode: GenerationMode
) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    answers = BusyAnswers()
    checks = [
        answers.check,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            case.call_and_validate(
                base_url=api_stack.url, headers=headers, checks=checks, timeout=REQUEST_TIMEOUT_S
            )

        run()
    # A busy machine may make a few answers 503 (documented, retryable); not most.
    assert len(answers.busy) * 4 <= answers.calls, (answers.calls, answers.busy)
