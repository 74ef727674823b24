"""The camera chapter of the annual report: composition, availability, maintenance, origin risk and replacement,
firmware, and the register of flexible-camera decisions. Dutch by default, English on request; HTML and PDF."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from statistics import mean
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from config.zone import LOCAL
from fleet import __version__, offload
from fleet.advisories.service import exploited_cves_at
from fleet.decisions.service import overview
from fleet.inventory.replacement import explained
from fleet.inventory.service import InventoryRow, build_inventory
from fleet.inventory.wording import PARTS, heading, reason_text, term
from fleet.language import Language, translations
from fleet.reports import charts
from fleet.reports.uptime import Document, environment, months
from fleet.tickets.models import RepairTicket
from fleet.uptime import precision
from fleet.uptime.calc import Figures
from fleet.uptime.facts import CameraFacts, camera_facts
from fleet.uptime.service import GroupBy, camera_figures_for, report_rows, ticket_repairs


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


def _year(year: int) -> tuple[datetime, datetime]:
    start = datetime.combine(date(year, 1, 1), time(), tzinfo=LOCAL).astimezone(UTC)
    end = datetime.combine(date(year + 1, 1, 1), time(), tzinfo=LOCAL).astimezone(UTC)
    return start, end


def _total(per_camera: dict[int, tuple[CameraFacts, Figures]]) -> Figures:
    total = Figures()
    for _camera, figures in per_camera.values():
        total.add(figures)
    return total


async def _monthly(
    session: AsyncSession, period: tuple[datetime, datetime], now: datetime, facts: list[CameraFacts]
) -> list[tuple[str, float | None]]:
    return [
        (label, _total(await camera_figures_for(session, period=span, now=now, cameras=facts)).availability)
        for label, span in months(period)
    ]


async def _tickets(session: AsyncSession, start: datetime, end: datetime) -> list[RepairTicket]:
    query = select(RepairTicket).where(RepairTicket.created_at >= start, RepairTicket.created_at < end)
    return list((await session.scalars(query)).all())


def _plan(inventory: list[InventoryRow], language: Language) -> list[dict[str, Any]]:
    ranked = sorted(inventory, key=lambda r: -float(r.values["replacement_priority"]))[:10]
    return [
        {
            "name": r.values["name"],
            "score": r.parts,
            "support": term("support_states", r.parts.support.state, language),
            "reason": reason_text(r.parts.reasons, language),
        }
        for r in ranked
        if r.parts is not None
    ]


def draw_charts(monthly: list[tuple[str, float | None]], levels: Counter[str], language: Language) -> dict[str, str]:
    """The chapter's charts as SVG (run in a worker process: matplotlib holds the interpreter for a while)."""
    _ = translations(language).gettext
    return {
        "monthly": charts.monthly_availability(
            [label for label, _share in monthly], [share for _label, share in monthly], _("Availability per month")
        ),
        "origin": charts.horizontal(
            list(levels), list(levels.values()), _("By origin"), _("count"), colour=charts.BLUE
        ),
    }


async def annual_document(
    session: AsyncSession, *, year: int, settings: Settings, now: datetime, language: Language
) -> Document:
    """The camera chapter of the annual report for a calendar year (Amsterdam time)."""
    start, end = _year(year)
    period = (start, min(end, max(start, now)))
    inventory = await build_inventory(
        session, settings=settings, as_of=min(date(year + 1, 1, 1), now.astimezone(LOCAL).date())
    )
    facts = await camera_facts(session)
    per_camera = await camera_figures_for(session, period=period, now=now, cameras=facts)
    monthly = await _monthly(session, period, now, facts)
    tickets = await _tickets(session, start, end)
    # Risk levels, firmware states, support states, score parts and reasons in the report's language.
    levels = Counter(term("risk_levels", r.values["risk_level"], language) for r in inventory)
    html = (
        environment(language)
        .get_template("annual.html")
        .render(
            lang=language,
            year=year,
            generated=now.astimezone(LOCAL),
            version=__version__,
            kinds=Counter(r.values["kind"] for r in inventory),
            areas=report_rows(per_camera, await ticket_repairs(session, period=period), by=GroupBy.AREA),
            countries=Counter(r.values["origin_country"] or "?" for r in inventory).most_common(),
            levels=levels,
            fleet=_total(per_camera),
            cameras=len(per_camera),
            tickets=ticket_figures(tickets),
            plan=_plan(inventory, language),
            parts={key: heading(key, language) for key in PARTS},
            weights=explained(language),
            firmware=Counter(term("firmware_states", r.values["firmware_state"], language) for r in inventory),
            exploited=len(await exploited_cves_at(session, period[1])),
            decisions=await overview(session, year),
            svg=await offload.cpu(draw_charts, monthly, levels, language),
            precision=precision.note(settings.scheduler, language),
        )
    )
    return Document(html)
