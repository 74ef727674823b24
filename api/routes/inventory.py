"""The inventory export for the tender: XLSX, CSV, JSON and GeoJSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Response

from api import downloads
from api.deps import MayRead, SessionDep, SettingsDep
from fleet.inventory.export import ExportFormat
from fleet.inventory.service import LOCAL

router = APIRouter(prefix="/inventory", tags=["inventory"])


@router.get("/export", response_class=Response)
async def export_inventory(
    session: SessionDep,
    settings: SettingsDep,
    _user: MayRead,
    format: ExportFormat = ExportFormat.XLSX,
    as_of: date | None = None,
    lang: Literal["nl", "en"] = "en",
) -> Response:
    """Every camera not retired: identity, age, health, origin risk, firmware state and replacement priority."""
    return await downloads.inventory(session, settings, format, as_of or datetime.now(LOCAL).date(), lang)
