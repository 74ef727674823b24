"""The repair workflow: assigning, moving along the statuses, comments, parts and costs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.alerts.models import AlertEvent
from fleet.audit.service import Actor, record
from fleet.errors import Conflict, InvalidInput, InvalidTransition
from fleet.language import say
from fleet.tickets import rules
from fleet.tickets.announce import announce
from fleet.tickets.history import add_event, assignable_user, get_or_raise, username
from fleet.tickets.models import RepairTicket, TicketEvent, TicketEventKind, TicketStatus
from fleet.tickets.schemas import TicketPatch
from fleet.users.models import User


def _start_sla(ticket: RepairTicket, at: datetime, settings: Settings) -> None:
    due = rules.due_times(ticket.priority, at, settings.tickets)
    ticket.sla_started_at, ticket.response_due_at, ticket.resolution_due_at = at, due.response, due.resolution
    ticket.response_breached_at = ticket.resolution_breached_at = None


def _check_move(ticket: RepairTicket, wanted: TicketStatus) -> None:
    if wanted is not ticket.status and not rules.can_move(ticket.status, wanted):
        raise InvalidTransition(ticket.status.value, wanted.value, [s.value for s in rules.allowed_next(ticket.status)])


async def move(
    session: AsyncSession,
    ticket: RepairTicket,
    wanted: TicketStatus,
    *,
    actor: Actor,
    now: datetime,
    settings: Settings,
    note: str | None = None,
) -> None:
    """Move the ticket to ``wanted`` with its side effects: reopening, SLA restart, history and audit."""
    current = ticket.status
    if wanted is current:
        return
    _check_move(ticket, wanted)
    if wanted in rules.NEEDS_ASSIGNEE and ticket.assignee_id is None:
        raise InvalidInput("assignee_id", f"a ticket that is {wanted.value} needs an assignee")
    reopening = rules.is_reopening(current, wanted)
    ticket.status = wanted
    if wanted is TicketStatus.NEW:
        ticket.assignee_id = None
    if reopening:
        ticket.reopened_count += 1
        ticket.resolved_at = ticket.closed_at = None
        ticket.responded_at = None if wanted is TicketStatus.NEW else now
        _start_sla(ticket, now, settings)
    elif current is TicketStatus.NEW and ticket.responded_at is None:
        ticket.responded_at = now
    if wanted is TicketStatus.RESOLVED:
        ticket.resolved_at = now
    elif wanted is TicketStatus.CLOSED:
        ticket.closed_at = now
    kind = TicketEventKind.REOPENED if reopening else TicketEventKind.STATUS
    add_event(session, ticket, kind, actor=actor, at=now, from_value=current.value, to_value=wanted.value, text=note)
    await record(
        session,
        actor=actor,
        action="ticket.reopen" if reopening else "ticket.status",
        target_type="ticket",
        target_id=ticket.id,
        before={"status": current},
        after={"status": wanted},
    )


async def _set_assignee(
    session: AsyncSession, ticket: RepairTicket, user: User, *, actor: Actor, now: datetime, settings: Settings
) -> None:
    if ticket.assignee_id == user.id:
        return
    before = await username(session, ticket.assignee_id)
    ticket.assignee_id = user.id
    add_event(session, ticket, TicketEventKind.ASSIGNED, actor=actor, at=now, from_value=before, to_value=user.username)
    await record(
        session,
        actor=actor,
        action="ticket.assign",
        target_type="ticket",
        target_id=ticket.id,
        before={"assignee": before},
        after={"assignee": user.username},
    )
    await announce(
        session,
        ticket,
        AlertEvent.TICKET_ASSIGNED,
        say(
            "Ticket #{id} assigned to {user}: {title}",
            settings.alerts.language,
            id=ticket.id,
            user=user.display_name or user.username,
            title=ticket.title,
        ),
        now=now,
        settings=settings,
    )


async def assign(
    session: AsyncSession, *, actor: Actor, ticket_id: int, assignee_id: int, now: datetime, settings: Settings
) -> RepairTicket:
    """Give the ticket to an active technician (or higher); a new ticket becomes ``assigned``."""
    ticket = await get_or_raise(session, ticket_id)
    user = await assignable_user(session, assignee_id)
    if ticket.status in rules.DONE:
        raise Conflict(f"ticket {ticket_id} is {ticket.status.value}; reopen it before assigning it")
    await _set_assignee(session, ticket, user, actor=actor, now=now, settings=settings)
    if ticket.status is TicketStatus.NEW:
        await move(session, ticket, TicketStatus.ASSIGNED, actor=actor, now=now, settings=settings)
    await session.flush()
    return ticket


async def transition(
    session: AsyncSession,
    *,
    actor: Actor,
    ticket_id: int,
    to: TicketStatus,
    now: datetime,
    settings: Settings,
    note: str | None = None,
) -> RepairTicket:
    """Move the ticket along the workflow; InvalidTransition (with the allowed next states) otherwise."""
    ticket = await get_or_raise(session, ticket_id)
    await move(session, ticket, to, actor=actor, now=now, settings=settings, note=note)
    await session.flush()
    return ticket


async def update(
    session: AsyncSession, *, actor: Actor, ticket_id: int, data: TicketPatch, now: datetime, settings: Settings
) -> RepairTicket:
    """Apply a partial change: priority, assignee, status (a reopening may name the assignee at once)."""
    ticket = await get_or_raise(session, ticket_id)
    if data.status is not None:
        _check_move(ticket, data.status)
    user = await assignable_user(session, data.assignee_id) if data.assignee_id is not None else None
    if data.priority is not None and data.priority is not ticket.priority:
        before = ticket.priority
        ticket.priority = data.priority
        add_event(
            session,
            ticket,
            TicketEventKind.PRIORITY,
            actor=actor,
            at=now,
            from_value=before.value,
            to_value=data.priority.value,
            text=data.note,
        )
        # New targets, counted from when the SLA clock started; a breach already reported stays reported.
        due = rules.due_times(ticket.priority, ticket.sla_started_at, settings.tickets)
        ticket.response_due_at, ticket.resolution_due_at = due.response, due.resolution
    if user is not None:
        reopening = data.status is not None and rules.is_reopening(ticket.status, data.status)
        if ticket.status in rules.DONE and not reopening:
            raise Conflict(f"ticket {ticket_id} is {ticket.status.value}; reopen it before assigning it")
        await _set_assignee(session, ticket, user, actor=actor, now=now, settings=settings)
    if data.status is not None:
        await move(session, ticket, data.status, actor=actor, now=now, settings=settings, note=data.note)
    elif user is not None and ticket.status is TicketStatus.NEW:
        await move(session, ticket, TicketStatus.ASSIGNED, actor=actor, now=now, settings=settings)
    await session.flush()
    return ticket


async def resolve(
    session: AsyncSession, *, actor: Actor, ticket_id: int, now: datetime, settings: Settings, note: str | None = None
) -> RepairTicket:
    """Mark the repair done."""
    return await transition(
        session, actor=actor, ticket_id=ticket_id, to=TicketStatus.RESOLVED, now=now, settings=settings, note=note
    )


async def close(
    session: AsyncSession, *, actor: Actor, ticket_id: int, now: datetime, settings: Settings, note: str | None = None
) -> RepairTicket:
    """Close a resolved ticket."""
    return await transition(
        session, actor=actor, ticket_id=ticket_id, to=TicketStatus.CLOSED, now=now, settings=settings, note=note
    )


async def comment(session: AsyncSession, *, actor: Actor, ticket_id: int, text: str, now: datetime) -> TicketEvent:
    """Add a comment or work-log entry."""
    ticket = await get_or_raise(session, ticket_id)
    event = add_event(session, ticket, TicketEventKind.COMMENT, actor=actor, at=now, text=text)
    await session.flush()
    return event


# cost_cents is an INTEGER column (32-bit on PostgreSQL): a total beyond it, over €21 million on one ticket, is
# a typing error, refused like any other bad input.
MAX_COST_CENTS = 2**31 - 1


def _add_to_cost(ticket: RepairTicket, cents: int, field: str) -> None:
    """Add cents to the ticket's cost; InvalidInput (on field) when the total would leave 0..MAX_COST_CENTS."""
    total = ticket.cost_cents + cents
    if total < 0:
        raise InvalidInput(field, f"would make the ticket's cost negative (now {ticket.cost_cents} cents)")
    if total > MAX_COST_CENTS:
        raise InvalidInput(field, f"would make the ticket's cost over {MAX_COST_CENTS} cents")
    ticket.cost_cents = total


