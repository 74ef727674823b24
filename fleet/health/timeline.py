"""A camera's status over a period, from its status intervals, for the camera page's chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import CameraStatus
from fleet.health.models import StatusInterval


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of one status, with its place on a 0–1 scale of the period."""

    status: CameraStatus
    started_at: datetime
    ended_at: datetime
    start: float
    width: float


def segments(
    intervals: list[tuple[CameraStatus, datetime, datetime | None]], *, start: datetime, end: datetime
) -> list[Segment]:
    """The intervals clipped to [start, end), in order; time without an interval is left out (not measured)."""
    span = (end - start).total_seconds()
    found = []
    for status, began, ended in sorted(intervals, key=lambda i: i[1]):
        lo, hi = max(began, start), min(ended or end, end)
        if hi <= lo:
            continue
        found.append(
            Segment(
                status=status,
                started_at=lo,
                ended_at=hi,
                start=(lo - start).total_seconds() / span,
                width=(hi - lo).total_seconds() / span,
            )
        )
    return found


async def timeline(session: AsyncSession, camera_id: int, *, start: datetime, end: datetime) -> list[Segment]:
    """The camera's status segments between start and end."""
    rows = await session.execute(
        select(StatusInterval.status, StatusInterval.started_at, StatusInterval.ended_at).where(
            StatusInterval.camera_id == camera_id,
            StatusInterval.started_at < end,
            or_(StatusInterval.ended_at.is_(None), StatusInterval.ended_at > start),
        )
    )
    return segments([(s, a, b) for s, a, b in rows], start=start, end=end)
