"""Tickets created by hand, and by policy for the faults that open in the fault transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera
from fleet.errors import Conflict, InvalidInput
from fleet.faults.causes import awaiting_cause
from fleet.faults.models import Fault
from fleet.faults.service import FaultChanges
from fleet.maintenance.service import cameras_in_maintenance
from fleet.tickets import rules
from fleet.tickets.causes import fold, name_explained
from fleet.tickets.history import add_event, assignable_user
from fleet.tickets.models import Priority, RepairTicket, TicketEventKind, TicketFault, TicketStatus
from fleet.tickets.schemas import TicketIn
from fleet.tickets.workflow import assign, move

POLICY = Actor.system("tickets")


async def _link(session: AsyncSession, ticket: RepairTicket, fault: Fault, *, actor: Actor, now: datetime) -> None:
    owner = await session.get(TicketFault, fault.id)
    if owner is not None:
        raise Conflict(f"fault {fault.id} already belongs to ticket {owner.ticket_id}")
    session.add(TicketFault(fault_id=fault.id, ticket_id=ticket.id, linked_at=now))
    add_event(
        session,
        ticket,
        TicketEventKind.LINKED,
        actor=actor,
        at=now,
        to_value=str(fault.id),
        text=fault.summary,
        data={"fault_id": fault.id, "kind": fault.kind.value},
    )
    await name_explained(session, ticket, fault, actor=actor, now=now)
    await session.flush()


async def _new_ticket(
    session: AsyncSession,
    *,
    actor: Actor,
    camera_id: int | None,
    title: str,
    priority: Priority,
    now: datetime,
    settings: Settings,
    description: str | None = None,
) -> RepairTicket:
    due = rules.due_times(priority, now, settings.tickets)
    ticket = RepairTicket(
        camera_id=camera_id,
        status=TicketStatus.NEW,
        priority=priority,
        title=title[:200],
        description=description,
        sla_started_at=now,
        response_due_at=due.response,
        resolution_due_at=due.resolution,
        cost_cents=0,
        reopened_count=0,
        created_at=now,
        created_by=actor.name,
    )
    session.add(ticket)
    await session.flush()
    add_event(session, ticket, TicketEventKind.CREATED, actor=actor, at=now, to_value=priority.value, text=title)
    await record(
        session,
        actor=actor,
        action="ticket.create",
        target_type="ticket",
        target_id=ticket.id,
        after={"camera_id": camera_id, "priority": priority, "title": title},
    )
    return ticket


async def create(
    session: AsyncSession, *, actor: Actor, data: TicketIn, now: datetime, settings: Settings
) -> RepairTicket:
    """A ticket made by hand for a camera, optionally covering some of its faults and given to someone."""
    if await session.get(Camera, data.camera_id) is None:
        raise InvalidInput("camera_id", f"no camera {data.camera_id}")
    faults = []
    for fault_id in dict.fromkeys(data.fault_ids):
        fault = await session.get(Fault, fault_id)
        if fault is None:
            raise InvalidInput("fault_ids", f"no fault {fault_id}")
        if fault.camera_id != data.camera_id:
            raise InvalidInput("fault_ids", f"fault {fault_id} is not a fault of camera {data.camera_id}")
        faults.append(fault)
    user = await assignable_user(session, data.assignee_id) if data.assignee_id is not None else None
    ticket = await _new_ticket(
        session,
        actor=actor,
        camera_id=data.camera_id,
        title=data.title,
        priority=data.priority or Priority(settings.tickets.default_priority),
        description=data.description,
        now=now,
        settings=settings,
    )
    for fault in faults:
        await _link(session, ticket, fault, actor=actor, now=now)
    if user is not None:
        await assign(session, actor=actor, ticket_id=ticket.id, assignee_id=user.id, now=now, settings=settings)
    return ticket


async def _previous_ticket(session: AsyncSession, fault: Fault) -> RepairTicket | None:
    """The newest ticket that covered the same fault (camera or group scope, and kind) before."""
    same_place = Fault.camera_id == fault.camera_id if fault.camera_id is not None else Fault.scope == fault.scope
    ticket: RepairTicket | None = await session.scalar(
        select(RepairTicket)
        .join(TicketFault, TicketFault.ticket_id == RepairTicket.id)
        .join(Fault, Fault.id == TicketFault.fault_id)
        .where(same_place, Fault.kind == fault.kind, Fault.id != fault.id)
        .order_by(RepairTicket.id.desc())
        .limit(1)
    )
    return ticket


async def ticket_for_fault(
    session: AsyncSession, fault: Fault, *, now: datetime, settings: Settings
) -> RepairTicket | None:
    """Apply the policy to one fault: link it to the open ticket of the same fault, reopen a recent one, or create one.

    None when the policy wants no ticket for it, or it has one already.
    """
    priority = rules.policy_priority(fault.kind, fault.severity, settings.tickets)
    if priority is None or await session.get(TicketFault, fault.id) is not None:
        return None
    ticket = await _previous_ticket(session, fault)
    if ticket is not None and ticket.status in rules.OPEN:
        await _link(session, ticket, fault, actor=POLICY, now=now)
        return ticket
    if (
        ticket is not None
        and ticket.resolved_at is not None
        and now - ticket.resolved_at <= settings.tickets.reopen_within
    ):
        await move(
            session,
            ticket,
            rules.reopen_status(ticket.assignee_id is not None),
            actor=POLICY,
            now=now,
            settings=settings,
            note=f"the same fault came back: {fault.summary}",
        )
        await _link(session, ticket, fault, actor=POLICY, now=now)
        return ticket
    ticket = await _new_ticket(
        session,
        actor=POLICY,
        camera_id=fault.camera_id,
        title=fault.summary,
        priority=priority,
        now=now,
        settings=settings,
    )
    await _link(session, ticket, fault, actor=POLICY, now=now)
    return ticket


async def on_fault_changes(
    session: AsyncSession, changes: FaultChanges, *, now: datetime, settings: Settings
) -> list[RepairTicket]:
    """Tickets for faults that opened in this transaction, by policy; faults now explained by a cause are folded
    into its ticket.

    A fault explained by a cause (a group fault, a dead switch) gets none of its own (the cause may); a camera in
    maintenance is held back until its window ends, and a fault whose cause in the network may yet show until its
    alert's grouping window has passed (the sweep creates the ticket then, if the fault is still open and
    unexplained).
    """
    faults = [f for f in changes.opened if f.suppressed_by_id is None]
    ids = sorted({f.camera_id for f in faults if f.camera_id is not None})
    held = await cameras_in_maintenance(session, now, ids) if ids else set()
    waiting = await awaiting_cause(session, faults, now=now, window=settings.alerts.group_window)
    tickets = []
    for fault in faults:
        if fault.camera_id in held or fault.id in waiting:
            continue
        ticket = await ticket_for_fault(session, fault, now=now, settings=settings)
        if ticket is not None:
            tickets.append(ticket)
    if changes.suppressed:
        await fold(session, changes.suppressed, actor=POLICY, now=now, settings=settings)
    return tickets
