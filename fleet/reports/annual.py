"""The camera chapter of the annual report: composition, availability, maintenance, origin risk and replacement,
firmware, and the register of flexible-camera decisions, every figure beside last year's. Dutch by default, English
on request; HTML, PDF and DOCX from one chapter (``fleet.reports.chapter``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from matplotlib.figure import Figure
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from config.zone import LOCAL
from fleet import __version__, offload
from fleet.cameras.models import Camera
from fleet.decisions.service import overview
from fleet.incidents.service import seen_by, year_table
from fleet.inventory.wording import term
from fleet.language import Language, day, gettext, say
from fleet.reports import annual_sections as sections
from fleet.reports import charts
from fleet.reports.annual_figures import both_years, total, year_span
from fleet.reports.annual_footage import recorded_time
from fleet.reports.annual_hygiene import hygiene
from fleet.reports.annual_sections import Years
from fleet.reports.chapter import Chapter, Chart, Section, Table, Text
from fleet.reports.decisions_table import decisions_section
from fleet.reports.docx import write_docx
from fleet.reports.incidents_table import incidents_section
from fleet.reports.uptime import Document, environment, months
from fleet.uptime import precision
from fleet.uptime.facts import camera_facts
from fleet.uptime.service import camera_figures_for


def _meta(years: Years, generated: datetime) -> str:
    lang = years.language
    parts = [f"{gettext('Generated', lang)}: {day(generated, lang)} {generated:%H:%M}", f"camfleet {__version__}"]
    if years.before is None:
        parts.append(
            say("No figures of {year} to compare with: the first year camfleet kept.", lang, year=years.now.year - 1)
        )
    else:
        parts.append(
            say(
                "Last year's figures in brackets: {now} ({before}).", lang, now=years.now.year, before=years.before.year
            )
        )
    return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class ChartData:
    """What the chapter draws, as plain data (drawn in a worker process: matplotlib holds the interpreter)."""

    monthly: list[tuple[str, float | None]]
    levels: Counter[str]
    language: Language

    def figures(self) -> dict[str, Figure]:
        """The charts by name (the names the chapter's ``Chart`` blocks use)."""
        nothing = gettext("no data", self.language)
        return {
            "monthly": charts.monthly_availability(
                [label for label, _share in self.monthly],
                [share for _label, share in self.monthly],
                gettext("Availability per month", self.language),
                nothing,
            ),
            "origin": charts.horizontal(
                list(self.levels),
                list(self.levels.values()),
                gettext("By origin", self.language),
                gettext("count", self.language),
                nothing,
                colour=charts.BLUE,
            ),
        }

    def svg(self) -> dict[str, str]:
        """The charts as SVG, for HTML and PDF."""
        return {name: charts.svg(figure) for name, figure in self.figures().items()}

    def png(self) -> dict[str, bytes]:
        """The charts as PNG, for DOCX."""
        return {name: charts.png(figure) for name, figure in self.figures().items()}


@dataclass(frozen=True, slots=True)
class AnnualDocument(Document):
    """The chapter as HTML (and PDF from it), and as DOCX for the municipality's own report."""

    chapter: Chapter
    drawn: ChartData

    def docx(self) -> bytes:
        """The same chapter as a Word document (python-docx; run it with fleet.offload)."""
        return write_docx(self.chapter, self.drawn.png())

    async def docx_beside_loop(self) -> bytes:
        """The DOCX, made in a worker process so that the event loop goes on meanwhile."""
        return await offload.cpu(self.docx)


async def _incidents(session: AsyncSession, years: Years) -> Section:
    year = years.now.year
    seen = [await seen_by(session, first=date(y, 1, 1), last=date(y, 12, 31)) for y in (year, year - 1)]
    ids = set(seen[0][1]) | set(seen[1][1])
    names = {
        row.id: row.name for row in await session.execute(select(Camera.id, Camera.name).where(Camera.id.in_(ids)))
    }

    def by_name(cameras: Counter[int]) -> Counter[str]:
        return Counter({names.get(camera_id, f"#{camera_id}"): count for camera_id, count in cameras.items()})

    compare = years.before is not None or any(seen[1])
    return incidents_section(
        year,
        await year_table(session, year),
        (seen[0][0], seen[1][0] if compare else None),
        (by_name(seen[0][1]), by_name(seen[1][1]) if compare else None),
        years.language,
    )


async def annual_document(
    session: AsyncSession, *, year: int, settings: Settings, now: datetime, language: Language
) -> AnnualDocument:
    """The camera chapter of the annual report for a calendar year (Amsterdam time)."""
    current, before = await both_years(session, year=year, settings=settings, now=now)
    years = Years(current, before, language)
    start, end = year_span(year)
    period = (start, min(end, max(start, now)))
    facts = await camera_facts(session)
    monthly = [
        (label, total(await camera_figures_for(session, period=span, now=now, cameras=facts)).availability)
        for label, span in months(period)
    ]
    levels = Counter(term("risk_levels", r.values["risk_level"], language) for r in current.inventory)
    chapter = Chapter(
        title=say("Camera surveillance {year}: the cameras", language, year=year),
        meta=_meta(years, now.astimezone(LOCAL)),
        contents=gettext("Contents", language),
        sections=[
            sections.composition(years),
            sections.availability(years, precision.note(settings.scheduler, language)),
            sections.maintenance(years),
            recorded_time(years),
            sections.origin(years),
            sections.firmware(years),
            hygiene(years, settings.cameras.password_max_age),
            decisions_section(await overview(session, year), language),
            await _incidents(session, years),
        ],
    )
    drawn = ChartData(monthly, levels, language)
    html = (
        environment(language)
        .get_template("annual.html")
        .render(lang=language, chapter=chapter, svg=await offload.cpu(drawn.svg), Table=Table, Text=Text, Chart=Chart)
    )
    return AnnualDocument(html, chapter, drawn)
