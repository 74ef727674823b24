"""Repair tickets: by hand and by policy in the fault transaction, the workflow, history, SLA sweep."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from fleet.alerts import rules as alert_rules
from fleet.alerts import service as alerts
from fleet.alerts.models import Alert, AlertEvent
from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera
from fleet.errors import Conflict, InvalidInput, InvalidTransition, NotFound
from fleet.faults.models import Fault
from fleet.faults.service import FaultChanges
from fleet.language import N_, say
from fleet.maintenance.service import cameras_in_maintenance
from fleet.tickets import rules
from fleet.tickets.models import (
    Priority,
    RepairTicket,
    SlaTarget,
    TicketEvent,
    TicketEventKind,
    TicketFault,
    TicketStatus,
)
from fleet.tickets.schemas import TicketDetail, TicketEventOut, TicketIn, TicketOut, TicketPatch
from fleet.users.models import Role, User

POLICY = Actor.system("tickets")
# What an SLA alert says, by the target missed.
MISSED: dict[SlaTarget, str] = {
    SlaTarget.RESPONSE: N_("Ticket #{id}: response target missed (due {due}): {title}"),
    SlaTarget.RESOLUTION: N_("Ticket #{id}: resolution target missed (due {due}): {title}"),
}


# --- History and lookups. ------------------------------------------------------------------------------------


def _event(
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


async def _assignable(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise InvalidInput("assignee_id", f"no user {user_id}")
    if not user.is_active:
        raise InvalidInput("assignee_id", f"user {user.username} is not active")
    if not user.role.at_least(Role.TECHNICIAN):
        raise InvalidInput("assignee_id", f"user {user.username} is a {user.role.value}; assign a technician or higher")
    return user


async def _username(session: AsyncSession, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    name: str | None = await session.scalar(select(User.username).where(User.id == user_id))
    return name


async def ticket_ids_for_faults(session: AsyncSession, fault_ids: Sequence[int]) -> dict[int, int]:
    """The ticket of each fault that has one."""
    if not fault_ids:
        return {}
    rows = await session.execute(
        select(TicketFault.fault_id, TicketFault.ticket_id).where(TicketFault.fault_id.in_(fault_ids))
    )
    return {fault_id: ticket_id for fault_id, ticket_id in rows}


# --- Alerts about tickets. -----------------------------------------------------------------------------------


async def _notify(
    session: AsyncSession, ticket: RepairTicket, event: AlertEvent, subject: str, *, now: datetime, settings: Settings
) -> list[Alert]:
    # The first linked fault lets channels that route by fault kind receive the ticket's alerts too.
    fault = await session.scalar(
        select(Fault).join(TicketFault, TicketFault.fault_id == Fault.id).where(TicketFault.ticket_id == ticket.id)
    )
    camera = await session.get(Camera, ticket.camera_id) if ticket.camera_id is not None else None
    language = settings.alerts.language
    lines = [
        subject,
        say(
            "Ticket #{id} (priority {priority}): {title}",
            language,
            id=ticket.id,
            priority=ticket.priority.value,
            title=ticket.title,
        ),
    ]
    if camera is not None:
        lines.append(f"{camera.name} ({camera.host})")
    lines.append(
        say(
            "Response due {response}; resolution due {resolution}",
            language,
            response=alert_rules.local_time(ticket.response_due_at),
            resolution=alert_rules.local_time(ticket.resolution_due_at),
        )
    )
    item = alerts.Subject(event, rules.SEVERITY_OF[ticket.priority], subject, "\n".join(lines), fault, camera)
    return await alerts.enqueue(session, [item], now=now, settings=settings)


# --- The workflow. -------------------------------------------------------------------------------------------


def _start_sla(ticket: RepairTicket, at: datetime, settings: Settings) -> None:
    due = rules.due_times(ticket.priority, at, settings.tickets)
    ticket.sla_started_at, ticket.response_due_at, ticket.resolution_due_at = at, due.response, due.resolution
    ticket.response_breached_at = ticket.resolution_breached_at = None


def _check_move(ticket: RepairTicket, wanted: TicketStatus) -> None:
    if wanted is not ticket.status and not rules.can_move(ticket.status, wanted):
        raise InvalidTransition(ticket.status.value, wanted.value, [s.value for s in rules.allowed_next(ticket.status)])


async def _move(
    session: AsyncSession,
    ticket: RepairTicket,
    wanted: TicketStatus,
    *,
    actor: Actor,
    now: datetime,
    settings: Settings,
    note: str | None = None,
) -> None:
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
    _event(session, ticket, kind, actor=actor, at=now, from_value=current.value, to_value=wanted.value, text=note)
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
    before = await _username(session, ticket.assignee_id)
    ticket.assignee_id = user.id
    _event(session, ticket, TicketEventKind.ASSIGNED, actor=actor, at=now, from_value=before, to_value=user.username)
    await record(
        session,
        actor=actor,
        action="ticket.assign",
        target_type="ticket",
        target_id=ticket.id,
        before={"assignee": before},
        after={"assignee": user.username},
    )
    await _notify(
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
    user = await _assignable(session, assignee_id)
    if ticket.status in rules.DONE:
        raise Conflict(f"ticket {ticket_id} is {ticket.status.value}; reopen it before assigning it")
    await _set_assignee(session, ticket, user, actor=actor, now=now, settings=settings)
    if ticket.status is TicketStatus.NEW:
        await _move(session, ticket, TicketStatus.ASSIGNED, actor=actor, now=now, settings=settings)
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
    await _move(session, ticket, to, actor=actor, now=now, settings=settings, note=note)
    await session.flush()
    return ticket


async def update(
    session: AsyncSession, *, actor: Actor, ticket_id: int, data: TicketPatch, now: datetime, settings: Settings
) -> RepairTicket:
    """Apply a partial change: priority, assignee, status (a reopening may name the assignee at once)."""
    ticket = await get_or_raise(session, ticket_id)
    if data.status is not None:
        _check_move(ticket, data.status)
    user = await _assignable(session, data.assignee_id) if data.assignee_id is not None else None
    if data.priority is not None and data.priority is not ticket.priority:
        before = ticket.priority
        ticket.priority = data.priority
        _event(
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
        await _move(session, ticket, data.status, actor=actor, now=now, settings=settings, note=data.note)
    elif user is not None and ticket.status is TicketStatus.NEW:
        await _move(session, ticket, TicketStatus.ASSIGNED, actor=actor, now=now, settings=settings)
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
    event = _event(session, ticket, TicketEventKind.COMMENT, actor=actor, at=now, text=text)
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
    event = _event(
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
    event = _event(
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


# --- Creating and linking. -----------------------------------------------------------------------------------


async def _link(session: AsyncSession, ticket: RepairTicket, fault: Fault, *, actor: Actor, now: datetime) -> None:
    owner = await session.get(TicketFault, fault.id)
    if owner is not None:
        raise Conflict(f"fault {fault.id} already belongs to ticket {owner.ticket_id}")
    session.add(TicketFault(fault_id=fault.id, ticket_id=ticket.id, linked_at=now))
    _event(
        session,
        ticket,
        TicketEventKind.LINKED,
        actor=actor,
        at=now,
        to_value=str(fault.id),
        text=fault.summary,
        data={"fault_id": fault.id, "kind": fault.kind.value},
    )
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
    _event(session, ticket, TicketEventKind.CREATED, actor=actor, at=now, to_value=priority.value, text=title)
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
    user = await _assignable(session, data.assignee_id) if data.assignee_id is not None else None
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


async def _ticket_for_fault(
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
        await _move(
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
    """Tickets for faults that opened in this transaction, by policy.

    A fault explained by a group fault gets none of its own (the group fault may); a camera in maintenance is
    held back until its window ends (the sweep creates the ticket then, if the fault is still open).
    """
    faults = [f for f in changes.opened if f.suppressed_by_id is None]
    ids = sorted({f.camera_id for f in faults if f.camera_id is not None})
    held = await cameras_in_maintenance(session, now, ids) if ids else set()
    tickets = []
    for fault in faults:
        if fault.camera_id in held:
            continue
        ticket = await _ticket_for_fault(session, fault, now=now, settings=settings)
        if ticket is not None:
            tickets.append(ticket)
    return tickets


# --- The sweep: held-back faults and SLA breaches. -----------------------------------------------------------


@dataclass
class SweepSummary:
    tickets: list[RepairTicket] = field(default_factory=list)
    breaches: list[tuple[int, SlaTarget]] = field(default_factory=list)


async def sweep(session: AsyncSession, *, now: datetime, settings: Settings) -> SweepSummary:
    """Create the tickets held back by maintenance (fault still open), and report missed SLA targets once."""
    summary = SweepSummary()
    waiting = (
        await session.scalars(
            select(Fault)
            .where(
                Fault.closed_at.is_(None),
                Fault.suppressed_by_id.is_(None),
                ~exists().where(TicketFault.fault_id == Fault.id),
            )
            .order_by(Fault.id)
        )
    ).all()
    wanted = [f for f in waiting if rules.policy_priority(f.kind, f.severity, settings.tickets) is not None]
    ids = sorted({f.camera_id for f in wanted if f.camera_id is not None})
    held = await cameras_in_maintenance(session, now, ids) if ids else set()
    for fault in wanted:
        if fault.camera_id in held:
            continue
        # The SLA clock starts now: time held back by maintenance is nobody's delay.
        ticket = await _ticket_for_fault(session, fault, now=now, settings=settings)
        if ticket is not None:
            summary.tickets.append(ticket)
    summary.breaches = await _sla_breaches(session, now=now, settings=settings)
    return summary


async def _sla_breaches(session: AsyncSession, *, now: datetime, settings: Settings) -> list[tuple[int, SlaTarget]]:
    candidates = (
        await session.scalars(
            select(RepairTicket)
            .where(
                RepairTicket.status.in_(rules.OPEN),
                (
                    (RepairTicket.response_breached_at.is_(None) & (RepairTicket.response_due_at < now))
                    | (RepairTicket.resolution_breached_at.is_(None) & (RepairTicket.resolution_due_at < now))
                ),
            )
            .order_by(RepairTicket.id)
        )
    ).all()
    found: list[tuple[int, SlaTarget]] = []
    for ticket in candidates:
        state = rules.SlaState(
            status=ticket.status,
            response_due_at=ticket.response_due_at,
            resolution_due_at=ticket.resolution_due_at,
            responded_at=ticket.responded_at,
            resolved_at=ticket.resolved_at,
            response_breached_at=ticket.response_breached_at,
            resolution_breached_at=ticket.resolution_breached_at,
        )
        for target in rules.breaches(state, now):
            due = ticket.response_due_at if target is SlaTarget.RESPONSE else ticket.resolution_due_at
            if target is SlaTarget.RESPONSE:
                ticket.response_breached_at = now
            else:
                ticket.resolution_breached_at = now
            _event(
                session,
                ticket,
                TicketEventKind.SLA_BREACHED,
                actor=POLICY,
                at=now,
                to_value=target.value,
                data={"due_at": due.isoformat()},
            )
            await _notify(
                session,
                ticket,
                AlertEvent.SLA_BREACHED,
                say(
                    MISSED[target],
                    settings.alerts.language,
                    id=ticket.id,
                    due=alert_rules.local_time(due),
                    title=ticket.title,
                ),
                now=now,
                settings=settings,
            )
            found.append((ticket.id, target))
    await session.flush()
    return found


# --- Reading. ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TicketFilter:
    open: bool | None = None
    status: TicketStatus | None = None
    camera_id: int | None = None
    assignee_id: int | None = None
    priority: Priority | None = None


async def list_tickets(
    session: AsyncSession, *, filters: TicketFilter, page: int, size: int
) -> tuple[Sequence[RepairTicket], int]:
    """Tickets, newest first."""
    query = select(RepairTicket)
    if filters.open is True:
        query = query.where(RepairTicket.status.in_(rules.OPEN))
    elif filters.open is False:
        query = query.where(RepairTicket.status.in_(rules.DONE))
    if filters.status is not None:
        query = query.where(RepairTicket.status == filters.status)
    if filters.camera_id is not None:
        query = query.where(RepairTicket.camera_id == filters.camera_id)
    if filters.assignee_id is not None:
        query = query.where(RepairTicket.assignee_id == filters.assignee_id)
    if filters.priority is not None:
        query = query.where(RepairTicket.priority == filters.priority)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(RepairTicket.id.desc()).offset((page - 1) * size).limit(size))
    return rows.all(), int(total or 0)


async def to_out(session: AsyncSession, tickets: Sequence[RepairTicket]) -> list[TicketOut]:
    """The API shapes of tickets, with their faults, camera names and assignees."""
    ids = [t.id for t in tickets]
    faults: dict[int, list[int]] = {i: [] for i in ids}
    for ticket_id, fault_id in await session.execute(
        select(TicketFault.ticket_id, TicketFault.fault_id)
        .where(TicketFault.ticket_id.in_(ids))
        .order_by(TicketFault.fault_id)
    ):
        faults[ticket_id].append(fault_id)
    user_ids = {t.assignee_id for t in tickets if t.assignee_id is not None}
    names = {i: n for i, n in await session.execute(select(User.id, User.username).where(User.id.in_(user_ids)))}
    camera_ids = {t.camera_id for t in tickets if t.camera_id is not None}
    cameras = {i: n for i, n in await session.execute(select(Camera.id, Camera.name).where(Camera.id.in_(camera_ids)))}
    return [
        TicketOut(
            id=t.id,
            camera_id=t.camera_id,
            camera_name=cameras.get(t.camera_id) if t.camera_id is not None else None,
            fault_ids=faults[t.id],
            status=t.status,
            allowed_next=rules.allowed_next(t.status),
            priority=t.priority,
            title=t.title,
            description=t.description,
            assignee=names.get(t.assignee_id) if t.assignee_id is not None else None,
            assignee_id=t.assignee_id,
            response_due_at=t.response_due_at,
            resolution_due_at=t.resolution_due_at,
            responded_at=t.responded_at,
            resolved_at=t.resolved_at,
            closed_at=t.closed_at,
            cost_cents=t.cost_cents,
            reopened_count=t.reopened_count,
            created_at=t.created_at,
            created_by=t.created_by,
        )
        for t in tickets
    ]


async def history(session: AsyncSession, ticket_id: int) -> Sequence[TicketEvent]:
    """A ticket's history, oldest first."""
    rows = await session.scalars(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id))
    return rows.all()


async def detail(session: AsyncSession, ticket: RepairTicket) -> TicketDetail:
    """A ticket with its whole history."""
    [shaped] = await to_out(session, [ticket])
    events = [TicketEventOut.of(e) for e in await history(session, ticket.id)]
    return TicketDetail(**shaped.model_dump(), history=events)


async def open_breach_counts(session: AsyncSession) -> dict[SlaTarget, int]:
    """How many open tickets have missed their response and their resolution target."""
    breached = {
        SlaTarget.RESPONSE: RepairTicket.response_breached_at,
        SlaTarget.RESOLUTION: RepairTicket.resolution_breached_at,
    }
    counts: dict[SlaTarget, int] = {}
    for target, column in breached.items():
        found = await session.scalar(
            select(func.count()).where(RepairTicket.status.in_(rules.OPEN), column.is_not(None))
        )
        counts[target] = int(found or 0)
    return counts
