"""The dashboard: the fleet at a glance, refreshing itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import PageParams, SessionDep
from api.pages.core import PageViewer, render
from api.routes import cameras as camera_routes
from api.routes import risk as risk_routes
from fleet.cameras import service as cameras
from fleet.cameras.models import CameraStatus
from fleet.decisions.compliance import flexible_states
from fleet.faults.service import open_counts_by_severity
from fleet.maintenance.service import cameras_in_maintenance
from fleet.tickets.reading import open_breach_counts
from fleet.users.models import User

router = APIRouter(include_in_schema=False)


async def _figures(session: AsyncSession, user: User) -> dict[str, Any]:
    now = datetime.now(UTC)
    # Counted by the cameras list's own rule, so "3 down" here is exactly the 3 the filtered list shows.
    maintenance = await cameras_in_maintenance(session, now)
    by_status = await cameras.count_by_status(session, filters=cameras.CameraFilter(), maintenance=maintenance)
    down = await camera_routes.page_of(
        session, cameras.CameraFilter(status=CameraStatus.DOWN), PageParams(page=1, size=50), maintenance=maintenance
    )
    return {
        "by_status": by_status,
        "down": down,
        "faults": await open_counts_by_severity(session),
        "breaches": await open_breach_counts(session),
        "flexible": await flexible_states(session, now=now),
        "risk": await risk_routes.summary(session, user),
        "now": now,
    }


@router.get("/")
async def dashboard(request: Request, session: SessionDep, viewer: PageViewer) -> Response:
    """The dashboard page."""
    return render(request, viewer, "dashboard.html", **await _figures(session, viewer.user))


@router.get("/dashboard/figures")
async def figures(request: Request, session: SessionDep, viewer: PageViewer) -> Response:
    """The dashboard's figures alone, which the page polls (htmx) to stay current."""
    return render(request, viewer, "_dashboard_figures.html", **await _figures(session, viewer.user))
