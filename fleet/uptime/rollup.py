"""Daily roll-ups: each camera's closed local days summed once, so a year over a large fleet is a quick sum.

The roll-up of a day is a cache of what its raw status intervals give. It is kept right two ways:

- a job (``roll_up_batch``, run by the scheduler) rolls up the days that have ended, camera by camera, in order,
  each day continuing the outage running at the end of the one before;
- every change to what a day's figures depend on calls ``invalidate`` in the same transaction: a status change
  (dated back to when its streak began, so it can fall in a day already rolled up), a maintenance window created
  or deleted (also after the fact), a camera's installation or retirement date, or its area, site or poller group
  (which decide the maintenance windows covering it). The days from the first one affected are dropped and
  rolled up again by the next run.

Rolling up on every status change instead would make each poll batch write roll-ups of days still running; a
periodic job over closed days writes each day once, and reports take the day in progress from the raw intervals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import Camera
from fleet.db import chunks
from fleet.health.models import StatusInterval
from fleet.maintenance.models import MaintenanceWindow
from fleet.uptime.calc import Interval, micros
from fleet.uptime.facts import (
    CameraFacts,
    camera_facts,
    in_service,
    local_day,
    midnight,
    planned_beside_loop,
    planned_spans,
)
from fleet.uptime.models import StatusDaily, StatusMonthly, StatusRollup
from fleet.uptime.stretch import Stretch, fold, stretches

# Whatever decides which maintenance windows cover a camera, or when it counts at all.
CAMERA_FIELDS = frozenset({"installed_on", "retired_on", "area", "site", "poller_group"})


async def invalidate(
    session: AsyncSession, *, from_day: date | None, camera_ids: Collection[int] | None = None
) -> None:
    """The roll-ups of these cameras (None: every camera) from ``from_day`` on (None: all) no longer hold.

    The version is bumped first, which also waits for a roll-up of the same cameras being written right now, so
    its rows are there to be dropped, and a roll-up computed before this change can no longer be written.
    """
    through: Any = None
    drops = [delete(StatusDaily), delete(StatusMonthly)]
    if from_day is not None:
        through = case((StatusRollup.through >= from_day, from_day - timedelta(days=1)), else_=StatusRollup.through)
        drops = [
            delete(StatusDaily).where(StatusDaily.day >= from_day),
            delete(StatusMonthly).where(StatusMonthly.month >= from_day.replace(day=1)),
        ]
    groups: list[list[int] | None] = [None] if camera_ids is None else list(chunks(camera_ids))
    for chunk in groups:
        bump = update(StatusRollup).values(version=StatusRollup.version + 1, through=through)
        if chunk is not None:
            bump = bump.where(StatusRollup.camera_id.in_(chunk))
        await session.execute(bump.execution_options(synchronize_session=False))
        for drop, camera_id in zip(drops, (StatusDaily.camera_id, StatusMonthly.camera_id), strict=True):
            if chunk is not None:
                drop = drop.where(camera_id.in_(chunk))
            await session.execute(drop.execution_options(synchronize_session=False))


async def window_changed(session: AsyncSession, window: MaintenanceWindow) -> None:
    """A maintenance window was created or deleted: the days of its cameras from its first occurrence on."""
    scope = window.scope
    camera_ids = None
    if not scope.everything:
        rows = await session.execute(select(Camera.id, Camera.area, Camera.site, Camera.poller_group))
        camera_ids = [i for i, area, site, group in rows if scope.covers(i, area, site, group)]
    await invalidate(session, from_day=local_day(window.starts_at), camera_ids=camera_ids)


async def camera_changed(session: AsyncSession, camera: Camera, before: dict[str, Any]) -> None:
    """A camera's service dates or place changed (``before``: the old values of the fields that changed)."""
    if not CAMERA_FIELDS & before.keys():
        return
    days: list[date] = []
    if "installed_on" in before:
        if before["installed_on"] is None or camera.installed_on is None:
            # Installed since ever, or now: every day before the (old or new) date changes.
            await invalidate(session, from_day=None, camera_ids=[camera.id])
            return
        days.append(min(before["installed_on"], camera.installed_on))
    if "retired_on" in before:
        days.extend(d for d in (before["retired_on"], camera.retired_on) if d is not None)
    if {"area", "site", "poller_group"} & before.keys():
        old = {name: before.get(name, getattr(camera, name)) for name in ("area", "site", "poller_group")}
        for window in await session.scalars(select(MaintenanceWindow)):
            scope = window.scope
            if scope.covers(camera.id, old["area"], old["site"], old["poller_group"]) != scope.covers(
                camera.id, camera.area, camera.site, camera.poller_group
            ):
                days.append(local_day(window.starts_at))
    if days:
        await invalidate(session, from_day=min(days), camera_ids=[camera.id])


