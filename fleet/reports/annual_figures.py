"""The figures of one calendar year for the annual chapter, gathered alike for the year and the year before it so
that every line can show both ("326 (275)")."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from statistics import mean

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from config.zone import LOCAL
from fleet.advisories.service import exploited_cves_at
from fleet.faults.models import Fault, FaultKind
from fleet.inventory.service import InventoryRow, build_inventory
from fleet.recording.coverage import Coverage
from fleet.tickets.models import RepairTicket
from fleet.uptime import footage
from fleet.uptime.calc import Figures, Span
from fleet.uptime.facts import CameraFacts, camera_facts
from fleet.uptime.service import GroupBy, UptimeRow, camera_figures_for, key_of, report_rows, ticket_repairs


@dataclass(frozen=True, slots=True)
class TicketFigures:
    opened: int
    resolved: int
    mean_resolution_s: float | None
    response_within: float | None
    resolution_within: float | None
    cost_cents: int


def ticket_figures(tickets: list[RepairTicket]) -> TicketFigures:
    """Counts, mean resolution time and SLA compliance of the tickets opened in the year."""
    resolved = [t for t in tickets if t.resolved_at is not None]
    responded = [t for t in tickets if t.responded_at is not None]
    return TicketFigures(
        opened=len(tickets),
        resolved=len(resolved),
        mean_resolution_s=mean((t.resolved_at - t.created_at).total_seconds() for t in resolved if t.resolved_at)
        if resolved
        else None,
        response_within=sum(1 for t in responded if t.responded_at and t.responded_at <= t.response_due_at)
        / len(responded)
        if responded
        else None,
        resolution_within=sum(1 for t in resolved if t.resolved_at and t.resolved_at <= t.resolution_due_at)
        / len(resolved)
        if resolved
        else None,
        cost_cents=sum(t.cost_cents for t in tickets),
    )


@dataclass(frozen=True, slots=True)
class YearFigures:
    """What the chapter says of one year."""

    year: int
    inventory: list[InventoryRow]
    fleet: Figures
    areas: dict[str, UptimeRow]
    tickets: TicketFigures
    faults: Counter[FaultKind]
    exploited: int  # cameras with a known exploited vulnerability (CISA KEV) at the end of the year
    # The recorded time of the cameras whose footage is kept (the areas' rows carry theirs).
    footage: Coverage

    @property
    def has_data(self) -> bool:
        """Whether camfleet measured or recorded anything that year (else there is no year to compare with)."""
        return self.fleet.measured_us > 0 or self.tickets.opened > 0 or bool(self.faults)

    def count(self, column: str) -> Counter[str]:
        """The year's cameras counted by an inventory column (kind, origin country, risk level, firmware state)."""
        return Counter(str(r.values[column] or "?") for r in self.inventory)


def year_span(year: int) -> Span:
    """The calendar year in Amsterdam time, in UTC."""
    start = datetime.combine(date(year, 1, 1), time(), tzinfo=LOCAL).astimezone(UTC)
    end = datetime.combine(date(year + 1, 1, 1), time(), tzinfo=LOCAL).astimezone(UTC)
    return start, end


def total(per_camera: dict[int, tuple[CameraFacts, Figures]]) -> Figures:
    """The figures of every camera summed."""
    summed = Figures()
    for _camera, figures in per_camera.values():
        summed.add(figures)
    return summed


async def _fault_kinds(session: AsyncSession, period: Span) -> Counter[FaultKind]:
    opened = await session.execute(
        select(Fault.kind, func.count())
        .where(Fault.opened_at >= period[0], Fault.opened_at < period[1])
        .group_by(Fault.kind)
    )
    return Counter({kind: count for kind, count in opened})


async def year_figures(
    session: AsyncSession, *, year: int, settings: Settings, now: datetime, facts: list[CameraFacts]
) -> YearFigures:
    """The figures of a calendar year, up to ``now`` if it has not ended."""
    start, end = year_span(year)
    period = (start, min(end, max(start, now)))
    inventory = await build_inventory(
        session, settings=settings, as_of=min(date(year + 1, 1, 1), now.astimezone(LOCAL).date())
    )
    per_camera = await camera_figures_for(session, period=period, now=now, cameras=facts)
    areas = report_rows(per_camera, await ticket_repairs(session, period=period), by=GroupBy.AREA)
    keys = {camera_id: key_of(camera, GroupBy.AREA) for camera_id, (camera, _figures) in per_camera.items()}
    found = await footage.kept(session, keys, period=period, now=now)
    areas = await footage.with_footage(session, areas, keys, found, recording=settings.recording)
    tickets = await session.scalars(
        select(RepairTicket).where(RepairTicket.created_at >= start, RepairTicket.created_at < end)
    )
    return YearFigures(
        year=year,
        inventory=inventory,
        fleet=total(per_camera),
        areas={row.key: row for row in areas},
        tickets=ticket_figures(list(tickets.all())),
        faults=await _fault_kinds(session, period),
        exploited=len(await exploited_cves_at(session, period[1])),
        footage=footage.total(areas),
    )


async def both_years(
    session: AsyncSession, *, year: int, settings: Settings, now: datetime
) -> tuple[YearFigures, YearFigures | None]:
    """The year's figures and, where camfleet has any, the year before's."""
    facts = await camera_facts(session)
    current = await year_figures(session, year=year, settings=settings, now=now, facts=facts)
    before = await year_figures(session, year=year - 1, settings=settings, now=now, facts=facts)
    return current, before if before.has_data else None
