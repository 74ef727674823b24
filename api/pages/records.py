"""The coordinator's records: decisions with a timeline of deployments, and the reports to download."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError

from api.deps import PageParams, SessionDep, SettingsDep
from api.pages.core import PageViewer, Viewer, render
from api.routes import decisions as decision_routes
from api.routes import inventory as inventory_routes
from api.routes import reports as report_routes
from config.zone import LOCAL
from fleet.decisions.compliance import PERMITTING
from fleet.decisions.schemas import DecisionOut
from fleet.inventory.export import ExportFormat
from fleet.uptime.service import GroupBy

router = APIRouter(include_in_schema=False)
# A downloaded HTML report carries its own <style>: allowed for it alone, and still no script at all.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


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
    viewer: PageViewer,
    year: Annotated[int | None, Query(ge=1990, le=2999)] = None,
) -> Response:
    """Decisions of a year and a timeline of the deployments they permit."""
    shown = year or datetime.now(LOCAL).year
    listed = await decision_routes.list_decisions(session, viewer.user, PageParams(page=1, size=500), year=shown)
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
        formats=list(report_routes.ReportFormat),
        document_formats=list(report_routes.DocumentFormat),
        inventory_formats=list(ExportFormat),
    )


@router.get("/reports")
async def reports_page(request: Request, viewer: PageViewer) -> Response:
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
    viewer: PageViewer,
    from_: Annotated[str, Query(alias="from", max_length=40)],
    to: Annotated[str, Query(max_length=40)],
    by: GroupBy = GroupBy.CAMERA,
    format: report_routes.ReportFormat = report_routes.ReportFormat.PDF,
) -> Response:
    """The uptime report for a period, by the API's own function."""
    try:
        response = await report_routes.uptime(session, viewer.user, from_, to, by, format, viewer.language)
    except RequestValidationError as exc:
        return _reports_page(request, viewer, "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors()))
    if format is not report_routes.ReportFormat.HTML:
        response.headers.setdefault("Content-Disposition", f'attachment; filename="uptime.{format.value}"')
    return _report_headers(response)


@router.get("/reports/annual")
async def annual(
    session: SessionDep,
    settings: SettingsDep,
    viewer: PageViewer,
    year: Annotated[int, Query(ge=2000, le=2100)],
    format: report_routes.DocumentFormat = report_routes.DocumentFormat.PDF,
) -> Response:
    """The annual report, by the API's own function."""
    response = await report_routes.annual(session, settings, viewer.user, year, format, viewer.language)
    return _report_headers(response)


@router.get("/reports/inventory")
async def inventory(
    session: SessionDep,
    settings: SettingsDep,
    viewer: PageViewer,
    format: ExportFormat = ExportFormat.XLSX,
) -> Response:
    """The inventory export, by the API's own function."""
    return await inventory_routes.export_inventory(session, settings, viewer.user, format, None)
