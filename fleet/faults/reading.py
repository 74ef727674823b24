"""Reading faults: with their camera's name and the ticket that covers them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fleet.faults import service
from fleet.faults.models import Fault
from fleet.faults.schemas import FaultOut
from fleet.pagination import Page
from fleet.tickets.history import ticket_ids_for_faults


async def page_of(session: AsyncSession, filters: service.FaultFilter, *, page: int, size: int) -> Page[FaultOut]:
    """One page of the filtered faults, newest first."""
    rows, total = await service.list_faults(session, filters=filters, page=page, size=size)
    ticket_of = await ticket_ids_for_faults(session, [f.id for f, _ in rows])
    items = [FaultOut.of(f, name, ticket_of.get(f.id)) for f, name in rows]
    return Page(items=items, total=total, page=page, size=size)


async def one(session: AsyncSession, fault: Fault) -> FaultOut:
    """One fault as the list shows it."""
    ticket_of = await ticket_ids_for_faults(session, [fault.id])
    return FaultOut.of(fault, await service.camera_name(session, fault), ticket_of.get(fault.id))
