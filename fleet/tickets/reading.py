"""Reading tickets: lists, API shapes, detail with history, open SLA breaches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import Camera
from fleet.tickets import rules
from fleet.tickets.history import history
from fleet.tickets.models import Priority, RepairTicket, SlaTarget, TicketFault, TicketStatus
from fleet.tickets.schemas import TicketDetail, TicketEventOut, TicketOut
from fleet.users.models import User


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """Which tickets a list shows; None: any."""

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
