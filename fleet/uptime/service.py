"""Uptime figures from the database: status intervals, maintenance windows and cameras, grouped by a key."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import Camera
from fleet.health.models import StatusInterval
from fleet.maintenance.models import MaintenanceWindow
from fleet.maintenance.rules import occurrences
from fleet.maintenance.service import scope_of
from fleet.uptime.calc import Figures, Interval, Span, camera_figures

LOCAL = ZoneInfo("Europe/Amsterdam")
FOREVER = datetime.max.replace(tzinfo=UTC)


class GroupBy(StrEnum):
    CAMERA = "camera"
    AREA = "area"
    SITE = "site"
    MANUFACTURER = "manufacturer"
    KIND = "kind"
    POLLER_GROUP = "poller_group"


@dataclass(frozen=True, slots=True)
class UptimeRow:
    """One line of an uptime report."""

    key: str
    cameras: int
    availability: float | None
    downtime_s: float
    maintenance_s: float
    unknown_s: float
    outages: int
    mttr_s: float | None
    mtbf_s: float | None
    longest_outage_s: float

    @classmethod
    def of(cls, key: str, cameras: int, figures: Figures) -> UptimeRow:
        """A report row from summed figures."""
        return cls(
            key=key,
            cameras=cameras,
            availability=figures.availability,
            downtime_s=round(figures.downtime_s, 3),
            maintenance_s=round(figures.maintenance_s, 3),
            unknown_s=round(figures.unknown_s, 3),
            outages=figures.outages,
            mttr_s=None if figures.mttr_s is None else round(figures.mttr_s, 3),
            mtbf_s=None if figures.mtbf_s is None else round(figures.mtbf_s, 3),
            longest_outage_s=round(figures.longest_outage_s, 3),
        )


def key_of(camera: Camera, by: GroupBy) -> str:
    """The report key a camera falls under."""
    if by is GroupBy.CAMERA:
        return camera.name
    if by is GroupBy.MANUFACTURER:
        return camera.observed_manufacturer or camera.declared_manufacturer or "(unknown)"
    value = getattr(camera, by.value)
    return str(getattr(value, "value", value) or "(none)")


def in_service(camera: Camera) -> Span:
    """When the camera counts: from its installation day (local midnight) on."""
    if camera.installed_on is None:
        return (datetime.min.replace(tzinfo=UTC), FOREVER)
    return (datetime.combine(camera.installed_on, time(), tzinfo=LOCAL).astimezone(UTC), FOREVER)


async def camera_figures_for(
    session: AsyncSession, *, period: Span, now: datetime, cameras: Sequence[Camera] | None = None
) -> dict[int, tuple[Camera, Figures]]:
    """Every camera's figures over the period."""
    if cameras is None:
        cameras = (await session.scalars(select(Camera).order_by(Camera.name))).all()
    start, end = period
    by_camera: dict[int, list[Interval]] = defaultdict(list)
    rows = await session.execute(
        select(StatusInterval.camera_id, StatusInterval.status, StatusInterval.started_at, StatusInterval.ended_at)
        .where(StatusInterval.started_at < end, or_(StatusInterval.ended_at.is_(None), StatusInterval.ended_at > start))
        .order_by(StatusInterval.camera_id, StatusInterval.started_at)
    )
    for camera_id, status, started_at, ended_at in rows:
        by_camera[camera_id].append(Interval(str(status.value), started_at, ended_at))
    windows = (
        await session.scalars(
            select(MaintenanceWindow).where(
                MaintenanceWindow.starts_at < end,
                or_(MaintenanceWindow.last_ends_at.is_(None), MaintenanceWindow.last_ends_at > start),
            )
        )
    ).all()
    spans = [(scope_of(w), list(occurrences(w.starts_at, w.ends_at, w.recurrence, between=period))) for w in windows]
    result: dict[int, tuple[Camera, Figures]] = {}
    for camera in cameras:
        planned = [
            span
            for scope, found in spans
            if scope.covers(camera.id, camera.area, camera.site, camera.poller_group)
            for span in found
        ]
        figures = camera_figures(
            by_camera.get(camera.id, []), period=period, now=now, maintenance=planned, in_service=in_service(camera)
        )
        result[camera.id] = (camera, figures)
    return result


async def uptime_report(session: AsyncSession, *, period: Span, by: GroupBy, now: datetime) -> list[UptimeRow]:
    """The uptime figures per key over the period, sorted by key."""
    groups: dict[str, tuple[int, Figures]] = {}
    for camera, figures in (await camera_figures_for(session, period=period, now=now)).values():
        key = key_of(camera, by)
        count, total = groups.get(key, (0, Figures()))
        total.add(figures)
        groups[key] = (count + 1, total)
    return [UptimeRow.of(key, count, figures) for key, (count, figures) in sorted(groups.items())]
