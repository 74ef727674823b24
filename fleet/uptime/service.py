"""Uptime figures from the database: daily roll-ups for whole days, raw status intervals for the rest.

A camera's figures over a period are summed from its rolled-up local days and, for what the roll-ups do not cover
(the partial days at the period's ends, and days not rolled up yet), computed from its raw status intervals; the
two agree to the microsecond (``fleet.uptime.calc``), so which one a day comes from never shows in a report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, and_, case, cast, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import Camera
from fleet.health.models import StatusInterval
from fleet.maintenance.models import MaintenanceWindow
from fleet.maintenance.rules import Scope, occurrences
from fleet.tickets.models import RepairTicket
from fleet.uptime.calc import (
    Figures,
    Interval,
    Micros,
    Span,
    Stretch,
    combine,
    micros,
    moment,
    seconds,
    stretches,
    to_micros,
    utc,
)
from fleet.uptime.models import StatusDaily, StatusRollup

LOCAL = ZoneInfo("Europe/Amsterdam")
BEGINNING = datetime.min.replace(tzinfo=UTC)
FOREVER = datetime.max.replace(tzinfo=UTC)
# Cameras per statement where a list of ids goes into IN (…); a bigger group reads every camera's rows instead.
CHUNK = 500


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
    # Mean time from a repair ticket's creation to its resolution, over the tickets resolved in the period.
    mttr_ticket_s: float | None

    @classmethod
    def of(cls, key: str, cameras: int, figures: Figures, tickets: TicketRepairs) -> UptimeRow:
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
            mttr_ticket_s=None if tickets.mean_s is None else round(tickets.mean_s, 3),
        )


@dataclass
class TicketRepairs:
    """Repair tickets resolved in a period: how many, and their creation-to-resolution time in total."""

    resolved: int = 0
    total_us: int = 0

    @property
    def mean_s(self) -> float | None:
        """The mean time to resolve, or None without resolved tickets."""
        return None if not self.resolved else seconds(self.total_us) / self.resolved

    def add(self, other: TicketRepairs) -> None:
        self.resolved += other.resolved
        self.total_us += other.total_us


def key_of(camera: Camera, by: GroupBy) -> str:
    """The report key a camera falls under."""
    if by is GroupBy.CAMERA:
        return camera.name
    if by is GroupBy.MANUFACTURER:
        return camera.observed_manufacturer or camera.declared_manufacturer or "(unknown)"
    value = getattr(camera, by.value)
    return str(getattr(value, "value", value) or "(none)")


def local_day(at: datetime) -> date:
    """The Europe/Amsterdam calendar day a moment falls on."""
    return at.astimezone(LOCAL).date()


def midnight(day: date) -> datetime:
    """When a local day begins, in UTC."""
    return datetime.combine(day, time(), tzinfo=LOCAL).astimezone(UTC)


def in_service(camera: Camera) -> Micros:
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


def planned_spans(windows: PlannedWindows, camera: Camera) -> list[Micros]:
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
    return planned_windows(windows.all(), span)


async def _rolled_up(session: AsyncSession, *, first: date, last: date, period_start: int) -> dict[int, Stretch]:
    """Each camera's rolled-up days from ``first`` to ``last`` (or its last rolled-up day) summed as one stretch.

    The longest outage piece is measured here already, from where it began or ``period_start``.
    """
    covered: dict[int, date] = {
        camera_id: through
        for camera_id, through in await session.execute(
            select(StatusRollup.camera_id, StatusRollup.through).where(StatusRollup.through >= first)
        )
        if through is not None
    }
    if not covered:
        return {}
    start = literal(period_start, BigInteger)
    through = StatusRollup.through
    own_last = case((through < last, through), else_=last)
    head = case(
        (StatusDaily.head_end_us.is_(None), 0),
        else_=StatusDaily.head_end_us
        - case((StatusDaily.head_start_us > start, StatusDaily.head_start_us), else_=start),
    )
    rows = await session.execute(
        select(
            StatusDaily.camera_id,
            cast(func.sum(StatusDaily.up_us), BigInteger),
            cast(func.sum(StatusDaily.degraded_us), BigInteger),
            cast(func.sum(StatusDaily.down_us), BigInteger),
            cast(func.sum(StatusDaily.maintenance_us), BigInteger),
            cast(func.sum(StatusDaily.outages), BigInteger),
            func.max(StatusDaily.longest_us),
            func.max(head),
            func.max(case((StatusDaily.day == first, StatusDaily.head_start_us))),
            func.max(case((StatusDaily.day == own_last, StatusDaily.tail_start_us))),
        )
        .join(StatusRollup, and_(StatusRollup.camera_id == StatusDaily.camera_id, StatusDaily.day <= through))
        .where(StatusDaily.day >= first, StatusDaily.day <= last)
        .group_by(StatusDaily.camera_id)
    )
    sums = {row[0]: row[1:] for row in rows}
    result: dict[int, Stretch] = {}
    for camera_id, done in covered.items():
        end = micros(midnight(min(done, last) + timedelta(days=1)))
        found = sums.get(camera_id)
        if found is None:
            result[camera_id] = Stretch(start=micros(midnight(first)), end=end)
            continue
        up, degraded, down, maintenance, starts, longest, head_longest, head_start, tail_start = found
        result[camera_id] = Stretch(
            start=micros(midnight(first)),
            end=end,
            up=int(up),
            degraded=int(degraded),
            down=int(down),
            maintenance=int(maintenance),
            starts=int(starts),
            head_start=head_start,
            longest=max(int(longest), int(head_longest)),
            tail_start=tail_start,
        )
    return result


async def _intervals(
    session: AsyncSession, needs: dict[int, list[Micros]], *, everyone: int
) -> dict[int, list[Interval]]:
    """The raw status intervals each camera needs (``needs``: the spans it needs them over)."""
    by_span: dict[Micros, list[int]] = defaultdict(list)
    for camera_id, spans in needs.items():
        for span in spans:
            by_span[span].append(camera_id)
    found: dict[int, dict[tuple[datetime, str], Interval]] = defaultdict(dict)
    for (start, end), camera_ids in by_span.items():
        wanted = set(camera_ids)
        chunks: list[list[int] | None] = (
            [None]
            if len(camera_ids) > everyone // 2
            else [camera_ids[i : i + CHUNK] for i in range(0, len(camera_ids), CHUNK)]
        )
        for chunk in chunks:
            query = select(
                StatusInterval.camera_id, StatusInterval.status, StatusInterval.started_at, StatusInterval.ended_at
            ).where(
                StatusInterval.started_at < moment(end),
                or_(StatusInterval.ended_at.is_(None), StatusInterval.ended_at > moment(start)),
            )
            if chunk is not None:
                query = query.where(StatusInterval.camera_id.in_(chunk))
            for camera_id, status, started_at, ended_at in await session.execute(query):
                if camera_id in wanted:
                    found[camera_id][(started_at, status.value)] = Interval(status.value, started_at, ended_at)
    return {camera_id: sorted(seen.values(), key=lambda i: i.started_at) for camera_id, seen in found.items()}


@dataclass(frozen=True, slots=True)
class _RawContext:
    """What a camera's figures from raw intervals need besides the stretch itself."""

    history: list[Interval]
    data_end: int
    maintenance: list[Micros]
    in_service: Micros

    def stretches(self, start: int, end: int, carried: int | None = None) -> list[Stretch]:
        """The stretch from ``start`` to ``end``, from the raw intervals."""
        return stretches(
            self.history,
            bounds=[start, end],
            data_end=self.data_end,
            maintenance=self.maintenance,
            in_service=self.in_service,
            carried=carried,
        )


