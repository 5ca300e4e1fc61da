"""Path, query and header parameters that several /v2 route groups take."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Path, Query

from worker.api.v2.models.base import DOC_ID_PATTERN
from worker.storage.cors import ORIGIN_PATTERN

BROWSER_ORIGIN_HEADER = "X-Multicam-Browser-Origin"
_EXAMPLE_ORIGIN = "https://cms.example"

SessionId = Annotated[
    str,
    Path(
        pattern=DOC_ID_PATTERN,
        description="Session documentId.",
        examples=["k3v9x0q2m7l1p8r4t6w5y2z0"],
    ),
]
AssetId = Annotated[
    str,
    Path(
        pattern=DOC_ID_PATTERN,
        description="Asset documentId.",
        examples=["a1b2c3d4e5f6g7h8i9j0k1l2"],
    ),
]

BrowserOrigin = Annotated[
    str,
    Query(
        pattern=ORIGIN_PATTERN,
        max_length=300,
        examples=[_EXAMPLE_ORIGIN],
        description="The origin the browser uploads from (the Strapi admin's), as browsers "
        "send it: scheme://host[:port], lower case, no path.",
    ),
]
BrowserOriginHeader = Annotated[
    str | None,
    Header(
        alias=BROWSER_ORIGIN_HEADER,
        pattern=ORIGIN_PATTERN,
        max_length=300,
        examples=[_EXAMPLE_ORIGIN],
        description="Set when a browser on this origin will PUT the file (the admin plugin "
        "sets it): the bucket's CORS rules are checked first, and a 409 "
        "browser_upload_blocked answers instead of a ticket if they would block it.",
    ),
]
