"""The reconciliation page: what the network says beside what the registry says, and its workbook."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from api import downloads
from api.deps import DocumentTurn, SessionDep, SettingsDep
from api.pages.core import PageRead, render
from fleet.discovery import report
from fleet.discovery.export import SEEN_BY
from fleet.inventory.wording import RISK_LEVELS

router = APIRouter(include_in_schema=False)


@router.get("/reconciliation")
async def reconciliation(request: Request, session: SessionDep, settings: SettingsDep, viewer: PageRead) -> Response:
    """Found but not registered, registered but not found, moved, swapped; and the tables read."""
    found = await report.build(session, settings, now=datetime.now(UTC))
    return render(request, viewer, "reconciliation.html", found=found, seen_by=SEEN_BY, risk_levels=RISK_LEVELS)


@router.get("/reconciliation/export")
async def export(session: SessionDep, settings: SettingsDep, viewer: PageRead, _turn: DocumentTurn) -> Response:
    """The reconciliation workbook in the viewer's language."""
    return await downloads.reconciliation(session, settings, viewer.language)