async def camera_figures_for(
    session: AsyncSession, *, period: Span, now: datetime, cameras: Sequence[Camera] | None = None
) -> dict[int, tuple[Camera, Figures]]:
    """Every camera's figures over the period."""
    if cameras is None:
        cameras = (await session.scalars(select(Camera).order_by(Camera.name))).all()
    period = utc(period)
    start, end = to_micros(period)
    data_end = min(micros(now), end)
    first = local_day(period[0])
    if micros(midnight(first)) < start:
        first += timedelta(days=1)
    last = local_day(moment(data_end)) - timedelta(days=1)  # the last day that has ended by then
    rolled = await _rolled_up(session, first=first, last=last, period_start=start) if first <= last else {}
    needs: dict[int, list[Micros]] = {}
    for camera in cameras:
        part = rolled.get(camera.id)
        if part is None:
            needs[camera.id] = [(start, end)]
        else:
            needs[camera.id] = [span for span in ((start, part.start), (part.end, end)) if span[0] < span[1]]
    intervals = await _intervals(session, needs, everyone=len(cameras))
    windows = await windows_overlapping(session, period)
    result: dict[int, tuple[Camera, Figures]] = {}
    for camera in cameras:
        history = intervals.get(camera.id, [])
        context = _RawContext(history, data_end, planned_spans(windows, camera), in_service(camera))
        part = rolled.get(camera.id)
        if part is None:
            parts = context.stretches(start, end)
        else:
            head = context.stretches(start, part.start) if start < part.start else []
            tail = context.stretches(part.end, end, part.tail_start) if part.end < end else []
            parts = [*head, part, *tail]
        result[camera.id] = (camera, combine(parts, period=(start, end)))
    return result


async def ticket_repairs(session: AsyncSession, *, period: Span) -> dict[int, TicketRepairs]:
    """Per camera, the repair tickets resolved in the period and how long they took from creation."""
    result: dict[int, TicketRepairs] = defaultdict(TicketRepairs)
    rows = await session.execute(
        select(RepairTicket.camera_id, RepairTicket.created_at, RepairTicket.resolved_at).where(
            RepairTicket.camera_id.is_not(None),
            RepairTicket.resolved_at >= period[0],
            RepairTicket.resolved_at < period[1],
        )
    )
    for camera_id, created_at, resolved_at in rows:
        if camera_id is None or resolved_at is None:
            continue
        repairs = result[camera_id]
        repairs.resolved += 1
        repairs.total_us += micros(resolved_at) - micros(created_at)
    return result


def report_rows(
    per_camera: dict[int, tuple[Camera, Figures]], tickets: dict[int, TicketRepairs], *, by: GroupBy
) -> list[UptimeRow]:
    """The figures per key, sorted by key."""
    groups: dict[str, tuple[int, Figures, TicketRepairs]] = {}
    for camera, figures in per_camera.values():
        key = key_of(camera, by)
        count, total, repairs = groups.get(key, (0, Figures(), TicketRepairs()))
        total.add(figures)
        if camera.id in tickets:
            repairs.add(tickets[camera.id])
        groups[key] = (count + 1, total, repairs)
    return [UptimeRow.of(key, count, figures, repairs) for key, (count, figures, repairs) in sorted(groups.items())]


async def uptime_report(session: AsyncSession, *, period: Span, by: GroupBy, now: datetime) -> list[UptimeRow]:
    """The uptime figures per key over the period, sorted by key."""
    per_camera = await camera_figures_for(session, period=period, now=now)
    return report_rows(per_camera, await ticket_repairs(session, period=utc(period)), by=by)