async def add_missing(session: AsyncSession) -> None:
    """Give every camera without one a roll-up record (nothing rolled up yet)."""
    known = select(StatusRollup.camera_id)
    await session.execute(
        insert(StatusRollup).from_select(["camera_id"], select(Camera.id).where(Camera.id.not_in(known)))
    )


async def behind(session: AsyncSession, *, through: date) -> list[int]:
    """The cameras whose days are not all rolled up to ``through``."""
    rows = await session.scalars(
        select(StatusRollup.camera_id)
        .where((StatusRollup.through.is_(None)) | (StatusRollup.through < through))
        .order_by(StatusRollup.camera_id)
    )
    return list(rows)


async def roll_up_batch(session: AsyncSession, camera_ids: Sequence[int], *, through: date) -> int:
    """Roll up the days of these cameras up to and including ``through``; returns the rows written.

    A camera whose record changed since it was read (an invalidation came in between) is left for the next run.
    """
    state = await _states(session, camera_ids)
    cameras = {c.id: c for c in await camera_facts(session, Camera.id.in_(state), device_type=None)}
    recorded = await _first_recorded(session, [camera_id for camera_id, (done, _) in state.items() if done is None])
    end = midnight(through + timedelta(days=1))
    candidates = (await session.scalars(select(MaintenanceWindow).where(MaintenanceWindow.starts_at < end))).all()
    first = {
        camera_id: done + timedelta(days=1)
        if done is not None
        else _first_counted_day(cameras[camera_id], candidates, recorded.get(camera_id), through)
        for camera_id, (done, _version) in state.items()
    }
    todo = {i for i in state if first[i] <= through}
    # Each camera is computed from the start of the month of its first new day, so that months can be summed.
    recompute_from = {camera_id: first[camera_id].replace(day=1) for camera_id in todo}
    carried = await _tails(session, {camera_id: day - timedelta(days=1) for camera_id, day in recompute_from.items()})
    since = midnight(min(recompute_from.values(), default=through))
    windows = await planned_beside_loop(candidates, (since, end))
    intervals = await _intervals(session, todo, since=since, end=end)
    daily: list[dict[str, Any]] = []
    monthly: list[dict[str, Any]] = []
    for camera_id, (_done, version) in state.items():
        if not await _claim(session, camera_id, version, through) or camera_id not in todo:
            continue
        camera = cameras[camera_id]
        start = recompute_from[camera_id]
        days = [start + timedelta(days=n) for n in range((through - start).days + 1)]
        parts = stretches(
            intervals[camera_id],
            bounds=[micros(midnight(d)) for d in days] + [micros(end)],
            data_end=micros(end),
            maintenance=planned_spans(windows, camera),
            in_service=in_service(camera),
            carried=carried.get(camera_id),
        )
        daily += [
            {"day": day, **_row(camera_id, part)}
            for day, part in zip(days, parts, strict=True)
            if day >= first[camera_id] and not part.empty
        ]
        monthly += _months(camera_id, days, parts, through)
    await _insert(session, daily, monthly)
    return len(daily)


async def _states(session: AsyncSession, camera_ids: Sequence[int]) -> dict[int, tuple[date | None, int]]:
    """Each camera's roll-up record: the day it is rolled up to (None: nothing yet) and its version."""
    rows = await session.execute(
        select(StatusRollup.camera_id, StatusRollup.through, StatusRollup.version).where(
            StatusRollup.camera_id.in_(camera_ids)
        )
    )
    return {camera_id: (done, version) for camera_id, done, version in rows}


async def _first_recorded(session: AsyncSession, camera_ids: list[int]) -> dict[int, datetime]:
    """When each camera's first recorded status began (absent: none recorded)."""
    rows = await session.execute(
        select(StatusInterval.camera_id, func.min(StatusInterval.started_at))
        .where(StatusInterval.camera_id.in_(camera_ids))
        .group_by(StatusInterval.camera_id)
    )
    return {camera_id: started_at for camera_id, started_at in rows}


