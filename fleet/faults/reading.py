"""Reading faults: with their camera's name and the ticket that covers them.

A page is read as columns and shaped straight into the API's answer: no ORM entity is built for a fault only shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import TypeAdapter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import Camera, DeviceType
from fleet.faults import service
from fleet.faults.models import Fault, FaultKind
from fleet.faults.schemas import FaultOut
from fleet.pagination import KeysetPage, Window, read_slice
from fleet.tickets.history import ticket_ids_for_faults

_SHOWN = (
    "id",
    "camera_id",
    "scope",
    "kind",
    "severity",
    "summary",
    "details",
    "opened_at",
    "closed_at",
    "duration_s",
    "acknowledged_at",
    "acknowledged_by",
    "suppressed_by_id",
)
_FAULTS = TypeAdapter(list[FaultOut])


async def page_of(
    session: AsyncSession, filters: service.FaultFilter, window: Window, *, now: datetime
) -> KeysetPage[FaultOut]:
    """One page of the filtered faults, newest first."""
    columns = select(*(getattr(Fault, name) for name in _SHOWN), Camera.name.label("camera_name")).outerjoin(
        Camera, Camera.id == Fault.camera_id
    )
    found = await read_slice(
        session,
        filters.apply(columns),
        filters.apply(select(func.count(Fault.id))),
        order="faults:newest",
        keys=service.NEWEST_FIRST,
        window=window,
        now=now,
    )
    ticket_of = await ticket_ids_for_faults(session, [row.id for row in found.rows])
    shaped = []
    for row in found.rows:
        fault = {name: row._mapping[name] for name in (*_SHOWN, "camera_name")}
        fault["details"] = fault["details"] or {}
        fault["ticket_id"] = ticket_of.get(row.id)
        shaped.append(fault)
    return KeysetPage[FaultOut](
        items=_FAULTS.validate_python(shaped),
        total=found.total,
        page=found.page,
        size=window.size,
        next_cursor=found.next_cursor,
        total_counted_at=found.counted_at,
    )


async def one(session: AsyncSession, fault: Fault) -> FaultOut:
    """One fault as the list shows it."""
    ticket_of = await ticket_ids_for_faults(session, [fault.id])
    return FaultOut.of(fault, await service.camera_name(session, fault), ticket_of.get(fault.id))


async def open_at(session: AsyncSession, kind: FaultKind, at: datetime) -> dict[int, dict[str, Any]]:
    """Per camera (recorders and network devices not counted), the details of its fault of this kind open at that
    moment: what the inventory and the annual chapter count."""
    rows = await session.execute(
        select(Fault.camera_id, Fault.details)
        .join(Camera, Camera.id == Fault.camera_id)
        .where(
            Camera.device_type == DeviceType.CAMERA,
            Fault.kind == kind,
            Fault.opened_at <= at,
            (Fault.closed_at.is_(None)) | (Fault.closed_at > at),
        )
    )
    return {camera_id: dict(details or {}) for camera_id, details in rows if camera_id is not None}
