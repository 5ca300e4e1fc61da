"""GET /v2/sessions/{id}/sync/listen through the service, on WAVs in (moto's) S3."""

from __future__ import annotations

import io
import wave

import httpx
import numpy as np
import pytest

from strapi_client.client import StrapiClient
from strapi_client.models import DerivedMediaInput, RecordingSession
from tests.api.conftest import DAY, ApiStack, new_session, reviewable_session
from tests.api.test_listen_clip import clicks, wav_bytes
from worker.session_clips import asset_clips
from worker.storage.factory import open_store
from worker.storage.keys import ObjectKind, object_key

pytestmark = [pytest.mark.strapi, pytest.mark.timeout(300)]
RATE = 48_000
FRAME_MS = 1000 / 30


async def _with_wavs(api_stack: ApiStack, strapi: StrapiClient) -> RecordingSession:
    """A reviewable session whose cameras A (master) and C have audio-wav files; B none.

    C started 1.5 s after A and heard A's clicks at 2 s and 5 s.
    """
    session, _ = await reviewable_session(
        strapi,
        offsets={"A": 0.0, "B": 6432.1, "C": 1500.0},
        durations={"A": 10_000, "B": 36_000, "C": 8_000},
    )
    await _store_wavs(
        api_stack,
        strapi,
        session,
        {
            "A": wav_bytes(clicks(10.0, [2.0, 5.0])),
            "C": wav_bytes(clicks(8.0, [0.5, 3.5], channels=2, seed=1)),
        },
    )
    return session


async def _store_wavs(
    api_stack: ApiStack, strapi: StrapiClient, session: RecordingSession, wavs: dict[str, bytes]
) -> None:
    """Each clip's (``A``, ``REC#2``) audio-wav in storage and on its asset."""
    full = await strapi.get_session(session.document_id, populate={"assets": True})
    async with open_store(api_stack.s3.settings) as store:
        for clip in asset_clips(full.assets or []):
            if clip.id not in wavs:
                continue
            key = object_key(full.project_id, DAY, ObjectKind.AUDIO_WAV, clip.label, take=clip.take)
            stored = await store.put_bytes(key, wavs[clip.id], "audio/wav")
            await strapi.upsert_derived_media(
                clip.asset.document_id,
                "audio-wav",
                DerivedMediaInput(
                    url=stored.url,
                    storage_key=key,
                    size_bytes=stored.size,
                    content_type="audio/wav",
                    checksum=f"sha256:{stored.sha256}",
                ),
            )


def _channels(r: httpx.Response) -> tuple[np.ndarray, np.ndarray]:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(r.content)) as w:
        assert (w.getnchannels(), w.getframerate(), w.getsampwidth()) == (2, RATE, 2)
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2)
    return pcm[:, 0], pcm[:, 1]


def _loudest(x: np.ndarray) -> int:
    return int(np.argmax(np.abs(x.astype(np.int32))))


async def test_listen_left_master_right_camera(
    api: httpx.AsyncClient, api_stack: ApiStack, strapi: StrapiClient
) -> None:
    session = await _with_wavs(api_stack, strapi)
    url = f"/v2/sessions/{session.document_id}/sync/listen"
    # Its final offset: one sound in the middle of both ears.
    left, right = _channels(await api.get(url, params={"camera": "C", "atMs": 5000, "seconds": 2}))
    assert len(left) == 2 * RATE
    assert _loudest(left) == _loudest(right) == RATE
    # One frame late (a nudge tried before correcting): an echo of 1600 samples.
    left, right = _channels(
        await api.get(
            url, params={"camera": "C", "atMs": 5000, "seconds": 2, "offsetMs": 1500 + FRAME_MS}
        )
    )
    assert _loudest(right) - _loudest(left) == 1600
    # The default length is 4 s; a window reaching before C started is silent there.
    left, right = _channels(await api.get(url, params={"camera": "C", "atMs": 1000}))
    assert len(left) == 4 * RATE and not right[: RATE * 2].any()


