"""The golden path as a demo: drop three cameras into a session, watch them sync, approve.

    .venv/bin/python -m tests.api.demo            # about a minute on two cores

Starts the whole stack on loopback (Strapi + PostgreSQL, Redis, moto's S3 server,
`multicam serve`, `multicam worker`), uploads three generated cameras with known
offsets with `multicam upload`, waits for the automatic sync, prints what an
operator sees ("Sync confidence: 92%"), approves over HTTP and compares the final
offsets with the truth. Everything is stopped and removed at the end.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.api.conftest import DAY, TOKEN, ApiStack, running_api_stack
from tests.corpus import cases as corpus
from tests.pipeline.conftest import session_case
from tests.support.services import MULTICAM


def _say(text: str) -> None:
    print(text, flush=True)


def _wait(api: httpx.Client, sid: str, timeout: float = 600) -> dict[str, Any]:
    """The sync view once the session is in needs-review with every camera synced."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        body: dict[str, Any] = api.get(f"/v2/sessions/{sid}").json()
        if (body.get("progressMessage") or "") != last:
            last = body["progressMessage"]
            _say(f"  [{body['state']}] {last}")
        if body["state"] == "needs-review":
            view: dict[str, Any] = api.get(f"/v2/sessions/{sid}/sync").json()
            if {view["masterCamera"], *view["classification"]} == {"A", "B", "C"}:
                return view
        time.sleep(1)
    raise TimeoutError(f"session {sid} was not synced in {timeout} s")


def run(stack: ApiStack, media: Path) -> int:
    spec = session_case("pipeline-golden", 501)
    built = corpus.build_case(spec, media)
    api = httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=60)
    sid = api.post(
        "/v2/sessions",
        json={"title": "Demo interview", "date": DAY.isoformat(), "projectId": "demo"},
    ).json()["sessionId"]
    _say(f"session {sid} created (draft)")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(Path.home()),
        "MULTICAM_API_URL": stack.url,
        "MULTICAM_API_TOKEN": TOKEN,
    }
    # Three uploads at once, as when the three files are dropped together.
    uploads = []
    for cam in spec.cameras:
        path = built.paths[cam.label]
        _say(f"multicam upload --session {sid} --camera {cam.label} {path.name}")
        uploads.append(
            subprocess.Popen(
                [str(MULTICAM), "upload", "--session", sid, "--camera", cam.label, str(path)],
                env=env,
                stdout=subprocess.DEVNULL,
            )
        )
    if any(p.wait() != 0 for p in uploads):
        return 1
    view = _wait(api, sid)
    _say(f"\nSync confidence: {view['overallConfidencePct']:.0f}%  (master {view['masterCamera']})")
    truth = corpus.truth_relative_to(built, view["masterCamera"])
    for cam in view["cameras"]:
        lbl = cam["label"]
        _say(
            f"  camera {lbl}: {cam['offsetMs']:+10.1f} ms  (truth {truth.offsets_ms[lbl]:+10.1f})"
            f"  {cam['classification'] or 'master'}"
        )
    done = api.post(
        f"/v2/sessions/{sid}/sync/approve",
        json={"notes": "Looks good", "computedAt": view["computedAt"]},
    ).json()
    _say(
        f"\napproved by {done['approvedBy']} at {done['approvedAt']}: session "
        f"{done['sessionState']}"
    )
    worst = max(
        abs(done["finalOffsetsMs"][lbl] - truth.offsets_ms[lbl]) for lbl in truth.offsets_ms
    )
    _say(f"finalOffsetsMs {done['finalOffsetsMs']} - largest error vs truth {worst:.2f} ms")
    return 0 if worst <= 5.0 and done["sessionState"] == "ready" else 1


def main() -> int:
    media = Path.home() / ".cache" / "multicam" / "pipeline-media"
    media.mkdir(parents=True, exist_ok=True)
    _say("starting Strapi, Redis, S3 (moto), multicam serve and worker ...")
    with running_api_stack() as stack:
        return run(stack, media)


if __name__ == "__main__":
    sys.exit(main())
