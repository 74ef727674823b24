"""Maintenance windows: everyone reads; coordinators plan and remove them."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response, status

from api.deps import Coordinator, PageDep, SessionDep, Viewer, actor_of
from fleet.db import RowId
from fleet.maintenance import service
from fleet.maintenance.models import MaintenanceWindow
from fleet.maintenance.schemas import MaintenanceWindowIn, MaintenanceWindowOut
from fleet.pagination import Page

router = APIRouter(prefix="/maintenance-windows", tags=["maintenance"])


def _out(window: MaintenanceWindow, now: datetime) -> MaintenanceWindowOut:
    shaped = MaintenanceWindowOut.model_validate(window)
    shaped.active_now = service.active(window, now)
    return shaped


@router.get("", response_model=Page[MaintenanceWindowOut])
async def list_windows(
    session: SessionDep, _user: Viewer, paging: PageDep, current: bool = False
) -> Page[MaintenanceWindowOut]:
    """Windows, newest first; ``current=true`` leaves out the ones that are over."""
    now = datetime.now(UTC)
    rows, total = await service.list_windows(
        session, page=paging.page, size=paging.size, current_at=now if current else None
    )
    return Page(items=[_out(w, now) for w in rows], total=total, page=paging.page, size=paging.size)


@router.post("", response_model=MaintenanceWindowOut, status_code=status.HTTP_201_CREATED)
async def create_window(session: SessionDep, user: Coordinator, body: MaintenanceWindowIn) -> MaintenanceWindowOut:
    """Plan a window: polling goes on, alerts and automatic tickets wait, and the time is not downtime."""
    window = await service.create(session, actor=actor_of(user), data=body)
    return _out(window, datetime.now(UTC))


@router.delete("/{window_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_window(session: SessionDep, user: Coordinator, window_id: RowId) -> Response:
    """Remove a window."""
    await service.delete(session, actor=actor_of(user), window_id=window_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
