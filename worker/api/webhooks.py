"""POST /webhooks/strapi: authenticate, validate, decide, enqueue, answer 202 fast."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from strapi_client.webhook import parse_webhook
from worker.api.deps import Api, api
from worker.api.errors import ErrorBody, error_response, field_problems
from worker.logging import get_logger
from worker.pipeline.rules import decide
from worker.queue import enqueue
from worker.transient import TRANSIENT

SECRET_HEADER = "X-Multicam-Webhook-Secret"

router = APIRouter()


class EnqueuedJob(BaseModel):
    function: str
    job_id: str
    enqueued: bool  # False: an identical job is already queued or running


class WebhookAccepted(BaseModel):
    event: str
    model: str
    document_id: str | None
    reason: str
    jobs: list[EnqueuedJob]


def secret_ok(given: str | None, expected: str) -> bool:
    """Constant-time comparison; an unset expected secret refuses everything."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


@router.post(
    "/webhooks/strapi",
    status_code=202,
    response_model=WebhookAccepted,
    responses={400: {"model": ErrorBody}, 401: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    summary="Receive a Strapi entry webhook and enqueue the work it implies",
)
async def strapi_webhook(
    request: Request, state: Annotated[Api, Depends(api)]
) -> WebhookAccepted | JSONResponse:
    log = get_logger(endpoint="webhook")
    if not secret_ok(
        request.headers.get(SECRET_HEADER), state.settings.webhook_secret.get_secret_value()
    ):
        log.warning("webhook_refused", reason="bad or missing secret")
        return error_response(401, "unauthorized", f"missing or wrong {SECRET_HEADER} header")
    body = await request.body()
    try:
        event = parse_webhook(body)
        decision = decide(event)
    except ValidationError as exc:
        details = field_problems(exc.errors())
        log.warning("webhook_malformed", errors=[d.model_dump() for d in details])
        return error_response(
            400, "invalid_payload", "webhook body is not a valid Strapi entry event", details
        )
    log = log.bind(event=event.event, model=event.model, document_id=event.document_id)
    jobs: list[EnqueuedJob] = []
    try:
        for req in decision.jobs:
            job = await enqueue(state.redis, req, main_queue=state.settings.queue_name)
            jobs.append(
                EnqueuedJob(function=req.function, job_id=req.job_id, enqueued=job is not None)
            )
    except TRANSIENT as exc:
        # Strapi never retries a webhook; the reconcile cron will pick the work up.
        log.error("webhook_enqueue_failed", error=str(exc))
        return error_response(
            503,
            "queue_unavailable",
            f"job queue (Redis) unreachable: {exc}; the reconcile cron "
            "will pick this work up once it is back",
        )
    log.info(
        "webhook_accepted", reason=decision.reason, jobs=[j.job_id for j in jobs if j.enqueued]
    )
    return WebhookAccepted(
        event=event.event,
        model=event.model,
        document_id=event.document_id,
        reason=decision.reason,
        jobs=jobs,
    )
