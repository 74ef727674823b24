"""A ticket's history of events, and the lookups every ticket action starts from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.audit.service import Actor
from fleet.db import chunks
from fleet.errors import InvalidInput, NotFound
from fleet.tickets.models import RepairTicket, TicketEvent, TicketEventKind, TicketFault
from fleet.users.models import Role, User


def add_event(
    session: AsyncSession,
    ticket: RepairTicket,
    kind: TicketEventKind,
    *,
    actor: Actor,
    at: datetime,
    from_value: str | None = None,
    to_value: str | None = None,
    text: str | None = None,
    data: dict[str, Any] | None = None,
) -> TicketEvent:
    """Add an event to the ticket's history (in the caller's transaction)."""
    event = TicketEvent(
        ticket_id=ticket.id,
        at=at,
        actor=actor.name,
        kind=kind,
        from_value=from_value,
        to_value=to_value,
        text=text,
        data=data or {},
    )
    session.add(event)
    return event


async def get_or_raise(session: AsyncSession, ticket_id: int) -> RepairTicket:
    """One ticket; NotFound otherwise."""
    ticket = await session.get(RepairTicket, ticket_id)
    if ticket is None:
        raise NotFound("ticket", ticket_id)
    return ticket


async def assignable_user(session: AsyncSession, user_id: int) -> User:
    """The user a ticket may be given to: active, technician or higher; InvalidInput otherwise."""
    user = await session.get(User, user_id)
    if user is None:
        raise InvalidInput("assignee_id", f"no user {user_id}")
    if not user.is_active:
        raise InvalidInput("assignee_id", f"user {user.username} is not active")
    if not user.role.at_least(Role.TECHNICIAN):
        raise InvalidInput("assignee_id", f"user {user.username} is a {user.role.value}; assign a technician or higher")
    return user


async def username(session: AsyncSession, user_id: int | None) -> str | None:
    """A user's name, None for no user."""
    if user_id is None:
        return None
    name: str | None = await session.scalar(select(User.username).where(User.id == user_id))
    return name


async def ticket_ids_for_faults(session: AsyncSession, fault_ids: Sequence[int]) -> dict[int, int]:
    """The ticket of each fault that has one."""
    found: dict[int, int] = {}
    for chunk in chunks(fault_ids):
        query = select(TicketFault.fault_id, TicketFault.ticket_id).where(TicketFault.fault_id.in_(chunk))
        found.update({fault_id: ticket_id for fault_id, ticket_id in await session.execute(query)})
    return found


async def history(session: AsyncSession, ticket_id: int) -> Sequence[TicketEvent]:
    """A ticket's history, oldest first."""
    rows = await session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id))
    return rows.all()
