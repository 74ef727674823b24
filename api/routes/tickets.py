"""Repair tickets: everyone reads; technicians and up create and work on them."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, status

from api.deps import PageDep, SessionDep, SettingsDep, Technician, Viewer, actor_of
from fleet.db import RowId
from fleet.pagination import Page
from fleet.tickets import creation, history, reading, workflow
from fleet.tickets.models import Priority, TicketStatus
from fleet.tickets.schemas import (
    CommentIn,
    CostIn,
    PartIn,
    TicketDetail,
    TicketEventOut,
    TicketIn,
    TicketOut,
    TicketPatch,
)

router = APIRouter(prefix="/tickets", tags=["tickets"])


@router.get("", response_model=Page[TicketOut])
async def list_tickets(
    session: SessionDep,
    _user: Viewer,
    paging: PageDep,
    open: bool | None = None,
    status: TicketStatus | None = None,
    camera_id: RowId | None = None,
    assignee_id: RowId | None = None,
    priority: Priority | None = None,
) -> Page[TicketOut]:
    """Tickets, newest first; ``open=true`` for the ones not yet resolved or closed."""
    filters = reading.TicketFilter(
        open=open, status=status, camera_id=camera_id, assignee_id=assignee_id, priority=priority
    )
    rows, total = await reading.list_tickets(session, filters=filters, page=paging.page, size=paging.size)
    return Page(items=await reading.to_out(session, rows), total=total, page=paging.page, size=paging.size)


@router.post("", response_model=TicketDetail, status_code=status.HTTP_201_CREATED)
async def create_ticket(session: SessionDep, settings: SettingsDep, user: Technician, body: TicketIn) -> TicketDetail:
    """Open a ticket by hand for a camera, optionally covering some of its faults."""
    ticket = await creation.create(session, actor=actor_of(user), data=body, now=datetime.now(UTC), settings=settings)
    return await reading.detail(session, ticket)


@router.get("/{ticket_id}", response_model=TicketDetail)
async def get_ticket(session: SessionDep, _user: Viewer, ticket_id: RowId) -> TicketDetail:
    """A ticket with its whole history."""
    return await reading.detail(session, await history.get_or_raise(session, ticket_id))


@router.patch("/{ticket_id}", response_model=TicketDetail)
async def update_ticket(
    session: SessionDep, settings: SettingsDep, user: Technician, ticket_id: RowId, body: TicketPatch
) -> TicketDetail:
    """Change status (409 with the allowed next states if the workflow forbids it), assignee or priority."""
    ticket = await workflow.update(
        session, actor=actor_of(user), ticket_id=ticket_id, data=body, now=datetime.now(UTC), settings=settings
    )
    return await reading.detail(session, ticket)


@router.post("/{ticket_id}/comments", response_model=TicketEventOut, status_code=status.HTTP_201_CREATED)
async def add_comment(session: SessionDep, user: Technician, ticket_id: RowId, body: CommentIn) -> TicketEventOut:
    """Add a comment or work-log entry."""
    event = await workflow.comment(
        session, actor=actor_of(user), ticket_id=ticket_id, text=body.text, now=datetime.now(UTC)
    )
    return TicketEventOut.of(event)


@router.post("/{ticket_id}/parts", response_model=TicketEventOut, status_code=status.HTTP_201_CREATED)
async def add_part(session: SessionDep, user: Technician, ticket_id: RowId, body: PartIn) -> TicketEventOut:
    """Record a part used (its cost is added to the ticket)."""
    event = await workflow.add_part(
        session,
        actor=actor_of(user),
        ticket_id=ticket_id,
        name=body.name,
        quantity=body.quantity,
        unit_cost_cents=body.unit_cost_cents,
        now=datetime.now(UTC),
    )
    return TicketEventOut.of(event)


@router.post("/{ticket_id}/costs", response_model=TicketEventOut, status_code=status.HTTP_201_CREATED)
async def add_cost(session: SessionDep, user: Technician, ticket_id: RowId, body: CostIn) -> TicketEventOut:
    """Record work or another cost, in euro cents."""
    event = await workflow.add_cost(
        session,
        actor=actor_of(user),
        ticket_id=ticket_id,
        amount_cents=body.amount_cents,
        text=body.text,
        now=datetime.now(UTC),
    )
    return TicketEventOut.of(event)