async def add_part(
    session: AsyncSession,
    *,
    actor: Actor,
    ticket_id: int,
    name: str,
    quantity: int,
    unit_cost_cents: int,
    now: datetime,
) -> TicketEvent:
    """Record a part used; its cost is added to the ticket's."""
    ticket = await get_or_raise(session, ticket_id)
    total = quantity * unit_cost_cents
    _add_to_cost(ticket, total, "unit_cost_cents")
    event = add_event(
        session,
        ticket,
        TicketEventKind.PART,
        actor=actor,
        at=now,
        text=name,
        data={"name": name, "quantity": quantity, "unit_cost_cents": unit_cost_cents, "cost_cents": total},
    )
    await session.flush()
    return event


async def add_cost(
    session: AsyncSession, *, actor: Actor, ticket_id: int, amount_cents: int, text: str, now: datetime
) -> TicketEvent:
    """Record work or another cost (negative to correct an earlier entry; entries are never edited)."""
    ticket = await get_or_raise(session, ticket_id)
    if amount_cents == 0:
        raise InvalidInput("amount_cents", "must not be zero")
    _add_to_cost(ticket, amount_cents, "amount_cents")
    event = add_event(
        session, ticket, TicketEventKind.COST, actor=actor, at=now, text=text, data={"amount_cents": amount_cents}
    )
    await record(
        session,
        actor=actor,
        action="ticket.cost",
        target_type="ticket",
        target_id=ticket.id,
        after={"amount_cents": amount_cents, "cost_cents": ticket.cost_cents},
    )
    await session.flush()
    return event
