"""The uptime report as a document: HTML and PDF from one Jinja2 template, charts as SVG, Dutch or English."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cache, partial
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.recording import RecordingSettings
from config.settings import SchedulerSettings
from config.zone import LOCAL
from fleet import __version__, offload
from fleet.cameras.network_types import label as network_label
from fleet.faults.models import Fault
from fleet.faults.rules import Cause
from fleet.faults.wording import kind_label
from fleet.language import N_, Language, day, gettext, money, number, percent, translations
from fleet.reports import charts
from fleet.uptime import footage, precision
from fleet.uptime.calc import Figures, Span, utc
from fleet.uptime.facts import CameraFacts, camera_facts
from fleet.uptime.networks import network_rows
from fleet.uptime.service import (
    GroupBy,
    TicketRepairs,
    UptimeRow,
    camera_figures_for,
    rows_of,
    ticket_repairs,
)

# The uptime report lists this many of the longest gaps in the footage.
GAPS_SHOWN = 20
# Downtime by what explains it (fleet/uptime/causes.py), in the order the report shows them.
CAUSES = {
    Cause.NETWORK: N_("the network (switch, router, media converter, port down)"),
    Cause.POWER: N_("power (PoE off, PoE injector, UPS)"),
    Cause.SHARED: N_("shared outage of a site or poller group (cause guessed)"),
    Cause.CAMERA: N_("the camera itself"),
}


def months(period: Span) -> list[tuple[str, Span]]:
    """The calendar months (local time) the period touches, clipped to it."""
    start = period[0].astimezone(LOCAL)
    cursor = datetime.combine(date(start.year, start.month, 1), time(), tzinfo=LOCAL)
    found = []
    while cursor < period[1]:
        following = datetime.combine(
            date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1), time(), tzinfo=LOCAL
        )
        span = (max(cursor.astimezone(UTC), period[0]), min(following.astimezone(UTC), period[1]))
        if span[0] < span[1]:
            found.append((f"{cursor:%Y-%m}", span))
        cursor = following
    return found


def hours(seconds: float | None, language: Language) -> str:
    """Seconds as hours with one decimal ("12,5 h" in Dutch), or a dash."""
    return "–" if seconds is None else f"{number(seconds / 3600, language, decimals=1)} h"


def render_pdf(html: str) -> bytes:
    """An HTML document as PDF (WeasyPrint: seconds of CPU for a large report; run it with fleet.offload)."""
    from weasyprint import HTML

    rendered: bytes = HTML(string=html).write_pdf()
    return rendered


@dataclass(frozen=True, slots=True)
class Document:
    html: str

    def pdf(self) -> bytes:
        """The same document as PDF (WeasyPrint)."""
        return render_pdf(self.html)

    async def pdf_beside_loop(self) -> bytes:
        """The PDF, made in a worker process so that the event loop (polling, requests) goes on meanwhile."""
        return await offload.cpu(render_pdf, self.html)


@dataclass(frozen=True, slots=True)
class UptimeCharts:
    """What the uptime report draws, as plain data (drawn in a worker process)."""

    language: Language
    monthly_labels: list[str]
    monthly_values: list[float | None]
    measured: list[float]
    worst: list[tuple[str, float]]
    causes: dict[str, float]
    kinds: dict[str, int]

    def draw(self) -> dict[str, str]:
        """The charts as SVG, by name."""
        _ = translations(self.language).gettext
        nothing = _("no data")
        figures = {
            "monthly": charts.monthly_availability(
                self.monthly_labels, self.monthly_values, _("Availability per month"), nothing
            ),
            "distribution": charts.distribution(
                self.measured, _("Availability over the cameras"), _("availability (%)"), nothing
            ),
            "worst": charts.horizontal(
                [name for name, _hours in self.worst],
                [hours for _name, hours in self.worst],
                _("The ten cameras with the most downtime"),
                _("hours"),
                nothing,
            ),
            "causes": charts.horizontal(
                list(self.causes),
                [v / 3600 for v in self.causes.values()],
                _("Downtime by cause"),
                _("hours"),
                nothing,
            ),
            "kinds": charts.horizontal(
                list(self.kinds),
                list(self.kinds.values()),
                _("Faults by kind"),
                _("count"),
                nothing,
                colour=charts.BLUE,
            ),
        }
        return {name: charts.svg(figure) for name, figure in figures.items()}


async def uptime_document(
    session: AsyncSession,
    *,
    period: Span,
    by: GroupBy,
    now: datetime,
    language: Language,
    scheduler: SchedulerSettings | None = None,
    recording: RecordingSettings | None = None,
) -> Document:
    """The uptime report with charts, for reading and printing; with the polling settings it states how precise
    its outage edges are, with the recording settings each row's recording and retention state."""
    period = utc(period)
    facts = await camera_facts(session)
    per_camera = await camera_figures_for(session, period=period, now=now, cameras=facts)
    tickets = await ticket_repairs(session, period=period)
    by_network = await network_rows(session, period=period, now=now, cameras=facts, whole=(per_camera, tickets))
    kept = await footage.kept(session, per_camera, period=period, now=now)
    if by is GroupBy.NETWORK:
        rows = by_network
    else:
        rows = await rows_of(session, per_camera, tickets, kept, by=by, period=period, recording=recording)
    fleet = Figures()
    repairs = TicketRepairs()
    for camera, figures in per_camera.values():
        fleet.add(figures)
        repairs.add(tickets.get(camera.id, TicketRepairs()))
    monthly_labels, monthly_values = [], []
    for label, span in months(period):
        total = Figures()
        for _camera, figures in (await camera_figures_for(session, period=span, now=now, cameras=facts)).values():
            total.add(figures)
        monthly_labels.append(label)
        monthly_values.append(total.availability)
    measured = [f.availability for _c, f in per_camera.values() if f.availability is not None]
    worst = sorted(per_camera.values(), key=lambda cf: -cf[1].downtime_s)[:10]
    worst = [(c, f) for c, f in worst if f.downtime_s > 0]
    causes = _downtime_by_cause(rows, language)
    kinds = await _fault_kinds(session, period, language)
    drawn = UptimeCharts(
        language,
        monthly_labels,
        monthly_values,
        measured,
        [(c.name, f.downtime_s / 3600) for c, f in worst],
        causes,
        kinds,
    )
    svg = await offload.cpu(drawn.draw)
    template = environment(language).get_template("uptime.html")
    html = template.render(
        lang=language,
        period=(period[0].astimezone(LOCAL), period[1].astimezone(LOCAL)),
        by=by.value,
        generated=now.astimezone(LOCAL),
        version=__version__,
        fleet=fleet,
        repairs=repairs,
        cameras=len(per_camera),
        rows=rows,
        causes=[(cause.value, gettext(label, language)) for cause, label in CAUSES.items()],
        svg=svg,
        precision=precision.note(scheduler, language) if scheduler is not None else None,
        footage=any(row.recorded_cameras for row in rows),
        by_network=by_network,
        gaps=_longest_gaps(kept, per_camera),
    )
    return Document(html)


