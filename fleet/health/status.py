"""A camera's status: derived from its checks' hard states and impairing faults, kept as status intervals."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from config.checks import CheckKind
from fleet.cameras.models import Camera, CameraStatus
from fleet.faults.models import Fault
from fleet.faults.rules import IMPAIRING_KINDS
from fleet.health.claims import polled_cameras
from fleet.health.models import CheckState, StatusInterval
from fleet.health.rules import Transition, camera_status
from fleet.uptime import rollup
from fleet.uptime.facts import local_day


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A camera's status moving from ``old`` to ``new`` at ``at``."""

    camera_id: int
    old: CameraStatus
    new: CameraStatus
    at: datetime


async def update_statuses(
    session: AsyncSession,
    cameras: Sequence[Camera],
    transitions: Sequence[tuple[int, CheckKind, Transition]],
    changed_at: dict[int, datetime],
) -> list[StatusChange]:
    """Derive each camera's status anew and move the ones that changed, dated to their latest transition (or, for
    a change without one, to the moment in ``changed_at``: an impairing fault, a camera checked again)."""
    ids = [c.id for c in cameras]
    hard: dict[int, dict[CheckKind, bool | None]] = {i: {} for i in ids}
    for camera_id, kind, hard_ok in await session.execute(
        select(CheckState.camera_id, CheckState.kind, CheckState.hard_ok).where(CheckState.camera_id.in_(ids))
    ):
        hard[camera_id][kind] = hard_ok
    impaired = set(
        await session.scalars(
            select(Fault.camera_id).where(
                Fault.camera_id.in_(ids), Fault.closed_at.is_(None), Fault.kind.in_(IMPAIRING_KINDS)
            )
        )
    )
    when: dict[int, datetime] = dict(changed_at)
    for camera_id, _kind, transition in transitions:
        when[camera_id] = max(when.get(camera_id, transition.at), transition.at)
    changes: list[StatusChange] = []
    moves: list[tuple[Camera, CameraStatus, datetime]] = []
    for camera in cameras:
        new = camera_status(hard[camera.id], impaired=camera.id in impaired)
        if new == camera.status:
            continue
        at = when[camera.id]
        changes.append(StatusChange(camera.id, camera.status, new, at))
        moves.append((camera, new, at))
    await change_statuses(session, moves)
    return changes


async def change_statuses(session: AsyncSession, moves: Sequence[tuple[Camera, CameraStatus, datetime]]) -> None:
    """For each (camera, status, at): close the camera's open status interval and open one for the new status
    (never before the old one's start). A few statements for the whole batch, however many cameras change at once
    (a power cut takes a district down in one poll batch)."""
    if not moves:
        return
    ids = [camera.id for camera, _status, _at in moves]
    open_intervals = {
        interval.camera_id: interval
        for interval in await session.scalars(
            select(StatusInterval).where(StatusInterval.camera_id.in_(ids), StatusInterval.ended_at.is_(None))
        )
    }
    starts: dict[int, datetime] = {}
    for camera, _status, at in moves:
        interval = open_intervals.get(camera.id)
        starts[camera.id] = at if interval is None else max(at, interval.started_at)
        if interval is not None:
            interval.ended_at = starts[camera.id]
    await session.flush()  # the old intervals closed before the new ones open: one open interval per camera
    invalid_from: dict[date, list[int]] = defaultdict(list)
    opened = []
    for camera, status, _at in moves:
        at = starts[camera.id]
        opened.append({"camera_id": camera.id, "status": status, "started_at": at, "ended_at": None})
        camera.status, camera.status_since = status, at
        # Dated back to when its streak began, the change may fall in a day already rolled up.
        invalid_from[local_day(at)].append(camera.id)
    # One executemany (no ids to read back: nothing in this transaction uses the new intervals as objects).
    await session.execute(insert(StatusInterval), opened)
    for day, camera_ids in invalid_from.items():
        await rollup.invalidate(session, from_day=day, camera_ids=camera_ids)


async def status_counts(
    session: AsyncSession, *, poller_group: str | None = None, names: Sequence[str] | None = None
) -> dict[CameraStatus, int]:
    """How many in-service cameras (of a group, or of the named ones) have each status."""
    rows = await session.execute(
        select(Camera.status, func.count()).where(polled_cameras(poller_group, names)).group_by(Camera.status)
    )
    counts = dict.fromkeys(CameraStatus, 0)
    counts.update({status: count for status, count in rows})
    return counts
