"""Uploading a camera's original straight to storage with presigned URLs.

init-upload -> PUT the file (one URL) or its parts (multipart) -> complete.
The API never proxies the bytes; it hands out URLs, then checks what arrived.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated

from fastapi import APIRouter, Depends

from strapi_client.enums import AssetState
from strapi_client.models import MediaAsset, MediaAssetInput
from worker.api.deps import Api, api
from worker.api.errors import ApiError, FieldProblem, responses
from worker.api.v2.auth import BearerRoute, bearer_scheme
from worker.api.v2.browser_upload_check import require_browser_upload
from worker.api.v2.models.base import PresignedUrl
from worker.api.v2.models.uploads import (
    CompleteUpload,
    InitUpload,
    PartUrl,
    PartUrls,
    PartUrlsRequest,
    UploadDone,
    UploadedPart,
    UploadTicket,
)
from worker.api.v2.params import AssetId, BrowserOriginHeader, SessionId
from worker.api.v2.upload_records import UploadRecord, allocate_key
from worker.pipeline.rules import ingest_request
from worker.queue import enqueue
from worker.storage.base import ObjectInfo, Part, direct_uploads
from worker.storage.errors import (
    ChecksumMismatch,
    StorageError,
    StorageUnavailable,
    UploadNotFound,
)
from worker.storage.keys import extension_from_filename
from worker.storage.parts import MIB, plan_parts

router = APIRouter(
    prefix="/v2", tags=["uploads"], route_class=BearerRoute, dependencies=[Depends(bearer_scheme)]
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _complete_path(record: UploadRecord) -> str:
    return f"/v2/sessions/{record.session_id}/assets/{record.asset_id}/complete"


async def _part_urls(ctx: Api, record: UploadRecord, numbers: list[int]) -> list[PartUrl]:
    out = []
    for number in numbers:
        store = direct_uploads(ctx.store, "presign_part")
        signed = await store.presign_part(
            record.key, record.upload_id, number, expires_in=ctx.settings.upload_url_expiry_s
        )
        offset = (number - 1) * record.part_size
        out.append(
            PartUrl(
                part_number=number,
                url=signed.url,
                offset=offset,
                size_bytes=min(record.part_size, record.size_bytes - offset),
                expires_at=signed.expires_at,
            )
        )
    return out


async def _ticket(
    ctx: Api, record: UploadRecord, uploaded: list[Part], resumed: bool
) -> UploadTicket:
    ticket = UploadTicket(
        asset_id=record.asset_id,
        camera_label=record.camera,
        take=record.take,
        upload_id=record.upload_id,
        mode=record.mode,
        key=record.key,
        size_bytes=record.size_bytes,
        sha256=record.sha256,
        part_count=record.part_count,
        resumed=resumed,
        complete_path=_complete_path(record),
    )
    if record.mode == "single":
        signed = await direct_uploads(ctx.store, "presign_put").presign_put(
            record.key,
            record.content_type,
            expires_in=ctx.settings.upload_url_expiry_s,
            sha256=record.sha256,
        )
        ticket.url = PresignedUrl(
            method="PUT", url=signed.url, headers=signed.headers, expires_at=signed.expires_at
        )
        return ticket
    have = {p.part_number for p in uploaded}
    missing = [n for n in range(1, record.part_count + 1) if n not in have]
    ticket.part_size_bytes = record.part_size
    ticket.parts = await _part_urls(ctx, record, missing[: ctx.settings.upload_urls_per_response])
    ticket.uploaded_parts = [
        UploadedPart(part_number=p.part_number, etag=p.etag, size_bytes=p.size) for p in uploaded
    ]
    return ticket


def _same_file(record: UploadRecord, body: InitUpload) -> bool:
    return (
        record.completed_at is None
        and record.size_bytes == body.size_bytes
        and record.sha256 == (body.sha256.lower() if body.sha256 else None)
        and record.filename == body.filename
        and record.content_type == body.content_type
    )


async def _resume(ctx: Api, record: UploadRecord) -> UploadTicket | None:
    """The unfinished upload with what storage already holds, or None if it is gone."""
    if record.mode == "single":
        return await _ticket(ctx, record, [], resumed=True)
    try:
        parts = await direct_uploads(ctx.store, "list_parts").list_parts(
            record.key, record.upload_id
        )
    except UploadNotFound:
        return None
    # Only parts of the planned size count: anything else has to be sent again.
    plan = {
        n: min(record.part_size, record.size_bytes - (n - 1) * record.part_size)
        for n in range(1, record.part_count + 1)
    }
    good = [p for p in parts if p.size is None or plan.get(p.part_number) == p.size]
    return await _ticket(ctx, record, good, resumed=True)


async def _drop_pending(ctx: Api, record: UploadRecord, asset: MediaAsset) -> None:
    """Abandon an unfinished upload: its parts, or a file PUT but never completed.

    A single PUT whose ``complete`` already handed the file to the asset (and then
    failed before recording it) is the asset's original now: it stays.
    """
    if record.mode == "multipart":
        await direct_uploads(ctx.store, "abort_multipart").abort_multipart(
            record.key, record.upload_id
        )
    elif asset.original_url != ctx.store.url_for(record.key):
        await ctx.store.delete(record.key)


@router.post(
    "/sessions/{session_id}/assets/init-upload",
    response_model=UploadTicket,
    responses=responses(404, 409, 422),
    summary="Start (or resume) uploading one camera's original",
)
async def init_upload(
    session_id: SessionId,
    body: InitUpload,
    ctx: Annotated[Api, Depends(api)],
    browser_origin: BrowserOriginHeader = None,
) -> UploadTicket:
    if browser_origin is not None:  # a browser will PUT: no ticket it could not use
        await require_browser_upload(ctx.store, ctx.cors, browser_origin)
    session = await ctx.session(session_id)
    camera, take = body.camera_label.value, body.take
    existing = await ctx.strapi.find_asset(session_id, camera, take=take)
    previous = await ctx.records.get(existing.document_id) if existing else None
    if body.resume and previous is not None and _same_file(previous, body):
        resumed = await _resume(ctx, previous)
        if resumed is not None:
            return resumed
    # One asset per session, camera and take: a re-init replaces the pending upload in place.
    if existing is not None and existing.state is AssetState.READY and existing.original_url:
        # A good file is replaced: it stays the camera's file until the new one is
        # complete, so an abandoned re-upload loses nothing.
        asset = await ctx.strapi.update_asset(
            existing.document_id,
            MediaAssetInput(
                progress_message=f"a new file ({body.filename}) is uploading; the current one "
                "is used until it is complete"
            ),
        )
    else:
        asset = await ctx.strapi.upsert_asset(
            session_id,
            camera,
            MediaAssetInput(
                original_filename=body.filename,
                original_url=None,
                state=AssetState.UPLOADING,
                error_message=None,
                progress_pct=None,
                progress_message="upload started",
            ),
            take=take,
        )
    if previous is not None and previous.completed_at is None:
        await _drop_pending(ctx, previous, asset)
    ext = extension_from_filename(body.filename, default="bin")
    key = await allocate_key(ctx.store, ctx.records, session, camera, ext, asset.document_id, take)
    if key is None:
        raise ApiError(
            409,
            "no_free_version",
            f"camera {camera} take {take} of project "
            f"{session.project_id!r} on {session.date} has used every version",
        )
    if previous is not None and previous.key.rsplit(".", 1)[0] != key.rsplit(".", 1)[0]:
        await ctx.records.release(previous.key, asset.document_id)
    sha256 = body.sha256.lower() if body.sha256 else None
    if body.size_bytes <= ctx.settings.upload_single_max_mb * MIB:
        mode, upload_id, part_size, count = (
            "single",
            f"single-{secrets.token_hex(12)}",
            body.size_bytes,
            1,
        )
    else:
        plan = plan_parts(body.size_bytes, ctx.settings.upload_part_size_mb * MIB)
        upload_id = await direct_uploads(ctx.store, "create_multipart").create_multipart(
            key, body.content_type, sha256=sha256
        )
        mode, part_size, count = "multipart", plan.part_size, plan.count
    record = UploadRecord(
        asset_id=asset.document_id,
        session_id=session_id,
        camera=camera,
        take=take,
        key=key,
        upload_id=upload_id,
        mode=mode,
        size_bytes=body.size_bytes,
        part_size=part_size,
        part_count=count,
        sha256=sha256,
        content_type=body.content_type,
        filename=body.filename,
        created_at=_now(),
    )
    await ctx.records.put(record)
    return await _ticket(ctx, record, [], resumed=False)


async def _current(ctx: Api, asset_id: str, upload_id: str) -> UploadRecord:
    record = await ctx.records.get(asset_id)
    if record is None:
        raise ApiError(
            409,
            "no_pending_upload",
            "no upload was started for this asset (or it expired): call init-upload",
        )
    if record.upload_id != upload_id:
        raise ApiError(
            409,
            "upload_replaced",
            "this upload was replaced by a newer "
            f"init-upload of camera {record.camera}; use upload {record.upload_id!r}",
        )
    return record


@router.post(
    "/sessions/{session_id}/assets/{asset_id}/part-urls",
    response_model=PartUrls,
    responses=responses(404, 409, 422),
    summary="Fresh presigned URLs for parts of a multipart upload",
)
async def part_urls(
    session_id: SessionId,
    asset_id: AssetId,
    body: PartUrlsRequest,
    ctx: Annotated[Api, Depends(api)],
) -> PartUrls:
    await ctx.asset(session_id, asset_id)
    record = await _current(ctx, asset_id, body.upload_id)
    if record.mode != "multipart" or record.completed_at is not None:
        raise ApiError(
            409,
            "not_uploading_parts",
            "this upload is " + ("complete" if record.completed_at else "a single PUT"),
        )
    bad = [
        FieldProblem(loc=f"body.partNumbers.{i}", msg=f"the upload has {record.part_count} parts")
        for i, n in enumerate(body.part_numbers)
        if n > record.part_count
    ]
    if bad:
        raise ApiError(422, "invalid_request", "part number out of range", bad)
    numbers = sorted(set(body.part_numbers))
    return PartUrls(upload_id=record.upload_id, parts=await _part_urls(ctx, record, numbers))


def _incomplete(message: str) -> ApiError:
    return ApiError(400, "upload_incomplete", message)


async def _finish(ctx: Api, record: UploadRecord, parts: list[UploadedPart]) -> ObjectInfo:
    """Assemble (multipart) and check that the object is the declared file."""
    if record.mode == "single":
        info = await ctx.store.head(record.key)
        if info is None:
            raise _incomplete("nothing has been PUT to the upload URL yet")
    else:
        chosen = [Part(part_number=p.part_number, etag=p.etag) for p in parts] or None
        try:
            info = await direct_uploads(ctx.store, "complete_multipart").complete_multipart(
                record.key, record.upload_id, chosen, expected_size=record.size_bytes
            )
        except UploadNotFound:
            found = await ctx.store.head(record.key)  # completed by an earlier call?
            if found is None:
                raise ApiError(
                    409,
                    "no_pending_upload",
                    "storage no longer knows this upload (aborted or expired): call init-upload",
                ) from None
            info = found
        except ChecksumMismatch as exc:
            await ctx.store.delete(record.key)
            raise _incomplete(
                f"the assembled file is not the declared one ({exc}); "
                "call init-upload to start again"
            ) from None
        except StorageUnavailable:
            raise
        except StorageError as exc:
            raise _incomplete(f"storage refused to assemble the parts: {exc}") from None
    problem = None
    if info.size != record.size_bytes:
        problem = f"the stored file has {info.size} bytes, {record.size_bytes} were declared"
    elif record.sha256 and info.sha256 and info.sha256 != record.sha256:
        problem = f"the stored file's sha256 is {info.sha256}, {record.sha256} was declared"
    if problem is not None:
        await ctx.store.delete(record.key)  # a wrong file must not be ingested
        raise _incomplete(
            problem
            + (
                "; PUT the file again"
                if record.mode == "single"
                else "; call init-upload to start again"
            )
        )
    return info


@router.post(
    "/sessions/{session_id}/assets/{asset_id}/complete",
    status_code=202,
    response_model=UploadDone,
    responses=responses(400, 404, 409, 422),
    summary="Finish an upload: verify it, record it, start ingestion",
)
async def complete(
    session_id: SessionId,
    asset_id: AssetId,
    body: CompleteUpload,
    ctx: Annotated[Api, Depends(api)],
) -> UploadDone:
    asset = await ctx.asset(session_id, asset_id)
    record = await _current(ctx, asset_id, body.upload_id)
    url = ctx.store.url_for(record.key)
    if record.completed_at is not None:
        # A repeated call: report, change nothing (the asset may be far along by now).
        if await ctx.store.head(record.key) is None:
            raise ApiError(
                409,
                "no_pending_upload",
                "the uploaded file is no longer in storage: call init-upload",
            )
        return UploadDone(
            asset_id=asset_id,
            camera_label=record.camera,
            take=record.take,
            state=asset.state.value,
            original_url=url,
            key=record.key,
            size_bytes=record.size_bytes,
            sha256=record.sha256,
            etag=record.etag,
            already_completed=True,
        )
    info = await _finish(ctx, record, body.parts)
    updated = await ctx.strapi.update_asset(
        asset_id,
        MediaAssetInput(
            original_url=url,
            original_filename=record.filename,
            state=AssetState.INGESTING,
            error_message=None,
            progress_pct=None,
            progress_message="uploaded; queued for ingestion",
        ),
    )
    request = ingest_request(updated)
    if request is not None:
        await enqueue(ctx.redis, request, main_queue=ctx.settings.queue_name)
    await ctx.records.put(record.model_copy(update={"completed_at": _now(), "etag": info.etag}))
    return UploadDone(
        asset_id=asset_id,
        camera_label=record.camera,
        take=record.take,
        state=updated.state.value,
        original_url=url,
        key=record.key,
        size_bytes=info.size,
        sha256=record.sha256,
        etag=info.etag,
        ingest_job_id=request.job_id if request else None,
    )