def _first_counted_day(
    camera: CameraFacts, candidates: Sequence[MaintenanceWindow], recorded: datetime | None, through: date
) -> date:
    """A camera's first day with anything that counts (after ``through``: nothing yet)."""
    # From the first thing that counts: a recorded status, or a maintenance window covering the camera.
    starts = [
        w.starts_at for w in candidates if w.scope.covers(camera.id, camera.area, camera.site, camera.poller_group)
    ]
    if recorded is not None:
        starts.append(recorded)
    return local_day(min(starts)) if starts else through + timedelta(days=1)


async def _intervals(
    session: AsyncSession, camera_ids: set[int], *, since: datetime, end: datetime
) -> dict[int, list[Interval]]:
    """The cameras' status intervals overlapping ``since`` to ``end``, in order."""
    intervals: dict[int, list[Interval]] = defaultdict(list)
    if not camera_ids:
        return intervals
    rows = await session.execute(
        select(StatusInterval.camera_id, StatusInterval.status, StatusInterval.started_at, StatusInterval.ended_at)
        .where(
            StatusInterval.camera_id.in_(sorted(camera_ids)),
            StatusInterval.started_at < end,
            (StatusInterval.ended_at.is_(None)) | (StatusInterval.ended_at > since),
        )
        .order_by(StatusInterval.camera_id, StatusInterval.started_at)
    )
    for camera_id, status, started_at, ended_at in rows:
        intervals[camera_id].append(Interval(status.value, started_at, ended_at))
    return intervals


async def _claim(session: AsyncSession, camera_id: int, version: int, through: date) -> bool:
    """Mark the camera rolled up to ``through``, unless its record changed since it was read."""
    claimed = await session.execute(
        update(StatusRollup)
        .where(StatusRollup.camera_id == camera_id, StatusRollup.version == version)
        .values(through=through, version=version + 1)
        .execution_options(synchronize_session=False)
    )
    return getattr(claimed, "rowcount", 0) == 1


def _months(camera_id: int, days: list[date], parts: list[Stretch], through: date) -> list[dict[str, Any]]:
    """The monthly rows of the months among the days that have ended by ``through``."""
    by_month: dict[date, list[Stretch]] = defaultdict(list)
    for day, part in zip(days, parts, strict=True):
        by_month[day.replace(day=1)].append(part)
    result = []
    for month, month_parts in by_month.items():
        following = (month + timedelta(days=31)).replace(day=1)
        if following - timedelta(days=1) <= through and not (whole := fold(month_parts)).empty:
            result.append({"month": month, **_row(camera_id, whole)})
    return result


async def _insert(session: AsyncSession, daily: list[dict[str, Any]], monthly: list[dict[str, Any]]) -> None:
    # On the connection: a plain executemany, not the ORM's bulk insert (ten times slower here).
    connection = await session.connection()
    for model, rows_of in ((StatusDaily, daily), (StatusMonthly, monthly)):
        for offset in range(0, len(rows_of), 5000):
            await connection.execute(insert(model), rows_of[offset : offset + 5000])


def _row(camera_id: int, part: Stretch) -> dict[str, Any]:
    return {
        "camera_id": camera_id,
        "up_us": part.up,
        "degraded_us": part.degraded,
        "down_us": part.down,
        "maintenance_us": part.maintenance,
        "unknown_us": part.end - part.start - part.up - part.down - part.maintenance,
        "outages": part.starts,
        "longest_us": part.longest,
        "head_start_us": part.head_start,
        "head_end_us": part.head_end,
        "tail_start_us": part.tail_start,
    }


async def _tails(session: AsyncSession, days: dict[int, date]) -> dict[int, int | None]:
    """Where the outage running at the end of each camera's given day began (absent: none was running)."""
    found: dict[int, int | None] = {}
    by_day: dict[date, list[int]] = defaultdict(list)
    for camera_id, day in days.items():
        by_day[day].append(camera_id)
    for day, camera_ids in by_day.items():
        for chunk in chunks(camera_ids):
            rows = await session.execute(
                select(StatusDaily.camera_id, StatusDaily.tail_start_us).where(
                    StatusDaily.day == day, StatusDaily.camera_id.in_(chunk)
                )
            )
            found.update({camera_id: tail for camera_id, tail in rows})
    return found
