"""Reports: uptime for any period, grouped by camera, area, site, manufacturer, kind or poller group."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.exceptions import RequestValidationError

from api.deps import SessionDep, SettingsDep, Viewer
from fleet.errors import InvalidInput
from fleet.language import Language
from fleet.reports.annual import annual_document
from fleet.reports.uptime import uptime_document
from fleet.uptime import export
from fleet.uptime.service import GroupBy, uptime_report
from fleet.uptime.when import parse_when

router = APIRouter(prefix="/reports", tags=["reports"])


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"
    PDF = "pdf"


@router.get("/uptime")
async def uptime(
    session: SessionDep,
    _user: Viewer,
    from_: Annotated[str, Query(alias="from", description="ISO date or date-time (local time if no zone)")],
    to: Annotated[str, Query(description="ISO date or date-time; a date means the end of that day")],
    by: GroupBy = GroupBy.CAMERA,
    format: ReportFormat = ReportFormat.JSON,
    lang: Language = "nl",
) -> Response:
    """Availability, downtime, maintenance, unknown time, outages, MTTR and MTBF per key."""
    try:
        period = (parse_when(from_, field="from"), parse_when(to, field="to", end_of_day=True))
        if period[1] <= period[0]:
            raise InvalidInput("to", "must be after from")
    except InvalidInput as exc:
        raise RequestValidationError([{"loc": ("query", exc.field), "msg": exc.reason, "type": "value_error"}]) from exc
    now = datetime.now(UTC)
    if format in (ReportFormat.HTML, ReportFormat.PDF):
        document = await uptime_document(session, period=period, by=by, now=now, language=lang)
        if format is ReportFormat.HTML:
            return Response(document.html, media_type="text/html; charset=utf-8")
        return Response(
            document.pdf(),
            media_type="application/pdf",
            headers={"Content-Disposition": 'attachment; filename="uptime.pdf"'},
        )
    rows = await uptime_report(session, period=period, by=by, now=now)
    if format is ReportFormat.CSV:
        return Response(
            export.to_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="uptime.csv"'},
        )
    return Response(export.to_json(rows, period=period, by=by), media_type="application/json")


class DocumentFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


@router.get("/annual")
async def annual(
    session: SessionDep,
    settings: SettingsDep,
    _user: Viewer,
    year: Annotated[int, Query(ge=2000, le=2100)],
    format: DocumentFormat = DocumentFormat.PDF,
    lang: Language = "nl",
) -> Response:
    """The camera chapter of the annual report (Dutch by default)."""
    document = await annual_document(session, year=year, settings=settings, now=datetime.now(UTC), language=lang)
    if format is DocumentFormat.HTML:
        return Response(document.html, media_type="text/html; charset=utf-8")
    return Response(
        document.pdf(),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="camfleet-annual-{year}.pdf"'},
    )
