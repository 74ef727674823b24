"""Faults: everyone reads; technicians acknowledge."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter

from api.deps import KeysetDep, MayAcknowledgeFaults, MayRead, SessionDep, actor_of
from fleet.db import RowId
from fleet.faults import reading, service
from fleet.faults.models import FaultKind
from fleet.faults.schemas import FaultOut
from fleet.pagination import KeysetPage

router = APIRouter(prefix="/faults", tags=["faults"])


@router.get("", response_model=KeysetPage[FaultOut])
async def list_faults(
    session: SessionDep,
    _user: MayRead,
    paging: KeysetDep,
    open: bool | None = None,
    camera_id: RowId | None = None,
    kind: FaultKind | None = None,
) -> KeysetPage[FaultOut]:
    """Faults, newest first; ``open=true`` for the ones not yet recovered; by page number or by ``cursor``."""
    filters = service.FaultFilter(open=open, camera_id=camera_id, kind=kind)
    return await reading.page_of(session, filters, paging.window, now=datetime.now(UTC))


@router.post("/{fault_id}/acknowledge", response_model=FaultOut)
async def acknowledge(session: SessionDep, user: MayAcknowledgeFaults, fault_id: RowId) -> FaultOut:
    """Acknowledge a fault: someone is on it, so escalation stops."""
    fault = await service.acknowledge(session, actor=actor_of(user), fault_id=fault_id, at=datetime.now(UTC))
    return await reading.one(session, fault)
