"""Maintenance windows: everyone reads; coordinators plan and remove them."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Response, status

from api.deps import MayPlanMaintenance, MayRead, PageDep, SessionDep, actor_of
from fleet.db import RowId
from fleet.maintenance import service
from fleet.maintenance.schemas import MaintenanceWindowIn, MaintenanceWindowOut
from fleet.pagination import Page

router = APIRouter(prefix="/maintenance-windows", tags=["maintenance"])


@router.get("", response_model=Page[MaintenanceWindowOut])
async def list_windows(
    session: SessionDep, _user: MayRead, paging: PageDep, current: bool = False
) -> Page[MaintenanceWindowOut]:
    """Windows, newest first; ``current=true`` leaves out the ones that are over."""
    return await service.page_of(session, page=paging.page, size=paging.size, now=datetime.now(UTC), current=current)


@router.post("", response_model=MaintenanceWindowOut, status_code=status.HTTP_201_CREATED)
async def create_window(
    session: SessionDep, user: MayPlanMaintenance, body: MaintenanceWindowIn
) -> MaintenanceWindowOut:
    """Plan a window: polling goes on, alerts and automatic tickets wait, and the time is not downtime."""
    window = await service.create(session, actor=actor_of(user), data=body)
    [shaped] = await service.to_out([window], datetime.now(UTC))
    return shaped


@router.delete("/{window_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_window(session: SessionDep, user: MayPlanMaintenance, window_id: RowId) -> Response:
    """Remove a window."""
    await service.delete(session, actor=actor_of(user), window_id=window_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
