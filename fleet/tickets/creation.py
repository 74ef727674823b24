"""Tickets created by hand, and by policy for the faults that open in the fault transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.audit.models import AuditEntry
from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera
from fleet.db import number_new_rows
from fleet.errors import Conflict, InvalidInput
from fleet.faults.causes import awaiting_cause
from fleet.faults.models import Fault, FaultKind
from fleet.faults.service import FaultChanges
from fleet.maintenance.service import cameras_in_maintenance
from fleet.tickets import rules
from fleet.tickets.causes import fold, name_explained
from fleet.tickets.history import add_event, assignable_user, ticket_ids_for_faults
from fleet.tickets.models import Priority, RepairTicket, TicketEvent, TicketEventKind, TicketFault, TicketStatus
from fleet.tickets.schemas import TicketIn
from fleet.tickets.workflow import assign, move

POLICY = Actor.system("tickets")


def _add_link(session: AsyncSession, ticket: RepairTicket, fault: Fault, *, actor: Actor, now: datetime) -> TicketEvent:
    """Link a fault that belongs to no ticket yet, with the event saying so (written with the next flush)."""
    session.add(TicketFault(fault_id=fault.id, ticket_id=ticket.id, linked_at=now))
    return add_event(
        session,
        ticket,
        TicketEventKind.LINKED,
        actor=actor,
        at=now,
        to_value=str(fault.id),
        text=fault.summary,
        data={"fault_id": fault.id, "kind": fault.kind.value},
    )


def _new_ticket(
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
    """A new ticket, written with `_write_new`."""
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
    return ticket


async def _write_new(
    session: AsyncSession, tickets: Sequence[RepairTicket], *, actor: Actor, now: datetime
) -> list[TicketEvent | AuditEntry]:
    """Write new tickets (one statement for them all); their created events and audit entries follow with the next
    flush (returned, for numbering)."""
    await number_new_rows(session, tickets)
    await session.flush()
    added: list[TicketEvent | AuditEntry] = []
    for ticket in tickets:
        title, priority = ticket.title, ticket.priority
        added.append(
            add_event(
                session, ticket, TicketEventKind.CREATED, actor=actor, at=now, to_value=priority.value, text=title
            )
        )
        added.append(
            await record(
                session,
                actor=actor,
                action="ticket.create",
                target_type="ticket",
                target_id=ticket.id,
                after={"camera_id": ticket.camera_id, "priority": priority, "title": title},
            )
        )
    return added


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
    owners = await ticket_ids_for_faults(session, [f.id for f in faults])
    for fault in faults:
        if fault.id in owners:
            raise Conflict(f"fault {fault.id} already belongs to ticket {owners[fault.id]}")
    ticket = _new_ticket(
        session,
        actor=actor,
        camera_id=data.camera_id,
        title=data.title,
        priority=data.priority or Priority(settings.tickets.default_priority),
        description=data.description,
        now=now,
        settings=settings,
    )
    await _write_new(session, [ticket], actor=actor, now=now)
    for fault in faults:
        _add_link(session, ticket, fault, actor=actor, now=now)
    await session.flush()
    if user is not None:
        await assign(session, actor=actor, ticket_id=ticket.id, assignee_id=user.id, now=now, settings=settings)
    return ticket


async def _previous_tickets(session: AsyncSession, faults: Sequence[Fault]) -> dict[int, RepairTicket]:
    """For each fault (none of them linked yet), the newest ticket that covered the same fault before: same camera, or
    same group scope, and kind. One query for the newest ids, one for the tickets."""
    cameras = {f.camera_id for f in faults if f.camera_id is not None}
    scopes = {f.scope for f in faults if f.camera_id is None and f.scope is not None}
    places = []
    if cameras:
        places.append(Fault.camera_id.in_(sorted(cameras)))
    if scopes:
        places.append(Fault.scope.in_(sorted(scopes)))
    if not places:
        return {}
    newest: dict[tuple[str, object, FaultKind], int] = {}
    rows = await session.execute(
        select(Fault.camera_id, Fault.scope, Fault.kind, func.max(TicketFault.ticket_id))
        .join(TicketFault, TicketFault.fault_id == Fault.id)
        .where(Fault.kind.in_(sorted({f.kind for f in faults})), or_(*places))
        .group_by(Fault.camera_id, Fault.scope, Fault.kind)
    )
    for camera_id, scope, kind, ticket_id in rows:
        for key in (("camera", camera_id, kind), ("scope", scope, kind)):
            if key[1] is not None:
                newest[key] = max(newest.get(key, 0), ticket_id)
    wanted = {f.id: newest.get(_place(f)) for f in faults}
    ids = sorted({i for i in wanted.values() if i is not None})
    tickets = (
        {t.id: t for t in await session.scalars(select(RepairTicket).where(RepairTicket.id.in_(ids)))} if ids else {}
    )
    return {fault_id: tickets[ticket_id] for fault_id, ticket_id in wanted.items() if ticket_id is not None}


def _place(fault: Fault) -> tuple[str, object, FaultKind]:
    """Where a fault is, as far as tickets go: its camera, or its group scope for a group fault."""
    return (
        ("camera", fault.camera_id, fault.kind) if fault.camera_id is not None else ("scope", fault.scope, fault.kind)
    )


async def tickets_for_faults(
    session: AsyncSession, faults: Sequence[Fault], *, now: datetime, settings: Settings
) -> list[RepairTicket]:
    """Apply the policy to faults: link each to the open ticket of the same fault, reopen a recent one, or create one.

    Faults the policy wants no ticket for, or that have one already, are passed over. A few statements for the lot,
    however many faults: the tickets, their history, links and audit entries are each written in one flush."""
    priorities = {f.id: p for f in faults if (p := rules.policy_priority(f.kind, f.severity, settings.tickets))}
    linked = await ticket_ids_for_faults(session, sorted(priorities))
    todo = [f for f in faults if f.id in priorities and f.id not in linked]
    previous = await _previous_tickets(session, todo)
    links: list[tuple[RepairTicket, Fault]] = []
    created: list[RepairTicket] = []
    for fault in todo:
        ticket = previous.get(fault.id)
        if ticket is None or (ticket.status not in rules.OPEN and not _recently_resolved(ticket, now, settings)):
            ticket = _new_ticket(
                session, camera_id=fault.camera_id, title=fault.summary, priority=priorities[fault.id], now=now,
                settings=settings, actor=POLICY,
            )  # fmt: skip
            created.append(ticket)
        elif ticket.status not in rules.OPEN:
            await move(
                session,
                ticket,
                rules.reopen_status(ticket.assignee_id is not None),
                actor=POLICY,
                now=now,
                settings=settings,
                note=f"the same fault came back: {fault.summary}",
            )
        links.append((ticket, fault))
    added = await _write_new(session, created, actor=POLICY, now=now)
    added += [_add_link(session, ticket, fault, actor=POLICY, now=now) for ticket, fault in links]
    added += await name_explained(session, links, actor=POLICY, now=now)
    await number_new_rows(session, added)
    await session.flush()
    return [ticket for ticket, _ in links]


def _recently_resolved(ticket: RepairTicket, now: datetime, settings: Settings) -> bool:
    return ticket.resolved_at is not None and now - ticket.resolved_at <= settings.tickets.reopen_within


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
    wanted = [f for f in faults if f.camera_id not in held and f.id not in waiting]
    tickets = await tickets_for_faults(session, wanted, now=now, settings=settings)
    if changes.suppressed:
        await fold(session, changes.suppressed, actor=POLICY, now=now, settings=settings)
    return tickets
