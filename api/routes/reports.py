"""Reports: uptime for any period, grouped by camera, area, site, manufacturer, kind, poller group or network
type; the annual chapter; the cameras still to move onto fibre."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.exceptions import RequestValidationError

from api import downloads
from api.deps import DocumentTurn, MayRead, SessionDep, SettingsDep
from fleet.cameras import fibre
from fleet.errors import InvalidInput
from fleet.language import Language
from fleet.uptime.service import GroupBy

router = APIRouter(prefix="/reports", tags=["reports"])


@router.get("/uptime")
async def uptime(
    session: SessionDep,
    settings: SettingsDep,
    _user: MayRead,
    _turn: DocumentTurn,
    from_: Annotated[str, Query(alias="from", description="ISO date or date-time (local time if no zone)")],
    to: Annotated[str, Query(description="ISO date or date-time; a date means the end of that day")],
    by: GroupBy = GroupBy.CAMERA,
    format: downloads.ReportFormat = downloads.ReportFormat.JSON,
    lang: Language = "nl",
) -> Response:
    """Availability, downtime, maintenance, unknown time, outages, MTTR and MTBF per key."""
    try:
        period = downloads.report_period(from_, to)
    except InvalidInput as exc:
        raise RequestValidationError([{"loc": ("query", exc.field), "msg": exc.reason, "type": "value_error"}]) from exc
    return await downloads.uptime(session, period, by, format, lang, settings.scheduler, settings.recording)


@router.get("/annual")
async def annual(
    session: SessionDep,
    settings: SettingsDep,
    _user: MayRead,
    _turn: DocumentTurn,
    year: Annotated[int, Query(ge=2000, le=2100)],
    format: downloads.DocumentFormat = downloads.DocumentFormat.PDF,
    lang: Language = "nl",
) -> Response:
    """The camera chapter of the annual report (Dutch by default)."""
    return await downloads.annual(session, settings, year, format, lang)


@router.get("/fibre-rollout")
async def fibre_rollout(
    session: SessionDep,
    settings: SettingsDep,
    _user: MayRead,
    _turn: DocumentTurn,
    format: fibre.RolloutFormat = fibre.RolloutFormat.JSON,
) -> Response:
    """The cameras still on copper or 4G inside the fibre area (setting network.fibre_area; 409 when unset)."""
    return await downloads.fibre_rollout(session, settings, format)
