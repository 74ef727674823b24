"""Legal holds on footage: everyone reads, coordinators place and release them (each audited)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, status

from api.deps import MayHoldRecordings, MayRead, SessionDep, actor_of
from fleet.cameras import service as cameras
from fleet.db import RowId
from fleet.recording import holds
from fleet.recording.schemas import LegalHoldIn, LegalHoldOut

router = APIRouter(prefix="/recording-holds", tags=["recordings"])


@router.get("", response_model=list[LegalHoldOut])
async def list_holds(session: SessionDep, _user: MayRead, current: bool = True) -> list[LegalHoldOut]:
    """The legal holds, newest first; ``current=false`` includes the released ones."""
    return await holds.listed(session, current=current)


@router.post("", response_model=LegalHoldOut, status_code=status.HTTP_201_CREATED)
async def place_hold(session: SessionDep, user: MayHoldRecordings, body: LegalHoldIn) -> LegalHoldOut:
    """Hold a camera's footage of a period for a case: exempt from retention_exceeded until released."""
    camera = await cameras.get_or_raise(session, body.camera_id)
    hold = await holds.place(session, actor=actor_of(user), camera=camera, data=body)
    return LegalHoldOut.of(hold, camera.name)


@router.post("/{hold_id}/release", response_model=LegalHoldOut)
async def release_hold(session: SessionDep, user: MayHoldRecordings, hold_id: RowId) -> LegalHoldOut:
    """End a hold: the footage falls under the maximum retention again."""
    hold = await holds.release(session, actor=actor_of(user), hold_id=hold_id, now=datetime.now(UTC))
    camera = await cameras.get_or_raise(session, hold.camera_id)
    return LegalHoldOut.of(hold, camera.name)
