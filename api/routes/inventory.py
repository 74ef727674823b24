"""The inventory export for the tender: XLSX, CSV, JSON and GeoJSON."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, Response

from api import downloads
from api.deps import DocumentTurn, MayRead, SessionDep, SettingsDep
from config.zone import LOCAL
from fleet.inventory.export import ExportFormat
from fleet.language import Language

router = APIRouter(prefix="/inventory", tags=["inventory"])


@router.get("/export", response_class=Response)
async def export_inventory(
    session: SessionDep,
    settings: SettingsDep,
    _user: MayRead,
    _turn: DocumentTurn,
    format: ExportFormat = ExportFormat.XLSX,
    as_of: date | None = None,
    lang: Language = "en",
) -> Response:
    """Every camera not retired: identity, age, health, origin risk, firmware state and replacement priority."""
    return await downloads.inventory(session, settings, format, as_of or datetime.now(LOCAL).date(), lang)
