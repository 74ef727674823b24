"""Uptime figures from the database: daily roll-ups for whole days, raw status intervals for the rest.

A camera's figures over a period are summed from its rolled-up local days and, for what the roll-ups do not cover
(the partial days at the period's ends, and days not rolled up yet), computed from its raw status intervals; the
two agree to the microsecond (``fleet.uptime.stretch``), so which one a day comes from never shows in a report.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import BigInteger, case, cast, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.recording import RecordingSettings
from fleet.db import chunks
from fleet.health.models import StatusInterval
from fleet.tickets.models import RepairTicket
from fleet.uptime import causes, footage
from fleet.uptime.calc import (
    Figures,
    Interval,
    Micros,
    Span,
    micros,
    moment,
    seconds,
    to_micros,
    utc,
)
from fleet.uptime.facts import (
    CameraFacts,
    camera_facts,
    in_service,
    local_day,
    midnight,
    planned_spans,
    windows_overlapping,
)
from fleet.uptime.models import StatusDaily, StatusMonthly, StatusRollup
from fleet.uptime.stretch import Stretch, combine, stretches


class GroupBy(StrEnum):
    CAMERA = "camera"
    AREA = "area"
    SITE = "site"
    MANUFACTURER = "manufacturer"
    KIND = "kind"
    POLLER_GROUP = "poller_group"
    # By the network type each camera had at the time (its history): fleet.uptime.networks.
    NETWORK = "network"


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
    # Recorded time beside availability (fleet.uptime.footage), over the cameras whose footage is kept; None
    # where the row has none: footage seen (a share of the period, and seconds), what it may reach at most, the
    # share seen at all, spans seen without footage, and the recording and retention state (with its settings).
    recorded_cameras: int = 0
    recorded: float | None = None
    recorded_max: float | None = None
    footage_observed: float | None = None
    recorded_s: float | None = None
    footage_missing_s: float | None = None
    footage_unobserved_s: float | None = None
    footage_gaps: int | None = None
    recording_state: str | None = None
    retention_days: float | None = None
    # The downtime in parts by what explains it (fleet.uptime.causes): together the downtime.
    downtime_network_s: float = 0.0
    downtime_power_s: float = 0.0
    downtime_shared_s: float = 0.0
    downtime_camera_s: float = 0.0

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


def key_of(camera: CameraFacts, by: GroupBy) -> str:
    """The report key a camera falls under."""
    if by is GroupBy.CAMERA:
        return camera.name
    if by is GroupBy.MANUFACTURER:
        return camera.observed_manufacturer or camera.declared_manufacturer or "(unknown)"
    value = getattr(camera, by.value)
    return str(getattr(value, "value", value) or "(none)")


def next_month(day: date) -> date:
    """The first day of the month after the day's."""
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _ranges(first: date, last: date) -> list[tuple[bool, date, date]]:
    """Whole days from ``first`` to ``last`` as (monthly?, from, to): whole months from the monthly roll-ups."""
    months_from = first if first.day == 1 else next_month(first)
    # The first day of the last month that has ended by ``last``.
    month_ends = last + timedelta(days=1) == next_month(last)
    months_to = last.replace(day=1) if month_ends else (last.replace(day=1) - timedelta(days=1)).replace(day=1)
    if months_from > months_to:
        return [(False, first, last)]
    after = next_month(months_to)
    found = [(False, first, months_from - timedelta(days=1)), (True, months_from, months_to), (False, after, last)]
    return [(monthly, lo, hi) for monthly, lo, hi in found if lo <= hi]


async def _sums(
    session: AsyncSession, *, monthly: bool, first: date, last: date, start: int, cameras: list[int] | None
) -> dict[int, Stretch]:
    """Each camera's roll-ups from ``first`` to ``last`` (days, or months by their first days) as one stretch.

    Every outage piece is measured from where its outage began or ``start`` (the period start), whichever is later.
    """
    table = StatusMonthly if monthly else StatusDaily
    key = StatusMonthly.month if monthly else StatusDaily.day
    begin = literal(start, BigInteger)
    head = case(
        (table.head_end_us.is_(None), 0),
        else_=table.head_end_us - case((table.head_start_us > begin, table.head_start_us), else_=begin),
    )
    query = (
        select(
            table.camera_id,
            cast(func.sum(table.up_us), BigInteger),
            cast(func.sum(table.degraded_us), BigInteger),
            cast(func.sum(table.down_us), BigInteger),
            cast(func.sum(table.maintenance_us), BigInteger),
            cast(func.sum(table.outages), BigInteger),
            func.max(table.longest_us),
            func.max(head),
            func.max(case((key == first, table.head_start_us))),
            func.max(case((key == last, table.tail_start_us))),
        )
        .where(key >= first, key <= last)
        .group_by(table.camera_id)
    )
    if cameras is not None:
        query = query.where(table.camera_id.in_(cameras))
    span = micros(midnight(first)), micros(midnight(next_month(last) if monthly else last + timedelta(days=1)))
    result: dict[int, Stretch] = {}
    for (
        camera_id,
        up,
        degraded,
        down,
        planned,
        starts,
        longest,
        head_longest,
        head_start,
        tail_start,
    ) in await session.execute(query):
        result[camera_id] = Stretch(
            start=span[0],
            end=span[1],
            up=int(up),
            degraded=int(degraded),
            down=int(down),
            maintenance=int(planned),
            starts=int(starts),
            head_start=head_start,
            longest=max(int(longest), int(head_longest)),
            tail_start=tail_start,
        )
    return result


