"""HTTP Range requests over an object of known size (pure; RFC 9110 §14).

One range per request: ``bytes=a-b``, ``bytes=a-`` and ``bytes=-n`` (the last n
bytes). A header this does not understand, or several ranges, is ignored (the
whole object is sent, as the RFC allows); a range that starts past the end is
unsatisfiable (416).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.errors import Unsatisfiable

# At most 19 digits a side, past any object's size: Python refuses int() of more than
# 4300 digits, and a header of thousands of them is no range anyone means.
_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The range to send, None for the whole object; Unsatisfiable for a 416."""
    if header is None:
        return None
    match = _RANGE.fullmatch(header.strip().replace(" ", ""))
    if match is None:
        return None  # several ranges, another unit, or malformed: send it all
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last n bytes
        n = int(last)
        if n == 0 or size == 0:
            raise Unsatisfiable(header)
        return ByteRange(max(0, size - n), size - 1)
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid: ignored, like any header we do not understand
    if start >= size:
        raise Unsatisfiable(header)
    return ByteRange(start, min(end, size - 1))
