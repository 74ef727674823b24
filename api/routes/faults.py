"""Faults: everyone reads; technicians acknowledge."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from api.deps import PageDep, SessionDep, Technician, Viewer, actor_of
from fleet.db import RowId
from fleet.faults import service
from fleet.faults.models import FaultKind
from fleet.faults.schemas import FaultOut
from fleet.pagination import Page
from fleet.tickets import history as tickets

router = APIRouter(prefix="/faults", tags=["faults"])


@router.get("", response_model=Page[FaultOut])
async def list_faults(
    session: SessionDep,
    _user: Viewer,
    paging: PageDep,
    open: bool | None = None,
    camera_id: RowId | None = None,
    kind: FaultKind | None = None,
) -> Page[FaultOut]:
    """Faults, newest first; ``open=true`` for the ones not yet recovered."""
    rows, total = await service.list_faults(
        session,
        filters=service.FaultFilter(open=open, camera_id=camera_id, kind=kind),
        page=paging.page,
        size=paging.size,
    )
    ticket_of = await tickets.ticket_ids_for_faults(session, [f.id for f, _ in rows])
    return Page(
        items=[FaultOut.of(f, name, ticket_of.get(f.id)) for f, name in rows],
        total=total,
        page=paging.page,
        size=paging.size,
    )


@router.post("/{fault_id}/acknowledge", response_model=FaultOut)
async def acknowledge(session: SessionDep, user: Technician, fault_id: RowId) -> FaultOut:
    """Acknowledge a fault: someone is on it, so escalation stops."""
    fault = await service.acknowledge(session, actor=actor_of(user), fault_id=fault_id, at=datetime.now(UTC))
    name = await service.camera_name(session, fault)
    ticket_of = await tickets.ticket_ids_for_faults(session, [fault.id])
    return FaultOut.of(fault, name, ticket_of.get(fault.id))