async def _rolled_up(session: AsyncSession, *, first: date, last: date, start: int) -> dict[int, list[Stretch]]:
    """Each camera's rolled-up whole days from ``first`` to ``last`` (or its last rolled-up day), in order.

    Whole months come from the monthly roll-ups, the other days from the daily ones. Roll-up rows exist only for
    rolled-up days (an invalidation drops the rest), so only the end of each camera's range needs its record.
    """
    ends: dict[date, list[int]] = defaultdict(list)
    for camera_id, through in await session.execute(
        select(StatusRollup.camera_id, StatusRollup.through).where(StatusRollup.through >= first)
    ):
        if through is not None:
            ends[min(through, last)].append(camera_id)
    everyone = sum(len(ids) for ids in ends.values())
    result: dict[int, list[Stretch]] = {}
    for end, camera_ids in ends.items():
        # Usually one group (every camera rolled up to yesterday); a group of a few reads only its cameras.
        lists: list[list[int] | None] = [None] if len(camera_ids) == everyone else list(chunks(camera_ids))
        for monthly, lo, hi in _ranges(first, end):
            span = micros(midnight(lo)), micros(midnight(next_month(hi) if monthly else hi + timedelta(days=1)))
            found: dict[int, Stretch] = {}
            for chunk in lists:
                found.update(await _sums(session, monthly=monthly, first=lo, last=hi, start=start, cameras=chunk))
            for camera_id in camera_ids:
                # No row: nothing recorded then.
                result.setdefault(camera_id, []).append(found.get(camera_id, Stretch(start=span[0], end=span[1])))
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
        # Most of the fleet: every camera's rows, fewer statements than lists of ids.
        lists: list[list[int] | None] = [None] if len(camera_ids) > everyone // 2 else list(chunks(camera_ids))
        for chunk in lists:
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
    session: AsyncSession, *, period: Span, now: datetime, cameras: Sequence[CameraFacts] | None = None
) -> dict[int, tuple[CameraFacts, Figures]]:
    """Every camera's figures (or these cameras') over the period."""
    if cameras is None:
        cameras = await camera_facts(session)
    period = utc(period)
    start, end = to_micros(period)
    data_end = min(micros(now), end)
    first = local_day(period[0])
    if micros(midnight(first)) < start:
        first += timedelta(days=1)
    last = local_day(moment(data_end)) - timedelta(days=1)  # the last day that has ended by then
    rolled = await _rolled_up(session, first=first, last=last, start=start) if first <= last else {}
    needs: dict[int, list[Micros]] = {}
    for camera in cameras:
        found = rolled.get(camera.id)
        if found is None:
            needs[camera.id] = [(start, end)]
        else:
            needs[camera.id] = [span for span in ((start, found[0].start), (found[-1].end, end)) if span[0] < span[1]]
    intervals = await _intervals(session, needs, everyone=len(cameras))
    windows = await windows_overlapping(session, period)
    result: dict[int, tuple[CameraFacts, Figures]] = {}
    for camera in cameras:
        history = intervals.get(camera.id, [])
        context = _RawContext(history, data_end, planned_spans(windows, camera), in_service(camera))
        found = rolled.get(camera.id)
        if found is None:
            parts = context.stretches(start, end)
        else:
            head = context.stretches(start, found[0].start) if start < found[0].start else []
            tail = context.stretches(found[-1].end, end, found[-1].tail_start) if found[-1].end < end else []
            parts = [*head, *found, *tail]
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
    per_camera: dict[int, tuple[CameraFacts, Figures]], tickets: dict[int, TicketRepairs], *, by: GroupBy
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


async def uptime_report(
    session: AsyncSession, *, period: Span, by: GroupBy, now: datetime, recording: RecordingSettings | None = None
) -> list[UptimeRow]:
    """The uptime figures per key over the period, sorted by key, with the downtime in parts by cause and recorded
    time beside availability (and, with the recording settings, each row's recording and retention state); by
    network type from each camera's history of types."""
    if by is GroupBy.NETWORK:
        # Imported here: fleet.uptime.networks builds on this module.
        from fleet.uptime.networks import network_rows

        return await network_rows(session, period=utc(period), now=now)
    per_camera = await camera_figures_for(session, period=period, now=now)
    tickets = await ticket_repairs(session, period=utc(period))
    kept = await footage.kept(session, per_camera, period=utc(period), now=now)
    return await rows_of(session, per_camera, tickets, kept, by=by, period=period, recording=recording)


async def rows_of(
    session: AsyncSession,
    per_camera: dict[int, tuple[CameraFacts, Figures]],
    tickets: dict[int, TicketRepairs],
    kept: footage.Kept,
    *,
    by: GroupBy,
    period: Span,
    recording: RecordingSettings | None,
) -> list[UptimeRow]:
    """The report's rows per key (not by network type) from every camera's figures, tickets and kept footage over
    the period, with the downtime in parts by cause and recorded time beside availability."""
    rows = report_rows(per_camera, tickets, by=by)
    keys = {camera_id: key_of(camera, by) for camera_id, (camera, _figures) in per_camera.items()}
    rows = await causes.with_causes(session, rows, per_camera, keys, period=utc(period))
    return await footage.with_footage(session, rows, keys, kept, recording=recording)