def _downtime_by_cause(rows: list[UptimeRow], language: Language) -> dict[str, float]:
    """The downtime of every camera by what explains it, in seconds, under each cause's words."""
    return {
        gettext(label, language): sum(getattr(row, f"downtime_{cause.value}_s") for row in rows)
        for cause, label in CAUSES.items()
    }


async def _fault_kinds(session: AsyncSession, period: Span, language: Language) -> dict[str, int]:
    """The number of faults opened per kind within the period (the ten most frequent)."""
    kinds = await session.scalars(select(Fault.kind).where(Fault.opened_at >= period[0], Fault.opened_at < period[1]))
    return dict(Counter(kind_label(kind, language) for kind in kinds).most_common(10))


def _longest_gaps(
    kept: footage.Kept, per_camera: dict[int, tuple[CameraFacts, Figures]]
) -> list[tuple[str, datetime, datetime, float]]:
    """The longest spans seen without footage in the period (camera, from, to, seconds), at most ``GAPS_SHOWN``."""
    return [
        (per_camera[i][0].name, start.astimezone(LOCAL), end.astimezone(LOCAL), (end - start).total_seconds())
        for i, start, end in footage.longest_gaps(kept, GAPS_SHOWN)
    ]


@cache
def environment(language: Language) -> Environment:
    """The report templates with the language's catalogue and its way of writing numbers (one per language, so that
    each template is compiled once per process, not once per report on the event loop)."""
    found = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    found.install_gettext_translations(translations(language))  # type: ignore[attr-defined]
    found.globals.update(
        hours=partial(hours, language=language),
        percent=partial(percent, language=language),
        money=partial(money, language=language),
        day=partial(day, language=language),
        footage_state=partial(footage.state_words, language=language),
        network_label=partial(network_label, language=language),
    )
    return found
