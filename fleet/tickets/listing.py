"""Tickets as readers see them: a page of the filtered list, with faults, camera names and assignees."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from fleet.pagination import Page
from fleet.tickets import service
from fleet.tickets.schemas import TicketOut


async def page_of(session: AsyncSession, filters: service.TicketFilter, *, page: int, size: int) -> Page[TicketOut]:
    """One page of the filtered tickets, newest first."""
    rows, total = await service.list_tickets(session, filters=filters, page=page, size=size)
    return Page(items=await service.to_out(session, rows), total=total, page=page, size=size)
