"""Who is looking: collectors' heartbeats, poller groups no live collector polls, cameras nobody checked lately.

A camera keeps the status its checks gave it only while someone checks it (once any collector has run against the
database at all). When its reachability check (the one
that decides up and down) has not run for ``scheduler.stale_after_intervals`` intervals, or its poller group has
had no live collector for two leases, its status becomes `unknown`: not monitored, never counted as up. A silent
group opens one `collector_silent` fault for the whole group (one alert, not one per camera), closed when a
collector of the group is heard again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from config.checks import CheckKind
from config.settings import SchedulerSettings, Settings
from fleet.alerts import service as alerts
from fleet.cameras.models import Camera, CameraStatus
from fleet.faults.models import Fault, FaultKind
from fleet.faults.service import FaultChanges, close_fault, open_fault
from fleet.health.claims import polled_cameras
from fleet.health.models import CheckState, CollectorHeartbeat
from fleet.health.status import StatusChange, change_statuses

# Sweeps of several `camfleet serve` processes on one PostgreSQL database take turns (a transaction-level lock).
_SWEEP_LOCK = 0x63616D666C656574  # "camfleet"


@dataclass(frozen=True, slots=True)
class GroupHealth:
    """Who is looking at one poller group, and how fresh what it knows is."""

    name: str
    cameras: int
    live_collectors: int  # heartbeats within one lease, of the group's own collectors or of every-group ones
    last_heartbeat_at: datetime | None
    newest_result_at: datetime | None  # when the newest reachability check of any of its cameras ran


@dataclass
class WatchSummary:
    """What one sweep found and changed."""

    silent: list[str] = field(default_factory=list)  # poller groups with no live collector for two leases
    faults: FaultChanges = field(default_factory=FaultChanges)
    status_changes: list[StatusChange] = field(default_factory=list)


async def beat(session: AsyncSession, *, name: str, poller_group: str | None, now: datetime) -> None:
    """Record that the collector ``name`` is alive now (its first beat also says when it started)."""
    upsert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = upsert(CollectorHeartbeat).values(
        name=name, poller_group=poller_group, started_at=now, last_seen_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=["name"], set_={"last_seen_at": statement.excluded.last_seen_at})
    )


async def prune_heartbeats(session: AsyncSession, *, older_than: datetime) -> int:
    """Forget collectors not heard of since ``older_than``; how many."""
    result = await session.execute(delete(CollectorHeartbeat).where(CollectorHeartbeat.last_seen_at < older_than))
    return int(getattr(result, "rowcount", 0) or 0)


async def group_health(session: AsyncSession, *, now: datetime, lease: timedelta) -> list[GroupHealth]:
    """Every poller group with cameras in service: its live collectors, last heartbeat and newest result (of the
    reachability check, the most frequent: one row per camera keeps this quick enough for a health probe)."""
    reachability = and_(CheckState.camera_id == Camera.id, CheckState.kind == CheckKind.REACHABILITY)
    rows = (
        await session.execute(
            select(Camera.poller_group, func.count(Camera.id), func.max(CheckState.last_run_at))
            .outerjoin(CheckState, reachability)
            .where(polled_cameras(None, None))
            .group_by(Camera.poller_group)
            .order_by(Camera.poller_group)
        )
    ).all()
    beats = (await session.execute(select(CollectorHeartbeat.poller_group, CollectorHeartbeat.last_seen_at))).all()
    found = []
    for name, cameras, newest in rows:
        seen = [at for group, at in beats if group is None or group == name]
        found.append(
            GroupHealth(
                name=name,
                cameras=int(cameras),
                live_collectors=sum(now - at <= lease for at in seen),
                last_heartbeat_at=max(seen, default=None),
                newest_result_at=newest,
            )
        )
    return found


async def _take_turn(session: AsyncSession) -> bool:
    """Whether this sweep may run now (always on SQLite, which lets one writer in at a time)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(await session.scalar(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _SWEEP_LOCK}))


