"""Tickets when faults turn out to have a cause: the cause's ticket names them, their own unworked tickets fold."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.audit.service import Actor
from fleet.cameras.models import Camera
from fleet.db import chunks
from fleet.faults.models import Fault
from fleet.tickets.history import add_event, ticket_ids_for_faults
from fleet.tickets.models import RepairTicket, TicketEvent, TicketEventKind, TicketFault, TicketStatus
from fleet.tickets.workflow import move

# A ticket with nothing but these in its history has not been worked on: nobody took it, said or spent anything.
UNWORKED = frozenset(
    {TicketEventKind.CREATED, TicketEventKind.LINKED, TicketEventKind.SLA_BREACHED, TicketEventKind.EXPLAINS}
)


async def _unworked(session: AsyncSession, tickets: Iterable[RepairTicket]) -> set[int]:
    """Of these tickets, those nobody has worked on whose every fault is explained by a cause or over."""
    candidates = {t.id for t in tickets if t.status is TicketStatus.NEW and t.assignee_id is None}
    worked: set[int] = set()
    for chunk in chunks(candidates):
        events = select(TicketEvent.ticket_id).where(
            TicketEvent.ticket_id.in_(chunk), TicketEvent.kind.not_in(UNWORKED)
        )
        worked.update(await session.scalars(events.distinct()))
        unexplained = (
            select(TicketFault.ticket_id)
            .join(Fault, Fault.id == TicketFault.fault_id)
            .where(TicketFault.ticket_id.in_(chunk), Fault.closed_at.is_(None), Fault.suppressed_by_id.is_(None))
        )
        worked.update(await session.scalars(unexplained.distinct()))
    return candidates - worked


async def _named(session: AsyncSession, ticket_ids: Iterable[int]) -> dict[int, set[int]]:
    """The faults each of these tickets' history already names as explained by its fault."""
    found: dict[int, set[int]] = defaultdict(set)
    for chunk in chunks(ticket_ids):
        query = select(TicketEvent.ticket_id, TicketEvent.data).where(
            TicketEvent.ticket_id.in_(chunk), TicketEvent.kind == TicketEventKind.EXPLAINS
        )
        for ticket_id, data in await session.execute(query):
            found[ticket_id].update(data.get("fault_ids", []))
    return found


def _name(
    session: AsyncSession, ticket: RepairTicket, devices: list[str], faults: list[int], *, actor: Actor, now: datetime
) -> TicketEvent:
    """The history event naming the devices whose faults the ticket's fault explains."""
    return add_event(
        session,
        ticket,
        TicketEventKind.EXPLAINS,
        actor=actor,
        at=now,
        text=", ".join(devices),
        data={"devices": devices, "fault_ids": faults},
    )


async def name_explained(
    session: AsyncSession, links: Sequence[tuple[RepairTicket, Fault]], *, actor: Actor, now: datetime
) -> list[TicketEvent]:
    """Tickets just linked to faults that explain others (a dead switch): each one's history names their devices
    (one query for them all; the events are written with the next flush)."""
    causes = {fault.id: ticket for ticket, fault in links}
    if not causes:
        return []
    # A device's own faults that follow from its cause (a port's link from its power) are not "other devices".
    own = {fault.id: fault.camera_id for _ticket, fault in links}
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    query = (
        select(Fault.id, Fault.suppressed_by_id, Fault.camera_id, Camera.name)
        .join(Camera, Camera.id == Fault.camera_id)
        .where(Fault.suppressed_by_id.in_(sorted(causes)))
        .order_by(Fault.id)
    )
    with session.no_autoflush:  # the caller numbers what it added before it is written (fleet.db.number_new_rows)
        for fault_id, cause_id, camera_id, name in await session.execute(query):
            if cause_id is not None and camera_id != own[cause_id]:
                found[cause_id].append((fault_id, name))
    return [
        _name(session, causes[cause_id], sorted({n for _i, n in named}), [i for i, _n in named], actor=actor, now=now)
        for cause_id, named in sorted(found.items())
    ]


async def fold(
    session: AsyncSession, explained: Sequence[Fault], *, actor: Actor, now: datetime, settings: Settings
) -> None:
    """Faults now explained by a cause (``suppressed_by_id``): the cause's ticket names their devices, and each
    one's own ticket that nobody has worked on yet is resolved into it (a worked one is left to its technician)."""
    by_cause: dict[int, list[Fault]] = defaultdict(list)
    for fault in explained:
        if fault.suppressed_by_id is not None:
            by_cause[fault.suppressed_by_id].append(fault)
    # One query for each kind of row, for them all: a group outage may explain thousands of faults at once.
    names = {
        i: n
        for chunk in chunks(f.camera_id for f in explained if f.camera_id is not None)
        for i, n in await session.execute(select(Camera.id, Camera.name).where(Camera.id.in_(chunk)))
    }
    causes = {
        f.id: f for chunk in chunks(by_cause) for f in await session.scalars(select(Fault).where(Fault.id.in_(chunk)))
    }
    owners = await ticket_ids_for_faults(session, sorted({f.id for f in explained} | set(causes)))
    tickets = {
        t.id: t
        for chunk in chunks(owners.values())
        for t in await session.scalars(select(RepairTicket).where(RepairTicket.id.in_(chunk)))
    }
    named = await _named(session, (owners[i] for i in causes if i in owners))
    unworked = await _unworked(session, tickets.values())
    for cause_id, faults in sorted(by_cause.items()):
        cause = causes.get(cause_id)
        if cause is None:
            continue
        cause_ticket = tickets.get(owners[cause_id]) if cause_id in owners else None
        if cause_ticket is not None:
            # Named once each: a ticket linked just now named what its fault explained then.
            new = [f for f in faults if f.id not in named[cause_ticket.id] and f.camera_id != cause.camera_id]
            devices = sorted({names[f.camera_id] for f in new if f.camera_id in names})
            if new:
                _name(session, cause_ticket, devices, sorted(f.id for f in new), actor=actor, now=now)
        note = f"caused by fault #{cause.id}, {cause.summary}" + (
            f"; followed in ticket #{cause_ticket.id}" if cause_ticket else ""
        )
        own = {owners[f.id] for f in faults if f.id in owners} - {cause_ticket.id if cause_ticket else None}
        for ticket_id in sorted(i for i in own if i is not None):
            ticket = tickets.get(ticket_id)
            # Checked again here: a ticket resolved for an earlier cause is not resolved twice.
            if ticket is not None and ticket_id in unworked and ticket.status is TicketStatus.NEW:
                await move(session, ticket, TicketStatus.RESOLVED, actor=actor, now=now, settings=settings, note=note)
    await session.flush()
