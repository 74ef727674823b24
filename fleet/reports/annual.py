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
from fleet import __version__
from fleet.decisions.service import overview
from fleet.inventory.service import InventoryRow, build_inventory
from fleet.inventory.wording import WORDS, reason_text, term
from fleet.language import Language
from fleet.reports import charts
from fleet.reports.uptime import TEXT, Document, environment, hours, months, percent
from fleet.tickets.models import RepairTicket
from fleet.uptime.calc import Figures
from fleet.uptime.facts import CameraFacts, camera_facts
from fleet.uptime.service import GroupBy, camera_figures_for, report_rows, ticket_repairs

ANNUAL_TEXT: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Cameratoezicht {year}: de camera's",
        "composition": "Samenstelling",
        "fixed": "vast",
        "flexible": "flexibel",
        "by_area": "Per gebied",
        "by_origin": "Naar herkomst",
        "availability_section": "Beschikbaarheid en storingen",
        "maintenance": "Onderhoud",
        "tickets": "Reparatietickets",
        "resolved": "opgelost",
        "mean_repair": "Gemiddelde oplostijd",
        "response_sla": "Reactie binnen de afgesproken tijd",
        "resolution_sla": "Opgelost binnen de afgesproken tijd",
        "cost": "Kosten onderdelen en werk",
        "risk": "Herkomst en vervanging",
        "risk_note": (
            "Herkomst volgens wat elke camera zelf meldt (ONVIF, MAC-adres, SNMP) naast de inkoopgegevens. "
            "Hoog: fabrikanten op de Amerikaanse FCC Covered List / NDAA 889 en hun OEM-producten."
        ),
        "replace": "Eerst te vervangen (hoogste prioriteit)",
        "plan_note": (
            "Prioriteit 0–100: herkomstrisico 40, leeftijd 15, einde ondersteuning 10, firmware 15, storingen 10, "
            "beschikbaarheid 10. Einde ondersteuning telt alleen waar een bron de datum geeft; anders staat er "
            "'onbekend' en telt het niet mee."
        ),
        "firmware": "Firmware",
        "decisions": "Besluiten flexibel cameratoezicht (art. 151c Gemeentewet)",
        "no_decisions": "Geen besluiten in dit jaar.",
        "level": "niveau",
        "count": "aantal",
        "reason": "reden",
        "decided": "besluit",
        "cameras": "camera's",
        "location": "locatie",
        "period": "periode",
        "registration": "registratienummer",
    },
    "en": {
        "title": "Camera surveillance {year}: the cameras",
        "composition": "Fleet composition",
        "fixed": "fixed",
        "flexible": "flexible",
        "by_area": "By area",
        "by_origin": "By origin",
        "availability_section": "Availability and outages",
        "maintenance": "Maintenance",
        "tickets": "Repair tickets",
        "resolved": "resolved",
        "mean_repair": "Mean time to resolve",
        "response_sla": "Responded within target",
        "resolution_sla": "Resolved within target",
        "cost": "Parts and labour",
        "risk": "Origin risk and replacement",
        "risk_note": (
            "Origin from what each camera reports itself (ONVIF, MAC address, SNMP) beside the purchase records. "
            "High: makers on the US FCC Covered List / NDAA 889 and their OEM products."
        ),
        "replace": "To replace first (highest priority)",
        "plan_note": (
            "Priority 0–100: origin risk 40, age 15, end of support 10, firmware 15, faults 10, availability 10. "
            "End of support counts only where a source gives the date; otherwise it shows 'unknown' and adds nothing."
        ),
        "firmware": "Firmware",
        "decisions": "Flexible camera decisions (art. 151c Gemeentewet)",
        "no_decisions": "No decisions this year.",
        "level": "level",
        "count": "count",
        "reason": "reason",
        "decided": "decided",
        "cameras": "cameras",
        "location": "location",
        "period": "period",
        "registration": "registration",
    },
}


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


def _charts(monthly: list[tuple[str, float | None]], levels: Counter[str], text: dict[str, str]) -> dict[str, str]:
    return {
        "monthly": charts.monthly_availability([m for m, _ in monthly], [v for _, v in monthly], text["monthly"]),
        "origin": charts.horizontal(
            list(levels), list(levels.values()), text["by_origin"], text["count"], colour=charts.BLUE
        ),
    }


async def annual_document(
    session: AsyncSession, *, year: int, settings: Settings, now: datetime, language: Language
) -> Document:
    """The camera chapter of the annual report for a calendar year (Amsterdam time)."""
    text = {**TEXT[language], **ANNUAL_TEXT[language]}
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
        environment()
        .get_template("annual.html")
        .render(
            t=text,
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
            parts=WORDS[language].parts,
            firmware=Counter(term("firmware_states", r.values["firmware_state"], language) for r in inventory),
            decisions=await overview(session, year),
            svg=_charts(monthly, levels, text),
            hours=hours,
            percent=percent,
        )
    )
    return Document(html)
