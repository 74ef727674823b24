"""Reports and the inventory as downloads: one answer for the JSON API and the pages alike.

Documents, spreadsheets and large exports are made in worker processes (fleet.offload), never on the event loop."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncSession

from config.recording import RecordingSettings
from config.settings import SchedulerSettings, Settings
from fleet import offload
from fleet.cameras import fibre
from fleet.discovery import export as discovery_export
from fleet.discovery import report as discovery_report
from fleet.errors import InvalidInput
from fleet.inventory.export import ExportFormat, render
from fleet.inventory.service import build_inventory
from fleet.language import Language
from fleet.reports.annual import annual_document
from fleet.reports.uptime import uptime_document
from fleet.uptime import export, precision
from fleet.uptime.service import GroupBy, uptime_report
from fleet.uptime.when import parse_when


class ReportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"
    PDF = "pdf"


class DocumentFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"
    DOCX = "docx"  # the annual chapter only: editable, to paste into the municipality's own report


DOCX_MEDIA = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


INVENTORY_MEDIA = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSON: "application/json",
    ExportFormat.GEOJSON: "application/geo+json",
}


def report_period(from_: str, to: str) -> tuple[datetime, datetime]:
    """The period asked for (a date ``to`` means the end of that day); InvalidInput if it is not one."""
    period = (parse_when(from_, field="from"), parse_when(to, field="to", end_of_day=True))
    if period[1] <= period[0]:
        raise InvalidInput("to", "must be after from")
    return period


async def uptime(
    session: AsyncSession,
    period: tuple[datetime, datetime],
    by: GroupBy,
    format: ReportFormat,
    language: Language,
    scheduler: SchedulerSettings | None = None,
    recording: RecordingSettings | None = None,
) -> Response:
    """The uptime report in the format asked for; with the polling settings, saying how precise its edges are;
    with the recording settings, each row's recording and retention state."""
    now = datetime.now(UTC)
    edges = precision.edges_s(scheduler) if scheduler is not None else None
    if format in (ReportFormat.HTML, ReportFormat.PDF):
        document = await uptime_document(
            session, period=period, by=by, now=now, language=language, scheduler=scheduler, recording=recording
        )
        if format is ReportFormat.HTML:
            return Response(document.html, media_type="text/html; charset=utf-8")
        return Response(
            await document.pdf_beside_loop(),
            media_type="application/pdf",
            headers={"Content-Disposition": 'attachment; filename="uptime.pdf"'},
        )
    rows = await uptime_report(session, period=period, by=by, now=now, recording=recording)
    if format is ReportFormat.CSV:
        return Response(
            await offload.cpu(export.to_csv, rows, edges_s=edges),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="uptime.csv"'},
        )
    return Response(
        await offload.cpu(export.to_json, rows, period=period, by=by, edges_s=edges), media_type="application/json"
    )


async def annual(
    session: AsyncSession, settings: Settings, year: int, format: DocumentFormat, language: Language
) -> Response:
    """The camera chapter of the annual report."""
    document = await annual_document(session, year=year, settings=settings, now=datetime.now(UTC), language=language)
    if format is DocumentFormat.HTML:
        return Response(document.html, media_type="text/html; charset=utf-8")
    if format is DocumentFormat.DOCX:
        return Response(
            await document.docx_beside_loop(),
            media_type=DOCX_MEDIA,
            headers={"Content-Disposition": f'attachment; filename="camfleet-annual-{year}.docx"'},
        )
    return Response(
        await document.pdf_beside_loop(),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="camfleet-annual-{year}.pdf"'},
    )


async def inventory(
    session: AsyncSession, settings: Settings, format: ExportFormat, day: date, language: Language
) -> Response:
    """The inventory as it stood on ``day``."""
    rows = await build_inventory(session, settings=settings, as_of=day)
    return Response(
        await offload.cpu(render, rows, format, day, language),
        media_type=INVENTORY_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="camfleet-inventory-{day}.{format.value}"'},
    )


ROLLOUT_MEDIA = {
    fibre.RolloutFormat.JSON: "application/json",
    fibre.RolloutFormat.CSV: "text/csv; charset=utf-8",
    fibre.RolloutFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


async def fibre_rollout(session: AsyncSession, settings: Settings, format: fibre.RolloutFormat) -> Response:
    """The cameras still on copper or 4G inside the fibre area (Conflict, a 409, when no usable area is set)."""
    rollout = await fibre.still_to_move(session, fibre.load_area(settings.network.fibre_area))
    body = await offload.cpu(fibre.render, rollout, format, fibre_area=str(settings.network.fibre_area))
    return Response(
        body,
        media_type=ROLLOUT_MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="camfleet-fibre-rollout.{format.value}"'},
    )


async def reconciliation(session: AsyncSession, settings: Settings, language: Language) -> Response:
    """The reconciliation of the registry with the network as a workbook."""
    found = await discovery_report.build(session, settings, now=datetime.now(UTC))
    return Response(
        await offload.cpu(discovery_export.to_xlsx, found, language),
        media_type=INVENTORY_MEDIA[ExportFormat.XLSX],
        headers={
            "Content-Disposition": f'attachment; filename="camfleet-reconciliation-{found.generated_at:%Y-%m-%d}.xlsx"'
        },
    )
