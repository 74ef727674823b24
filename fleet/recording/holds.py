"""Placing and releasing legal holds, each audited; the holds in force per camera for the recording rules."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera
from fleet.db import chunks
from fleet.errors import Conflict, InvalidInput, NotFound
from fleet.recording.models import LegalHold
from fleet.recording.schemas import LegalHoldIn, LegalHoldOut


def _audited(hold: LegalHold) -> dict[str, Any]:
    return {
        "camera_id": hold.camera_id,
        "from": hold.starts_at.isoformat(),
        "to": hold.ends_at.isoformat(),
        "case": hold.case_ref,
        "reason": hold.reason,
    }


async def place(session: AsyncSession, *, actor: Actor, camera: Camera, data: LegalHoldIn) -> LegalHold:
    """Hold the camera's footage of the period for a case; audited."""
    if data.ends_at <= data.starts_at:
        raise InvalidInput("to", "must be after from")
    hold = LegalHold(
        camera_id=camera.id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        case_ref=data.case_ref,
        reason=data.reason,
        placed_by=actor.name,
    )
    session.add(hold)
    await session.flush()
    await record(
        session, actor=actor, action="recording.hold", target_type="legal_hold", target_id=hold.id, after=_audited(hold)
    )
    return hold


async def release(session: AsyncSession, *, actor: Actor, hold_id: int, now: datetime) -> LegalHold:
    """End a hold: the footage falls under the maximum retention again; audited."""
    hold = await session.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound("legal hold", hold_id)
    if hold.released_at is not None:
        raise Conflict(f"legal hold {hold_id} was released already")
    hold.released_at, hold.released_by = now, actor.name
    await session.flush()
    await record(
        session,
        actor=actor,
        action="recording.release",
        target_type="legal_hold",
        target_id=hold.id,
        before=_audited(hold),
        after={"released_at": now.isoformat()},
    )
    return hold


async def in_force(session: AsyncSession, camera_ids: Iterable[int]) -> dict[int, list[tuple[datetime, datetime]]]:
    """The periods held (not released) per camera."""
    held: dict[int, list[tuple[datetime, datetime]]] = {}
    for chunk in chunks(camera_ids):
        query = select(LegalHold.camera_id, LegalHold.starts_at, LegalHold.ends_at).where(
            LegalHold.camera_id.in_(chunk), LegalHold.released_at.is_(None)
        )
        for camera_id, starts_at, ends_at in await session.execute(query.order_by(LegalHold.id)):
            held.setdefault(camera_id, []).append((starts_at, ends_at))
    return held


async def listed(session: AsyncSession, *, current: bool) -> list[LegalHoldOut]:
    """The holds (only those in force with ``current``), newest first, with their camera's name."""
    query = select(LegalHold, Camera.name).join(Camera, Camera.id == LegalHold.camera_id)
    if current:
        query = query.where(LegalHold.released_at.is_(None))
    rows = await session.execute(query.order_by(LegalHold.placed_at.desc(), LegalHold.id.desc()))
    return [LegalHoldOut.of(hold, name) for hold, name in rows]
