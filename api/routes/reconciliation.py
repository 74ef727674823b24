"""The reconciliation of the registry with the network (issue 19): everyone reads it, as JSON or a workbook."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response

from api import downloads
from api.deps import DocumentTurn, MayRead, SessionDep, SettingsDep
from fleet.discovery import report
from fleet.discovery.schemas import Reconciliation
from fleet.language import Language

router = APIRouter(prefix="/reconciliation", tags=["network discovery"])


@router.get("", response_model=Reconciliation)
async def read_reconciliation(session: SessionDep, settings: SettingsDep, _user: MayRead) -> Reconciliation:
    """Devices found on the network but not registered (with OUI vendor and origin risk), registered but not found,
    moved to another port, and swapped (another MAC address at the same port); and the tables it was read from."""
    return await report.build(session, settings, now=datetime.now(UTC))


@router.get("/export", response_class=Response)
async def export_reconciliation(
    session: SessionDep, settings: SettingsDep, _user: MayRead, _turn: DocumentTurn, lang: Language = "en"
) -> Response:
    """The reconciliation as an XLSX workbook, one sheet per finding, in the language asked for."""
    return await downloads.reconciliation(session, settings, lang)