async def test_listen_refusals(
    api: httpx.AsyncClient, api_stack: ApiStack, strapi: StrapiClient
) -> None:
    session = await _with_wavs(api_stack, strapi)
    url = f"/v2/sessions/{session.document_id}/sync/listen"

    async def refused(
        params: dict[str, object], status: int, code: str, loc: str | None = None
    ) -> str:
        r = await api.get(url, params=params)
        assert r.status_code == status, (params, r.text)
        error = r.json()["error"]
        assert error["code"] == code, error
        if loc is not None:
            assert loc in [d["loc"] for d in error["details"]], error
        return str(error["message"])

    assert "master" in await refused(
        {"camera": "A", "atMs": 1000}, 422, "invalid_request", "query.camera"
    )
    await refused({"camera": "D", "atMs": 1000}, 422, "invalid_request", "query.camera")
    await refused({"camera": "c", "atMs": 1000}, 422, "invalid_request")
    await refused({"camera": "C", "atMs": 1000, "seconds": 11}, 422, "invalid_request")
    await refused({"camera": "C", "atMs": 1000, "seconds": 0.4}, 422, "invalid_request")
    await refused({"camera": "C", "atMs": "NaN"}, 422, "invalid_request")
    await refused({"camera": "C"}, 422, "invalid_request")
    await refused({"camera": "C", "atMs": 20_000}, 422, "invalid_request", "query.atMs")
    await refused({"camera": "C", "atMs": -5}, 422, "invalid_request", "query.atMs")
    assert "no audio-wav" in await refused({"camera": "B", "atMs": 1000}, 409, "audio_unavailable")
    # The WAV removed from storage (the lifecycle rule, after 30 days).
    key = object_key(
        (await strapi.get_session(session.document_id)).project_id, DAY, ObjectKind.AUDIO_WAV, "C"
    )
    async with open_store(api_stack.s3.settings) as store:
        await store.delete(key)
    assert "no longer in storage" in await refused(
        {"camera": "C", "atMs": 1000}, 409, "audio_unavailable"
    )
    draft = await new_session(api)
    r = await api.get(f"/v2/sessions/{draft}/sync/listen", params={"camera": "C", "atMs": 0})
    assert r.status_code == 404 and r.json()["error"]["code"] == "sync_not_ready"


async def test_listen_hears_the_master_cameras_file_recording_at_that_moment(
    api: httpx.AsyncClient, api_stack: ApiStack, strapi: StrapiClient
) -> None:
    """A recorder stopped between takes: its second file is the left channel there."""
    session, _ = await reviewable_session(
        strapi,
        offsets={"REC#1": 0.0, "REC#2": 20_000.0, "C": 21_000.0},
        durations={"REC#1": 10_000, "REC#2": 10_000, "C": 8_000},
        master="REC#1",
    )
    await _store_wavs(
        api_stack,
        strapi,
        session,
        {
            "REC#1": wav_bytes(clicks(10.0, [2.0])),
            "REC#2": wav_bytes(clicks(10.0, [4.0], seed=2)),  # at 24 s
            "C": wav_bytes(clicks(8.0, [3.0], seed=3)),  # at 24 s
        },
    )
    url = f"/v2/sessions/{session.document_id}/sync/listen"
    r = await api.get(url, params={"camera": "C", "atMs": 24_000, "seconds": 2})
    left, right = _channels(r)
    assert _loudest(left) == _loudest(right) == RATE
    assert "listen-REC_t2-C-24000ms.wav" in r.headers["content-disposition"]
    # Between the recorder's files nothing is there to hear against.
    r = await api.get(url, params={"camera": "C", "atMs": 15_000})
    assert r.status_code == 422, r.text
    assert "REC#1 0 to 10000 ms, REC#2 20000 to 30000 ms" in r.json()["error"]["message"]
    # A take of the master's own camera is not heard against it.
    r = await api.get(url, params={"camera": "REC#2", "atMs": 24_000})
    assert r.status_code == 422 and "master" in r.json()["error"]["message"]
