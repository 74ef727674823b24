"""The coordinator's records: decisions with a timeline of deployments, and the reports to download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from api import downloads
from api.deps import DocumentTurn, SessionDep, SettingsDep
from api.downloads import DocumentFormat, ReportFormat
from api.pages.core import PageRead, Viewer, render
from config.zone import LOCAL
from fleet.decisions import service as decisions
from fleet.decisions.compliance import PERMITTING
from fleet.decisions.schemas import DecisionOut
from fleet.errors import InvalidInput
from fleet.inventory.export import ExportFormat
from fleet.pagination import Page
from fleet.uptime.service import GroupBy

router = APIRouter(include_in_schema=False)
# A downloaded HTML report carries its own <style>: allowed for it alone, and still no script at all.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
# More decisions than a municipality takes in a year: the page shows them all.
YEAR_LIMIT = 500


@dataclass(frozen=True, slots=True)
class Bar:
    """A stretch of a decision on the year's timeline, as fractions of the year."""

    start: float
    width: float


def bars(decision: DecisionOut, year: int) -> list[Bar]:
    """Where a permitting decision runs within the year: its single days, or its period (open end: to year end)."""
    first, after = date(year, 1, 1), date(year + 1, 1, 1)
    length = (after - first).days
    spans = [(d, d + timedelta(days=1)) for d in decision.days] or [
        (decision.starts_on, (decision.ends_on + timedelta(days=1)) if decision.ends_on else after)
    ]
    found = []
    for begin, end in spans:
        lo, hi = max(begin, first), min(end, after)
        if hi > lo:
            found.append(Bar(start=(lo - first).days / length, width=(hi - lo).days / length))
    return found


@router.get("/decisions")
async def decisions_page(
    request: Request,
    session: SessionDep,
    viewer: PageRead,
    year: Annotated[int | None, Query(ge=1990, le=2999)] = None,
) -> Response:
    """Decisions of a year and a timeline of the deployments they permit."""
    shown = year or datetime.now(LOCAL).year
    rows, total = await decisions.list_decisions(session, page=1, size=YEAR_LIMIT, year=shown)
    listed: Page[DecisionOut] = Page(items=await decisions.shaped(session, rows), total=total, page=1, size=YEAR_LIMIT)
    timeline = [(d, bars(d, shown)) for d in listed.items if d.kind in PERMITTING]
    return render(
        request,
        viewer,
        "decisions.html",
        decisions=listed,
        year=shown,
        timeline=[(d, b) for d, b in timeline if b],
        months=[date(shown, m, 1) for m in range(1, 13)],
    )


def _reports_page(request: Request, viewer: Viewer, error: str | None = None) -> Response:
    today = datetime.now(LOCAL).date()
    return render(
        request,
        viewer,
        "reports.html",
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT if error else status.HTTP_200_OK,
        error=error,
        default_from=(today - timedelta(days=30)).isoformat(),
        default_to=today.isoformat(),
        year=today.year - 1,
        groups=list(GroupBy),
        formats=list(ReportFormat),
        document_formats=list(DocumentFormat),
        inventory_formats=list(ExportFormat),
    )


@router.get("/reports")
async def reports_page(request: Request, viewer: PageRead) -> Response:
    """Forms to download the uptime report, the annual report and the inventory."""
    return _reports_page(request, viewer)


def _report_headers(response: Response) -> Response:
    if response.media_type and response.media_type.startswith("text/html"):
        response.headers["Content-Security-Policy"] = REPORT_POLICY
    return response


@router.get("/reports/uptime")
async def uptime(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: PageRead,
    _turn: DocumentTurn,
    from_: Annotated[str, Query(alias="from", max_length=40)],
    to: Annotated[str, Query(max_length=40)],
    by: GroupBy = GroupBy.CAMERA,
    format: ReportFormat = ReportFormat.PDF,
) -> Response:
    """The uptime report for a period, as the API gives it."""
    try:
        period = downloads.report_period(from_, to)
    except InvalidInput as exc:
        return _reports_page(request, viewer, str(exc))
    response = await downloads.uptime(
        session, period, by, format, viewer.language, settings.scheduler, settings.recording
    )
    if format is not ReportFormat.HTML:
        response.headers.setdefault("Content-Disposition", f'attachment; filename="uptime.{format.value}"')
    return _report_headers(response)


@router.get("/reports/annual")
async def annual(
    session: SessionDep,
    settings: SettingsDep,
    viewer: PageRead,
    _turn: DocumentTurn,
    year: Annotated[int, Query(ge=2000, le=2100)],
    format: DocumentFormat = DocumentFormat.PDF,
) -> Response:
    """The annual report, as the API gives it."""
    return _report_headers(await downloads.annual(session, settings, year, format, viewer.language))


@router.get("/reports/inventory")
async def inventory(
    session: SessionDep,
    settings: SettingsDep,
    viewer: PageRead,
    _turn: DocumentTurn,
    format: ExportFormat = ExportFormat.XLSX,
) -> Response:
    """Today's inventory export, its summary and plan in the viewer's language."""
    return await downloads.inventory(session, settings, format, datetime.now(LOCAL).date(), viewer.language)
