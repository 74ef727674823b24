"""What a camera's uptime figures depend on besides its statuses: its facts, when it counts, and the maintenance
windows covering it, on Amsterdam local days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, Row, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.zone import LOCAL
from fleet import offload
from fleet.cameras.models import Camera, CameraKind, DeviceType
from fleet.maintenance.models import MaintenanceWindow
from fleet.maintenance.rules import Scope, occurrences
from fleet.uptime.calc import Micros, Span, micros, to_micros

BEGINNING = datetime.min.replace(tzinfo=UTC)
FOREVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class CameraFacts:
    """What a camera's uptime figures and their grouping need of it.

    Read as plain columns: building ten thousand ORM objects took longer than summing their year of roll-ups.
    """

    id: int
    name: str
    kind: CameraKind
    area: str | None
    site: str | None
    poller_group: str
    observed_manufacturer: str | None
    declared_manufacturer: str | None
    installed_on: date | None
    retired_on: date | None

    @classmethod
    def of(cls, row: Row[*tuple[Any, ...]]) -> CameraFacts:
        """The facts from a row that has ``FACT_COLUMNS`` among its columns."""
        return cls(**{column.key: getattr(row, column.key) for column in FACT_COLUMNS})


FACT_COLUMNS = (
    Camera.id,
    Camera.name,
    Camera.kind,
    Camera.area,
    Camera.site,
    Camera.poller_group,
    Camera.observed_manufacturer,
    Camera.declared_manufacturer,
    Camera.installed_on,
    Camera.retired_on,
)


async def camera_facts(
    session: AsyncSession, *where: ColumnElement[bool], device_type: DeviceType | None = DeviceType.CAMERA
) -> list[CameraFacts]:
    """The facts of the cameras (devices of that type; any with None) that meet every condition, by name."""
    if device_type is not None:
        where = (*where, Camera.device_type == device_type)
    rows = await session.execute(select(*FACT_COLUMNS).where(*where).order_by(Camera.name))
    return [CameraFacts.of(row) for row in rows]


def local_day(at: datetime) -> date:
    """The Europe/Amsterdam calendar day a moment falls on."""
    return at.astimezone(LOCAL).date()


def midnight(day: date) -> datetime:
    """When a local day begins, in UTC."""
    return datetime.combine(day, time(), tzinfo=LOCAL).astimezone(UTC)


def in_service(camera: CameraFacts) -> Micros:
    """When the camera counts: from its installation day to its retirement day (local midnights)."""
    start = BEGINNING if camera.installed_on is None else midnight(camera.installed_on)
    end = FOREVER if camera.retired_on is None else midnight(camera.retired_on)
    return micros(start), micros(end)


PlannedWindows = list[tuple[Scope, list[Micros]]]


def planned_windows(windows: Sequence[MaintenanceWindow], span: Span) -> PlannedWindows:
    """Each window's scope and its occurrences overlapping the span."""
    return [
        (w.scope, [to_micros(o) for o in occurrences(w.starts_at, w.ends_at, w.recurrence, between=span)])
        for w in windows
    ]


# A window as plain data: scope, first start, first end, recurrence (picklable, for a worker process).
PlainWindow = tuple[Scope, datetime, datetime, str | None]


def expand_plain(windows: Sequence[PlainWindow], span: Span) -> PlannedWindows:
    """``planned_windows`` of windows given as plain data."""
    return [
        (scope, [to_micros(o) for o in occurrences(starts, ends, recurrence, between=span)])
        for scope, starts, ends, recurrence in windows
    ]


async def planned_beside_loop(windows: Sequence[MaintenanceWindow], span: Span) -> PlannedWindows:
    """``planned_windows``, with recurring windows expanded in a worker process: a rule over a year can have
    thousands of occurrences (an hourly one 8,760, a tenth of a second of CPU), which must not stall polling."""
    if not any(w.recurrence for w in windows):
        return planned_windows(windows, span)
    plain = [(w.scope, w.starts_at, w.ends_at, w.recurrence) for w in windows]
    return await offload.cpu(expand_plain, plain, span)


def planned_spans(windows: PlannedWindows, camera: CameraFacts) -> list[Micros]:
    """The maintenance occurrences covering one camera."""
    return [
        span
        for scope, found in windows
        if scope.covers(camera.id, camera.area, camera.site, camera.poller_group)
        for span in found
    ]


async def windows_overlapping(session: AsyncSession, span: Span) -> PlannedWindows:
    """The maintenance windows with an occurrence in the span, with those occurrences."""
    windows = await session.scalars(
        select(MaintenanceWindow).where(
            MaintenanceWindow.starts_at < span[1],
            or_(MaintenanceWindow.last_ends_at.is_(None), MaintenanceWindow.last_ends_at > span[0]),
        )
    )
    return await planned_beside_loop(windows.all(), span)
