"""The inventory export for the tender: XLSX, CSV, JSON and GeoJSON."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Response

from api.deps import SessionDep, SettingsDep, Viewer
from config.zone import LOCAL
from fleet.inventory.export import ExportFormat, render
from fleet.inventory.service import build_inventory
from fleet.language import Language

router = APIRouter(prefix="/inventory", tags=["inventory"])


MEDIA = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSON: "application/json",
    ExportFormat.GEOJSON: "application/geo+json",
}


@router.get("/export", response_class=Response)
async def export_inventory(
    session: SessionDep,
    settings: SettingsDep,
    _user: Viewer,
    format: ExportFormat = ExportFormat.XLSX,
    as_of: date | None = None,
    lang: Language = "en",
) -> Response:
    """Every camera not retired: identity, age, health, origin risk, firmware state and replacement priority."""
    day = as_of or datetime.now(LOCAL).date()
    rows = await build_inventory(session, settings=settings, as_of=day)
    return Response(
        render(rows, format, day, lang),
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="camfleet-inventory-{day}.{format.value}"'},
    )
