"""The APScheduler wiring: jobs with ids that never overlap, survive failures, and start when they should."""

from __future__ import annotations

import asyncio
import itertools
import logging
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from collectors.registry import Collectors
from config.settings import Settings
from fleet.cameras.models import CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from scheduler.dispatcher import Dispatcher
from scheduler.jobs import (
    DECISIONS_JOB,
    DISCOVERY_JOB,
    DISPATCH_JOB,
    POLL_JOB,
    PRUNE_JOB,
    ROLLUP_JOB,
    ROTATION_JOB,
    build_scheduler,
    every,
    prune,
)
from scheduler.polling import Poller
from scheduler.watch import HEARTBEAT_JOB
from tests.builders import make_camera
from tests.waiting import eventually


async def test_jobs_run_survive_failures_and_never_overlap() -> None:
    scheduler = AsyncIOScheduler()
    runs: list[str] = []
    running = 0
    overlap = False

    async def flaky() -> None:
        nonlocal running, overlap
        running += 1
        overlap = overlap or running > 1
        runs.append("run")
        await asyncio.sleep(0.25)  # longer than the interval
        running -= 1
        if len(runs) == 1:
            raise RuntimeError("database gone")

    async def later() -> None:
        runs.append("later")

    every(scheduler, flaky, timedelta(seconds=0.1), "flaky")
    every(scheduler, later, timedelta(hours=1), "later", start_now=False)
    scheduler.start()
    try:
        await eventually(lambda: runs.count("run"), lambda seen: seen >= 2, timeout=10, what="a run after the failure")
        job = scheduler.get_job("later")
        assert job is not None and job.next_run_time is not None  # scheduled, not paused
    finally:
        scheduler.shutdown(wait=False)
    assert runs.count("run") >= 2  # the failure did not stop the job
    assert "later" not in runs and not overlap


async def test_database_failures_back_off_with_one_line_each_then_recover(caplog: pytest.LogCaptureFixture) -> None:
    scheduler = AsyncIOScheduler()
    attempts: list[float] = []
    loop = asyncio.get_running_loop()

    async def full_disk() -> None:
        attempts.append(loop.time())
        if len(attempts) <= 3:
            raise OperationalError(
                "INSERT INTO check_results ...", {}, sqlite3.OperationalError("database or disk is full")
            )

    every(scheduler, full_disk, timedelta(seconds=0.05), "writer", backoff_max=timedelta(seconds=0.2))
    scheduler.start()
    try:
        with caplog.at_level(logging.INFO, logger="scheduler.jobs"):

            def recovered() -> bool:
                return any("recovered after" in r.getMessage() for r in caplog.records) and len(attempts) > 5

            await eventually(recovered, timeout=10, what="recovery and two more tries at the normal pace")
    finally:
        scheduler.shutdown(wait=False)
    gaps = [later - earlier for earlier, later in itertools.pairwise(attempts[:4])]
    # 0.05 s, then 0.1 s, then 0.2 s (the cap) between tries, not a try every 0.05 s.
    assert gaps[1] >= 0.09 and gaps[2] >= 0.19
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "scheduler.jobs"]
    assert len(errors) == 3 and all(r.exc_info is None for r in errors)
    assert "database or disk is full" in errors[0].getMessage()
    assert any("recovered after 3 failures" in r.getMessage() for r in caplog.records)
    assert len(attempts) > 5  # back at its normal pace afterwards


async def test_the_scheduler_has_each_job_once_with_its_interval_and_start(
    settings: Settings, database: Database, cipher: CredentialCipher
) -> None:
    async with Collectors(device_timeout=1.0) as collectors:
        poller = Poller(database, settings, collectors, cipher, owner="test")
        scheduler = build_scheduler(
            settings, database, poller, Dispatcher(database, settings, cipher, owner="test"), set()
        )
        scheduler.start(paused=True)
        try:
            started = datetime.now(UTC)
            jobs = {job.id: job for job in scheduler.get_jobs()}
            expected = {
                POLL_JOB: (settings.scheduler.tick, True),
                DISPATCH_JOB: (settings.alerts.dispatch_interval, True),
                PRUNE_JOB: (timedelta(hours=1), False),
                DECISIONS_JOB: (settings.decisions.check_interval, False),
                ROLLUP_JOB: (settings.uptime.rollup_interval, False),
                HEARTBEAT_JOB: (settings.scheduler.lease / 3, True),
                ROTATION_JOB: (settings.scheduler.tick, True),
                DISCOVERY_JOB: (settings.discovery.table_interval, False),
            }
            assert set(jobs) == set(expected)
            for job_id, (interval, start_now) in expected.items():
                job = jobs[job_id]
                assert job.trigger.interval == interval and job.max_instances == 1 and job.coalesce
                first = job.next_run_time - started
                # At once, or only after one interval (and never paused: APScheduler reads None as paused).
                assert first < interval / 2 if start_now else first > interval / 2, job_id
        finally:
            scheduler.shutdown(wait=False)


async def test_the_hourly_prune_gives_sqlites_planner_statistics(
    database: Database, settings: Settings, cipher: CredentialCipher, engine_name: str
) -> None:
    async with database.unit_of_work() as session:
        for n in range(3):
            camera = await make_camera(session, cipher)
            camera.status = CameraStatus.DOWN if n else CameraStatus.UP
    await prune(database, settings)
    if engine_name == "sqlite":  # PostgreSQL's autovacuum keeps its own
        async with database.unit_of_work() as session:
            found = await session.execute(text("SELECT idx FROM sqlite_stat1 WHERE tbl = 'cameras'"))
            assert "ix_cameras_status_name" in {row[0] for row in found}
