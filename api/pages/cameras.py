"""Cameras: the filtered list, one camera's page, and the map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from api.deps import SessionDep, SettingsDep
from api.pages.core import PageRead, render
from fleet.cameras import network_types
from fleet.cameras import reading as camera_reading
from fleet.cameras.filters import CameraFilter, CameraSort
from fleet.cameras.models import CameraKind, CameraStatus, RiskLevel
from fleet.db import RowId
from fleet.decisions.service import for_camera
from fleet.events import service as camera_events
from fleet.faults import downgrade
from fleet.faults import reading as fault_reading
from fleet.faults.service import FaultFilter
from fleet.health.timeline import timeline
from fleet.hygiene import reading as hygiene_reading
from fleet.hygiene import service as hygiene
from fleet.maintenance import service as maintenance
from fleet.pagination import Window
from fleet.tickets import reading as ticket_reading

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
TIMELINE = timedelta(days=7)
# Every camera on one map; beyond this the map would be unreadable and slow anyway.
MAP_LIMIT = 500


@router.get("/cameras")
async def camera_list(
    request: Request,
    session: SessionDep,
    viewer: PageRead,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    status: Annotated[CameraStatus | None, Query()] = None,
    kind: CameraKind | None = None,
    risk: RiskLevel | None = None,
    area: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: CameraSort = CameraSort.NAME,
) -> Response:
    """Cameras: filter, search, sort and page."""
    filters = CameraFilter(status=status, kind=kind, risk=risk, area=area or None, search=q or None)
    now = datetime.now(UTC)
    in_maintenance = await maintenance.cameras_in_maintenance(session, now)
    listed = await camera_reading.page_of(
        session, filters, Window(size=PAGE_SIZE, page=page), maintenance=in_maintenance, now=now, sort=sort
    )
    query = {"status": status, "kind": kind, "risk": risk, "area": area, "q": q, "sort": sort}
    return render(
        request,
        viewer,
        "cameras.html",
        cameras=listed,
        query={k: v for k, v in query.items() if v},
        base=urlencode({k: str(v) for k, v in query.items() if v}),
        pages=max(1, -(-listed.total // PAGE_SIZE)),
        statuses=list(CameraStatus),
        kinds=list(CameraKind),
        risks=list(RiskLevel),
        sorts=list(CameraSort),
    )


@router.get("/cameras/{camera_id}")
async def camera_page(
    request: Request, session: SessionDep, settings: SettingsDep, viewer: PageRead, camera_id: RowId
) -> Response:
    """One camera: identity declared and observed, risk, status timeline, observations and its work."""
    now = datetime.now(UTC)
    camera = await camera_reading.one(session, camera_id, now=now)
    start = now - TIMELINE
    windows, _total = await maintenance.list_windows(session, page=1, size=500, current_at=now)
    covering = [w for w in windows if w.scope.covers(camera.id, camera.area, camera.site, camera.poller_group)]
    seen = await hygiene.get(session, camera_id)
    return render(
        request,
        viewer,
        "camera.html",
        device=camera,
        segments=await timeline(session, camera_id, start=start, end=now),
        days=[start + timedelta(days=i) for i in range(TIMELINE.days + 1)],
        faults=await fault_reading.page_of(session, FaultFilter(camera_id=camera_id), Window(size=20), now=now),
        tickets=await ticket_reading.page_of(
            session, ticket_reading.TicketFilter(camera_id=camera_id), page=1, size=20
        ),
        windows=covering,
        decisions=await for_camera(session, camera_id),
        logins=await downgrade.endpoints(session, camera_id),
        subscription=await camera_events.subscription(session, camera_id),
        event_counts=await camera_events.counts(session, camera_id),
        events=await camera_events.latest(session, camera_id),
        network_history=await network_types.history_of(session, camera_id),
        network_label=partial(network_types.label, language=viewer.language),
        hygiene=hygiene_reading.shape(seen, camera.name, settings.hygiene, now) if seen else None,
        now=now,
    )


@router.get("/map")
async def map_page(request: Request, viewer: PageRead) -> Response:
    """Cameras on a map (Leaflet); without a tile URL on a plain background."""
    return render(request, viewer, "map.html", statuses=list(CameraStatus))


@router.get("/map/points")
async def map_points(session: SessionDep, viewer: PageRead) -> JSONResponse:
    """The cameras with coordinates, for the map script."""
    now = datetime.now(UTC)
    in_maintenance = await maintenance.cameras_in_maintenance(session, now)
    listed = await camera_reading.page_of(
        session, CameraFilter(), Window(size=MAP_LIMIT), maintenance=in_maintenance, now=now
    )
    points = [
        {"id": c.id, "name": c.name, "status": c.status.value, "lat": c.latitude, "lon": c.longitude}
        for c in listed.items
        if c.latitude is not None and c.longitude is not None
    ]
    return JSONResponse({"points": points, "without": len(listed.items) - len(points)})