async def sweep(session: AsyncSession, *, now: datetime, settings: Settings, watching_since: datetime) -> WatchSummary:
    """Open or close `collector_silent` per poller group (with their alerts), and make cameras nobody checks
    `unknown`, in the caller's transaction.

    ``watching_since``: since when this watcher has seen the database without a break (its start, or the end of a
    database outage). Silence and staleness are counted from then at the earliest: collectors started with it have
    time to say so, and after an outage nobody could write through, they have time to write again.
    """
    summary = WatchSummary()
    # A database no collector has ever polled (a fresh install, a register kept by hand, a seeded demo) has
    # nobody to miss: its statuses are what they were made, and the watch waits for the first heartbeat.
    if not await _take_turn(session) or await session.scalar(select(CollectorHeartbeat.name).limit(1)) is None:
        return summary
    scheduler = settings.scheduler
    groups = await group_health(session, now=now, lease=scheduler.lease)
    heard = {g.name: max(g.last_heartbeat_at or watching_since, watching_since) for g in groups}
    silent_since = {name: at for name, at in heard.items() if now - at >= scheduler.silent_after}
    summary.silent = sorted(silent_since)
    await _silent_faults(session, summary.faults, groups, silent_since, now=now, scheduler=scheduler)
    summary.status_changes = await _unchecked_cameras(
        session, set(silent_since), now=now, scheduler=scheduler, checking=now - watching_since >= scheduler.stale_after
    )
    # The outbox rule: the alerts commit with the fault changes they report.
    await alerts.on_fault_changes(session, summary.faults, now=now, settings=settings)
    return summary


async def _silent_faults(
    session: AsyncSession,
    changes: FaultChanges,
    groups: Sequence[GroupHealth],
    silent_since: dict[str, datetime],
    *,
    now: datetime,
    scheduler: SchedulerSettings,
) -> None:
    """One open `collector_silent` fault per silent group; closed for the groups heard of again (or gone)."""
    open_faults = (
        await session.scalars(select(Fault).where(Fault.kind == FaultKind.COLLECTOR_SILENT, Fault.closed_at.is_(None)))
    ).all()
    for fault in open_faults:
        if str(fault.details.get("poller_group", "")) not in silent_since:
            await close_fault(session, changes, fault, now)
    already = {str(f.details.get("poller_group", "")) for f in open_faults}
    for group in groups:
        since = silent_since.get(group.name)
        if since is None or group.name in already:
            continue
        heard = "never" if group.last_heartbeat_at is None else f"last at {group.last_heartbeat_at.isoformat()}"
        await open_fault(
            session,
            changes,
            camera=None,
            kind=FaultKind.COLLECTOR_SILENT,
            # When the silence reached two leases, not when this sweep noticed it.
            at=min(since + scheduler.silent_after, now),
            scope=f"poller_group:{group.name}",
            summary=(
                f"no collector of poller group {group.name} heard from ({heard}): "
                f"its {group.cameras} cameras are not being checked"
            ),
            details={
                "poller_group": group.name,
                "cameras": group.cameras,
                "last_heartbeat_at": group.last_heartbeat_at.isoformat() if group.last_heartbeat_at else None,
            },
        )


async def _unchecked_cameras(
    session: AsyncSession, silent: set[str], *, now: datetime, scheduler: SchedulerSettings, checking: bool
) -> list[StatusChange]:
    """Cameras of silent groups, or (when ``checking``) whose reachability check has not run for too long, become
    `unknown`.

    Dated from when their check was due and nobody ran it (never before its last run, never after now).
    """
    if not silent and not checking:
        return []
    reachability = and_(CheckState.camera_id == Camera.id, CheckState.kind == CheckKind.REACHABILITY)
    stale = or_(CheckState.last_run_at.is_(None), CheckState.last_run_at < now - scheduler.stale_after)
    in_silent_group = Camera.poller_group.in_(sorted(silent))
    unchecked = (or_(stale, in_silent_group) if silent else stale) if checking else in_silent_group
    rows = (
        await session.execute(
            select(Camera, CheckState.last_run_at, CheckState.next_due_at)
            .outerjoin(CheckState, reachability)
            .where(polled_cameras(None, None), Camera.status != CameraStatus.UNKNOWN, unchecked)
            .order_by(Camera.id)
        )
    ).all()
    moves: list[tuple[Camera, CameraStatus, datetime]] = []
    before: list[tuple[Camera, CameraStatus]] = []
    for camera, last_run_at, next_due_at in rows:
        earliest = last_run_at or camera.status_since or now
        moves.append((camera, CameraStatus.UNKNOWN, min(max(next_due_at or now, earliest), now)))
        before.append((camera, camera.status))
    await change_statuses(session, moves)
    return [StatusChange(c.id, old, c.status, c.status_since or now) for c, old in before]
