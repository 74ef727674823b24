"""Recording what the security check saw, its faults (certificates, drift), and taking a configuration baseline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera
from fleet.errors import Conflict
from fleet.faults.models import Fault, FaultKind
from fleet.faults.service import FaultChanges, close_fault
from fleet.hygiene import rules
from fleet.hygiene.models import CameraHygiene

BASELINE_ACTION = "camera.config_baseline"
# A drift fault's summary names this many changes; its details name them all.
_NAMED_CHANGES = 4


class FaultBook(Protocol):
    """Opening and closing a batch's faults (fleet.faults.evaluate keeps one per recorded batch)."""

    session: AsyncSession

    async def open(
        self, camera: Camera, kind: FaultKind, *, at: datetime, summary: str, details: dict[str, Any] | None = None
    ) -> Fault: ...

    async def close(self, camera_id: int, kind: FaultKind, at: datetime) -> None: ...


async def get(session: AsyncSession, camera_id: int) -> CameraHygiene | None:
    """What the security check last saw of the camera, with its baseline (None before its first run)."""
    return await session.get(CameraHygiene, camera_id)


async def observed_cameras(session: AsyncSession) -> Sequence[Camera]:
    """The cameras whose configuration a security check has seen, by name."""
    query = select(Camera).join(CameraHygiene, CameraHygiene.camera_id == Camera.id).order_by(Camera.name)
    return (await session.scalars(query)).all()


async def observe(
    book: FaultBook, camera: Camera, values: Mapping[str, Any], at: datetime, *, warning: timedelta
) -> None:
    """Keep what a security check saw, take the first baseline, and open or close its faults."""
    row = await get(book.session, camera.id)
    if row is None:
        row = CameraHygiene(camera_id=camera.id)
        book.session.add(row)
    row.observed_at = at
    row.endpoints = list(values.get("endpoints") or [])
    row.protocols = values.get("protocols")
    row.discoverable, row.snmp_version = values.get("discoverable"), values.get("snmp_version")
    row.ntp_from_dhcp, row.ntp_servers = values.get("ntp_from_dhcp"), values.get("ntp_servers")
    current = rules.configuration(values, camera.observed_time_zone)
    row.configuration = current
    if row.baseline is None:
        await _take(book.session, row, camera, Actor.system("security-check"), at)
    else:
        row.baseline = rules.completed(row.baseline, current)
    expired, expiring = rules.endings(row.endpoints, at, warning)
    await _certificates(book, camera, FaultKind.CERTIFICATE_EXPIRED, expired, at)
    await _certificates(book, camera, FaultKind.CERTIFICATE_EXPIRING, expiring, at)
    await _drift(book, camera, row, rules.drift(row.baseline or {}, current), at)


async def _certificates(
    book: FaultBook, camera: Camera, kind: FaultKind, endings: Sequence[rules.Ending], at: datetime
) -> None:
    if not endings:
        await book.close(camera.id, kind, at)
        return
    first = min(endings, key=lambda e: e.not_after)
    verb = "ended" if first.not_after <= at else "ends"
    summary = f"{camera.name}: certificate of {', '.join(e.label for e in endings)} {verb} {first.not_after:%Y-%m-%d}"
    details = {
        "endpoints": [
            {"endpoint": e.label, "not_after": e.not_after.isoformat(), "subject": e.subject} for e in endings
        ]
    }
    fault = await book.open(camera, kind, at=at, summary=summary, details=details)
    fault.summary, fault.details = summary, details  # the endpoints as they are now


async def _drift(
    book: FaultBook, camera: Camera, row: CameraHygiene, changes: Sequence[rules.Change], at: datetime
) -> None:
    if not changes:
        await book.close(camera.id, FaultKind.CONFIG_DRIFT, at)
        return
    named = "; ".join(change.describe() for change in changes[:_NAMED_CHANGES])
    more = len(changes) - _NAMED_CHANGES
    taken = f"{row.baseline_taken_at:%Y-%m-%d}" if row.baseline_taken_at else "?"
    summary = f"{camera.name}: configuration differs from its baseline of {taken}: {named}"
    summary += f" and {more} more" if more > 0 else ""
    details = {
        "changes": [{"setting": c.setting, "old": c.old, "new": c.new} for c in changes],
        "baseline_taken_at": row.baseline_taken_at.isoformat() if row.baseline_taken_at else None,
    }
    fault = await book.open(camera, FaultKind.CONFIG_DRIFT, at=at, summary=summary, details=details)
    fault.summary, fault.details = summary, details


async def _take(session: AsyncSession, row: CameraHygiene, camera: Camera, actor: Actor, at: datetime) -> None:
    before = {"baseline": row.baseline, "baseline_taken_at": row.baseline_taken_at}
    row.baseline, row.baseline_taken_at, row.baseline_taken_by = dict(row.configuration or {}), at, actor.name
    await record(
        session,
        actor=actor,
        action=BASELINE_ACTION,
        target_type="camera",
        target_id=camera.id,
        before=before,
        after={"baseline": row.baseline, "baseline_taken_at": at},
    )


async def take_baseline(session: AsyncSession, *, camera: Camera, actor: Actor, now: datetime) -> CameraHygiene:
    """Make the configuration last seen the camera's baseline (after a deliberate change); closes its drift.

    Audited. Conflict when no security check has seen the camera's configuration yet.
    """
    row = await get(session, camera.id)
    if row is None or row.configuration is None:
        raise Conflict(f"{camera.name}: no configuration seen yet; the security check has not run on it")
    await _take(session, row, camera, actor, now)
    drifted = await session.scalar(
        select(Fault).where(
            Fault.camera_id == camera.id, Fault.kind == FaultKind.CONFIG_DRIFT, Fault.closed_at.is_(None)
        )
    )
    if drifted is not None:
        await close_fault(session, FaultChanges(), drifted, now)
    await session.flush()
    return row
