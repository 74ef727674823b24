"""The dashboard: the fleet at a glance, refreshing itself."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import SessionDep, SettingsDep
from api.pages.core import PageRead, render
from config.settings import Settings
from fleet.cameras import reading
from fleet.cameras.filters import CameraFilter, count_by_status
from fleet.cameras.models import CameraStatus
from fleet.decisions.compliance import flexible_states
from fleet.faults.models import Fault, FaultKind
from fleet.faults.service import open_counts_by_severity
from fleet.health.watch import group_health
from fleet.maintenance.service import cameras_in_maintenance
from fleet.pagination import Window
from fleet.tickets.reading import open_breach_counts
from fleet.vendor_risk.service import risk_summary

router = APIRouter(include_in_schema=False)


async def _collectors(session: AsyncSession, now: datetime, lease: timedelta) -> list[dict[str, Any]]:
    """Per poller group: who is checking it, how old its newest result is, and its open `collector_silent` fault."""
    silent = {
        str(f.details.get("poller_group")): f
        for f in await session.scalars(
            select(Fault).where(Fault.kind == FaultKind.COLLECTOR_SILENT, Fault.closed_at.is_(None))
        )
    }
    return [
        {
            "group": g,
            "age_s": None if g.newest_result_at is None else int((now - g.newest_result_at).total_seconds()),
            "silent": silent.get(g.name),
        }
        for g in await group_health(session, now=now, lease=lease)
    ]


async def _figures(session: AsyncSession, settings: Settings) -> dict[str, Any]:
    now = datetime.now(UTC)
    # Counted by the cameras list's own rule, so "3 down" here is exactly the 3 the filtered list shows.
    maintenance = await cameras_in_maintenance(session, now)
    by_status = await count_by_status(session, filters=CameraFilter(), maintenance=maintenance)
    down = await reading.page_of(
        session, CameraFilter(status=CameraStatus.DOWN), Window(size=50), maintenance=maintenance, now=now
    )
    return {
        "by_status": by_status,
        "down": down,
        "faults": await open_counts_by_severity(session),
        "breaches": await open_breach_counts(session),
        "flexible": await flexible_states(session, now=now),
        "risk": await risk_summary(session),
        "collectors": await _collectors(session, now, settings.scheduler.lease),
        "now": now,
    }


@router.get("/")
async def dashboard(request: Request, session: SessionDep, settings: SettingsDep, viewer: PageRead) -> Response:
    """The dashboard page."""
    return render(request, viewer, "dashboard.html", **await _figures(session, settings))


@router.get("/dashboard/figures")
async def figures(request: Request, session: SessionDep, settings: SettingsDep, viewer: PageRead) -> Response:
    """The dashboard's figures alone, which the page polls (htmx) to stay current."""
    return render(request, viewer, "_dashboard_figures.html", **await _figures(session, settings))
