"""Reading cameras: a page of the list or one camera, each saying whether it is in maintenance."""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras import service
from fleet.cameras.schemas import CameraOut
from fleet.maintenance.service import cameras_in_maintenance
from fleet.pagination import Page


async def page_of(
    session: AsyncSession,
    filters: service.CameraFilter,
    *,
    page: int,
    size: int,
    maintenance: Set[int],
    sort: service.CameraSort = service.CameraSort.NAME,
) -> Page[CameraOut]:
    """One page of the filtered list; ``maintenance``: the cameras in a running window (`cameras_in_maintenance`)."""
    rows, total = await service.list_cameras(
        session, filters=filters, page=page, size=size, maintenance=maintenance, sort=sort
    )
    items = [service.to_out(c, in_maintenance=c.id in maintenance) for c in rows]
    return Page(items=items, total=total, page=page, size=size)


async def one(session: AsyncSession, camera_id: int, *, now: datetime) -> CameraOut:
    """One camera as it stands now; NotFound if there is none with that id."""
    camera = await service.get_or_raise(session, camera_id)
    maintenance = await cameras_in_maintenance(session, now, [camera_id])
    return service.to_out(camera, in_maintenance=camera_id in maintenance)
