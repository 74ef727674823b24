"""Daily roll-ups in the database, on SQLite and PostgreSQL: reports from roll-ups equal reports from the raw
intervals exactly, also after late status changes, maintenance windows created after the fact, changed service
dates, and pruning of raw check results."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras import service as cameras
from fleet.cameras.models import Camera, CameraStatus
from fleet.cameras.schemas import CameraUpdate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.models import CheckResult, StatusInterval
from fleet.health.results import prune_results
from fleet.health.status import change_statuses
from fleet.maintenance import service as maintenance
from fleet.maintenance.schemas import MaintenanceWindowIn
from fleet.uptime.calc import Interval, Span, camera_figures
from fleet.uptime.models import StatusDaily, StatusMonthly, StatusRollup
from fleet.uptime.service import camera_figures_for
from scheduler.jobs import roll_up
from tests.builders import TEST_ACTOR, make_camera
from tests.fleet.uptime.histories import DAYS, STARTS, History, history, local_midnight, period

START = STARTS[0]  # around the change to summer time
NOW = local_midnight(START + timedelta(days=DAYS + 1)) + timedelta(hours=9)


def histories(seed: int, count: int) -> list[History]:
    rng = random.Random(seed)
    found = []
    while len(found) < count:
        candidate = history(rng)
        if candidate.first_day == START:
            candidate.now = NOW
            found.append(candidate)
    return found


async def seed(database: Database, cipher: CredentialCipher, found: list[History]) -> dict[int, History]:
    by_id = {}
    async with database.unit_of_work() as session:
        for number, one in enumerate(found):
            camera = await make_camera(
                session,
                cipher,
                name=f"R-{number:02d}",
                installed_on=one.installed_on and one.installed_on.isoformat(),
                retired_on=one.retired_on and one.retired_on.isoformat(),
            )
            by_id[camera.id] = one
            session.add_all(
                StatusInterval(
                    camera_id=camera.id, status=CameraStatus(i.status), started_at=i.started_at, ended_at=i.ended_at
                )
                for i in one.intervals
            )
            for start, end in one.windows:
                await add_window(session, camera.id, start, end)
    return by_id


async def add_window(session: object, camera_id: int, start: datetime, end: datetime) -> None:
    data = MaintenanceWindowIn(starts_at=start, ends_at=end, reason="test", camera_ids=[camera_id])
    await maintenance.create(session, actor=TEST_ACTOR, data=data)  # type: ignore[arg-type]


async def assert_reports_equal_raw(database: Database, by_id: dict[int, History], rng: random.Random) -> None:
    periods: list[Span] = [
        (local_midnight(START), local_midnight(START + timedelta(days=DAYS))),  # whole days only
        (local_midnight(START - timedelta(days=3)), NOW),  # up to now: today from the raw intervals
        (local_midnight(START.replace(day=1)), NOW),  # a whole month from the monthly roll-ups, then days
        (local_midnight(date(2026, 2, 25)) + timedelta(hours=5), local_midnight(date(2026, 4, 3)) + timedelta(hours=2)),
    ]
    periods += [period(rng, START) for _ in range(6)]
    for span in periods:
        async with database.unit_of_work() as session:
            report = await camera_figures_for(session, period=span, now=NOW)
        for camera_id, one in by_id.items():
            expected = camera_figures(
                one.intervals, period=span, now=NOW, maintenance=one.windows, in_service=one.in_service
            )
            assert report[camera_id][1] == expected, (camera_id, span)


async def rolled_rows(database: Database) -> int:
    async with database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(StatusDaily)) or 0)


async def test_roll_ups_give_exactly_the_raw_figures(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    by_id = await seed(database, cipher, histories(5, 14))
    rng = random.Random(9)
    await assert_reports_equal_raw(database, by_id, rng)  # nothing rolled up yet: all raw
    assert await roll_up(database, settings, now=NOW) > 0
    async with database.unit_of_work() as session:
        through = set(await session.scalars(select(StatusRollup.through)))
    assert through == {NOW.date() - timedelta(days=1)}
    async with database.unit_of_work() as session:
        months = set(await session.scalars(select(StatusMonthly.month)))
    assert months == {date(2026, 3, 1)}  # April has not ended
    await assert_reports_equal_raw(database, by_id, rng)
    assert await roll_up(database, settings, now=NOW) == 0  # nothing left to do


async def test_late_changes_invalidate_the_days_they_touch(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    by_id = await seed(database, cipher, histories(6, 10))
    await roll_up(database, settings, now=NOW)
    before = await rolled_rows(database)
    rng = random.Random(3)
    ids = sorted(by_id)
    async with database.unit_of_work() as session:
        # A maintenance window created afterwards for days long rolled up.
        start = local_midnight(START + timedelta(days=2)) + timedelta(hours=20)
        await add_window(session, ids[0], start, start + timedelta(hours=30))
        by_id[ids[0]].windows.append((start, start + timedelta(hours=30)))
        # A status change dated back into a rolled-up day (its streak began then).
        for camera_id in ids[1:]:
            one = by_id[camera_id]
            if one.intervals and one.intervals[-1].ended_at is None:
                last = one.intervals[-1]
                at = max(last.started_at, NOW - timedelta(days=1, hours=13))
                status = "down" if last.status != "down" else "up"
                camera = await session.get(Camera, camera_id)
                assert camera is not None
                await change_statuses(session, [(camera, CameraStatus(status), at)])
                one.intervals[-1] = Interval(last.status, last.started_at, at)
                one.intervals.append(Interval(status, at, None))
                break
        # A camera installed later than recorded.
        camera = await session.get(Camera, ids[-1])
        assert camera is not None
        installed = START + timedelta(days=4)
        await cameras.update(
            session,
            actor=TEST_ACTOR,
            camera=camera,
            data=CameraUpdate(installed_on=installed, retired_on=None),
            cipher=cipher,
        )
        by_id[ids[-1]].installed_on, by_id[ids[-1]].retired_on = installed, None
    assert await rolled_rows(database) < before  # dropped, not yet rolled up again
    await assert_reports_equal_raw(database, by_id, rng)
    assert await roll_up(database, settings, now=NOW) > 0
    await assert_reports_equal_raw(database, by_id, rng)


async def test_pruning_raw_results_changes_no_figure(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    by_id = await seed(database, cipher, histories(7, 4))
    async with database.unit_of_work() as session:
        for camera_id, one in by_id.items():
            session.add_all(
                CheckResult(
                    camera_id=camera_id,
                    kind=CheckKind.REACHABILITY,
                    at=i.started_at,
                    ok=i.status != "down",
                    duration_ms=1.0,
                )
                for i in one.intervals
            )
    await roll_up(database, settings, now=NOW)
    span = (local_midnight(START), NOW)
    async with database.unit_of_work() as session:
        before = {k: f for k, (_c, f) in (await camera_figures_for(session, period=span, now=NOW)).items()}
        removed = await prune_results(session, older_than=NOW)
    assert removed == sum(len(one.intervals) for one in by_id.values()) > 0
    async with database.unit_of_work() as session:
        after = {k: f for k, (_c, f) in (await camera_figures_for(session, period=span, now=NOW)).items()}
        assert await session.scalar(select(func.count()).select_from(CheckResult)) == 0
    assert after == before
