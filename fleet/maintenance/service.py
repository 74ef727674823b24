"""Maintenance windows: create, list, delete, and which cameras are in maintenance at a moment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet import offload
from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera
from fleet.errors import InvalidInput, NotFound
from fleet.maintenance.models import MaintenanceWindow
from fleet.maintenance.rules import RecurrenceError, RunningState, WindowTimes, checked_last_end, running_all
from fleet.maintenance.schemas import MaintenanceWindowIn, MaintenanceWindowOut
from fleet.pagination import Page
from fleet.uptime import rollup

# What was worked out about recurring windows: (first start, first end, rule) -> (asked at, answer, holds until).
# An answer is a pure function of the window's data and the moment, so it holds for any moment in that span.
_known: dict[WindowTimes, tuple[datetime, RunningState]] = {}
_KNOWN_AT_MOST = 4096


async def running(windows: Sequence[MaintenanceWindow], at: datetime) -> list[bool]:
    """Whether an occurrence of each window runs at that moment.

    A recurring window's rule is expanded from its first start (an hourly one a year old is ~9,000 steps, tens of
    milliseconds): that runs in a worker process, and the answer is kept until the next start or end, so polling
    asks again only when it may have changed.
    """
    answers: dict[WindowTimes, bool] = {}
    unknown: list[WindowTimes] = []
    for window in windows:
        plain = (window.starts_at, window.ends_at, window.recurrence or None)
        if plain[2] is None:
            answers[plain] = window.starts_at <= at < window.ends_at
            continue
        known = _known.get(plain)
        if known is not None and known[0] <= at and (known[1][1] is None or at < known[1][1]):
            answers[plain] = known[1][0]
        elif plain not in unknown:
            unknown.append(plain)
    if unknown:
        if len(_known) > _KNOWN_AT_MOST:
            _known.clear()
        for plain, state in zip(unknown, await offload.cpu(running_all, unknown, at), strict=True):
            _known[plain] = (at, state)
            answers[plain] = state[0]
    return [answers[(w.starts_at, w.ends_at, w.recurrence or None)] for w in windows]


async def create(session: AsyncSession, *, actor: Actor, data: MaintenanceWindowIn) -> MaintenanceWindow:
    """Plan a maintenance window; InvalidInput when its rule has more occurrences than a window may have."""
    try:
        ends = await offload.cpu(checked_last_end, data.starts_at, data.ends_at, data.recurrence or None)
    except RecurrenceError as exc:
        raise InvalidInput("recurrence", str(exc)) from exc
    window = MaintenanceWindow(**data.model_dump(), created_by=actor.name, last_ends_at=ends)
    session.add(window)
    await session.flush()
    await rollup.window_changed(session, window)
    await record(
        session,
        actor=actor,
        action="maintenance.create",
        target_type="maintenance_window",
        target_id=window.id,
        after=data.model_dump(),
    )
    return window


async def delete(session: AsyncSession, *, actor: Actor, window_id: int) -> None:
    """Remove a window."""
    window = await session.get(MaintenanceWindow, window_id)
    if window is None:
        raise NotFound("maintenance window", window_id)
    await record(
        session,
        actor=actor,
        action="maintenance.delete",
        target_type="maintenance_window",
        target_id=window_id,
        before={"starts_at": window.starts_at, "ends_at": window.ends_at, "reason": window.reason},
    )
    await rollup.window_changed(session, window)
    await session.delete(window)
    await session.flush()


async def list_windows(
    session: AsyncSession, *, page: int, size: int, current_at: datetime | None = None
) -> tuple[Sequence[MaintenanceWindow], int]:
    """Windows newest first; with ``current_at``, only those not over by then."""
    query = select(MaintenanceWindow)
    if current_at is not None:
        query = query.where(or_(MaintenanceWindow.last_ends_at.is_(None), MaintenanceWindow.last_ends_at > current_at))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(
        query.order_by(MaintenanceWindow.starts_at.desc(), MaintenanceWindow.id.desc())
        .offset((page - 1) * size)
        .limit(size)
    )
    return rows.all(), int(total or 0)


async def to_out(windows: Sequence[MaintenanceWindow], now: datetime) -> list[MaintenanceWindowOut]:
    """The API shape of windows, each saying whether it runs now."""
    shaped = [MaintenanceWindowOut.model_validate(window) for window in windows]
    for out, runs in zip(shaped, await running(windows, now), strict=True):
        out.active_now = runs
    return shaped


async def page_of(
    session: AsyncSession, *, page: int, size: int, now: datetime, current: bool = False
) -> Page[MaintenanceWindowOut]:
    """One page of windows, newest first; ``current`` leaves out the ones over by ``now``."""
    rows, total = await list_windows(session, page=page, size=size, current_at=now if current else None)
    return Page(items=await to_out(rows, now), total=total, page=page, size=size)


async def windows_at(session: AsyncSession, at: datetime) -> list[MaintenanceWindow]:
    """The windows with an occurrence running at that moment."""
    candidates = await session.scalars(
        select(MaintenanceWindow).where(
            MaintenanceWindow.starts_at <= at,
            or_(MaintenanceWindow.last_ends_at.is_(None), MaintenanceWindow.last_ends_at > at),
        )
    )
    found = candidates.all()
    return [window for window, runs in zip(found, await running(found, at), strict=True) if runs]


async def cameras_in_maintenance(
    session: AsyncSession, at: datetime, camera_ids: Sequence[int] | None = None
) -> set[int]:
    """Which cameras (of those given, or all) are in a running maintenance window."""
    windows = await windows_at(session, at)
    if not windows:
        return set()
    scopes = [w.scope for w in windows]
    query = select(Camera.id, Camera.area, Camera.site, Camera.poller_group)
    if camera_ids is not None:
        query = query.where(Camera.id.in_(camera_ids))
    return {
        camera_id
        for camera_id, area, site, group in await session.execute(query)
        if any(scope.covers(camera_id, area, site, group) for scope in scopes)
    }
