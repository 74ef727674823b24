"""Tickets when faults turn out to have a cause: the cause's ticket names them, their own unworked tickets fold."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.audit.service import Actor
from fleet.cameras.models import Camera
from fleet.faults.models import Fault
from fleet.tickets.history import add_event, ticket_ids_for_faults
from fleet.tickets.models import RepairTicket, TicketEvent, TicketEventKind, TicketFault, TicketStatus
from fleet.tickets.workflow import move

# A ticket with nothing but these in its history has not been worked on: nobody took it, said or spent anything.
UNWORKED = frozenset(
    {TicketEventKind.CREATED, TicketEventKind.LINKED, TicketEventKind.SLA_BREACHED, TicketEventKind.EXPLAINS}
)


async def ticket_of(session: AsyncSession, fault_id: int) -> RepairTicket | None:
    """The ticket covering a fault, if any."""
    ticket: RepairTicket | None = await session.scalar(
        select(RepairTicket)
        .join(TicketFault, TicketFault.ticket_id == RepairTicket.id)
        .where(TicketFault.fault_id == fault_id)
    )
    return ticket


async def _unworked(session: AsyncSession, ticket: RepairTicket) -> bool:
    """Whether nobody has worked on the ticket, and every fault it covers is explained by a cause or over."""
    if ticket.status is not TicketStatus.NEW or ticket.assignee_id is not None:
        return False
    kinds = set(await session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)))
    if not kinds <= UNWORKED:
        return False
    unexplained = await session.scalar(
        select(Fault.id)
        .join(TicketFault, TicketFault.fault_id == Fault.id)
        .where(TicketFault.ticket_id == ticket.id, Fault.closed_at.is_(None), Fault.suppressed_by_id.is_(None))
        .limit(1)
    )
    return unexplained is None


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
    ids = sorted({f.camera_id for f in explained if f.camera_id is not None})
    names = {i: n for i, n in await session.execute(select(Camera.id, Camera.name).where(Camera.id.in_(ids)))}
    # One query for the tickets of them all: a group outage may explain thousands of faults at once.
    owners = await ticket_ids_for_faults(session, sorted(f.id for f in explained))
    for cause_id, faults in sorted(by_cause.items()):
        cause = await session.get(Fault, cause_id)
        if cause is None:
            continue
        cause_ticket = await ticket_of(session, cause_id)
        if cause_ticket is not None:
            # Named once each: a ticket linked just now named what its fault explained then.
            named = {
                i
                for data in await session.scalars(
                    select(TicketEvent.data).where(
                        TicketEvent.ticket_id == cause_ticket.id, TicketEvent.kind == TicketEventKind.EXPLAINS
                    )
                )
                for i in data.get("fault_ids", [])
            }
            new = [f for f in faults if f.id not in named and f.camera_id != cause.camera_id]
            devices = sorted({names[f.camera_id] for f in new if f.camera_id in names})
            if new:
                _name(session, cause_ticket, devices, sorted(f.id for f in new), actor=actor, now=now)
        note = f"caused by fault #{cause.id}, {cause.summary}" + (
            f"; followed in ticket #{cause_ticket.id}" if cause_ticket else ""
        )
        own = {owners[f.id] for f in faults if f.id in owners} - {cause_ticket.id if cause_ticket else None}
        for ticket_id in sorted(i for i in own if i is not None):
            ticket = await session.get(RepairTicket, ticket_id)
            if ticket is not None and await _unworked(session, ticket):
                await move(session, ticket, TicketStatus.RESOLVED, actor=actor, now=now, settings=settings, note=note)
    await session.flush()
