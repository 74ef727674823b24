"""Cyber hygiene pages: the fleet's certificates, exposed services and drift; a coordinator re-baselines a camera."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from api.authz import Action
from api.deps import SessionDep, SettingsDep
from api.pages.core import ACT_PERMISSIONS, PageRead, Viewer, redirect, render
from fleet.cameras import service as cameras
from fleet.db import RowId
from fleet.hygiene import reading
from fleet.hygiene import service as hygiene

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 100
ActEditCameras = Annotated[Viewer, Depends(ACT_PERMISSIONS[Action.EDIT_CAMERAS])]


@router.get("/hygiene")
async def fleet_hygiene(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    viewer: PageRead,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """Every camera's certificates, plain HTTP, discovery, NTP and drift, as its last security check saw them."""
    listed = await reading.page_of(session, settings.hygiene, page=page, size=PAGE_SIZE, now=datetime.now(UTC))
    return render(request, viewer, "hygiene.html", listed=listed, pages=max(1, -(-listed.total // PAGE_SIZE)))


@router.post("/cameras/{camera_id}/baseline")
async def take_baseline(session: SessionDep, viewer: ActEditCameras, camera_id: RowId) -> Response:
    """Make the configuration last seen the camera's baseline (as the API does), then back to its page."""
    camera = await cameras.get_or_raise(session, camera_id)
    await hygiene.take_baseline(session, camera=camera, actor=viewer.actor, now=datetime.now(UTC))
    return redirect(f"/cameras/{camera_id}")
