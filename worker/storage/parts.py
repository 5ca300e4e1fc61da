"""Multipart part sizing within S3's (and R2's) limits."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict

from .errors import StorageError

MIB = 1024 * 1024
MIN_PART_SIZE = 5 * MIB  # every part but the last
MAX_PART_SIZE = 5 * 1024 * MIB
MAX_PARTS = 10_000
MAX_OBJECT_SIZE = 5 * 1024 * 1024 * MIB  # 5 TiB


class PartPlan(BaseModel):
    """How a file of ``size`` bytes is cut: equal parts, the last one shorter.

    R2 requires every part but the last to have the same size, so plans never vary it.
    """

    model_config = ConfigDict(frozen=True)

    size: int
    part_size: int
    count: int

    def ranges(self) -> Iterator[tuple[int, int, int]]:
        """(part number, offset, length) for every part, in order."""
        for index in range(self.count):
            offset = index * self.part_size
            yield index + 1, offset, min(self.part_size, self.size - offset)


def plan_parts(size: int, preferred_part_size: int = 64 * MIB) -> PartPlan:
    """The preferred part size, raised (to a whole MiB) if ``size`` would need over 10,000 parts.

    >>> plan_parts(200 * 1024**3, 8 * MIB).part_size // MIB   # 200 GB at 8 MiB would be 25,600
    21
    """
    if size < 0 or size > MAX_OBJECT_SIZE:
        raise StorageError(f"object size {size} is outside 0..{MAX_OBJECT_SIZE} bytes")
    part = min(max(preferred_part_size, MIN_PART_SIZE), MAX_PART_SIZE)
    needed = -(-size // MAX_PARTS)
    if needed > part:
        part = -(-needed // MIB) * MIB
    count = max(1, -(-size // part))
    return PartPlan(size=size, part_size=part, count=count)
