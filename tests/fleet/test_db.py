"""The database as a dependency: time limits on every wait, and a SQLite file only its owner can read."""

from __future__ import annotations

import logging
import stat
import time
from datetime import timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import make_url, text

from config.settings import DatabaseSettings, Settings
from fleet.db import Database
from scheduler.failures import DATABASE_ERRORS
from scheduler.jobs import every
from tests.conftest import TEST_SECRET
from tests.peers.stalling_proxy import StallingProxy
from tests.waiting import eventually

LIMITS = DatabaseSettings(connect_timeout=timedelta(seconds=1), statement_timeout=timedelta(seconds=1))


async def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=TEST_SECRET)
    database = Database(settings)
    try:
        async with database.unit_of_work() as session:
            await session.execute(text("CREATE TABLE t (x INTEGER)"))
    finally:
        await database.dispose()
    files = sorted(tmp_path.glob("camfleet.db*"))
    assert files
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in files} == {path.name: 0o600 for path in files}


def _through(proxy: StallingProxy, postgres_url: str) -> Settings:
    url = make_url(postgres_url).set(host="127.0.0.1", port=proxy.port)
    return Settings(database_url=url.render_as_string(hide_password=False), secret_key=TEST_SECRET, database=LIMITS)


async def _select_one(database: Database) -> int:
    async with database.unit_of_work() as session:
        return int((await session.execute(text("SELECT 1"))).scalar_one())


@pytest.mark.postgres
async def test_a_postgres_that_stops_answering_fails_within_the_time_limit_then_recovers(postgres_url: str) -> None:
    async with StallingProxy("127.0.0.1", 5432) as proxy:
        database = Database(_through(proxy, postgres_url))
        try:
            assert await _select_one(database) == 1
            proxy.stall()
            started = time.monotonic()
            # Whatever the driver raises, it must be one the scheduler counts as the database failing.
            with pytest.raises(DATABASE_ERRORS) as failed:
                await _select_one(database)
            waited = time.monotonic() - started
            # One statement limit (1 s) for the pooled connection's ping, maybe one connect limit (1 s) after it.
            assert waited < 5, f"waited {waited:.1f} s on a database that does not answer ({failed.value!r})"
            proxy.resume()
            assert await eventually(lambda: _recovered(database), timeout=30, what="the database to answer again")
        finally:
            await database.dispose()


async def _recovered(database: Database) -> bool:
    try:
        return await _select_one(database) == 1
    except DATABASE_ERRORS:  # a connection that stalled, dropped on resume: the pool makes a new one
        return False


@pytest.mark.postgres
async def test_a_job_on_a_stalled_postgres_logs_within_one_time_limit(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with StallingProxy("127.0.0.1", 5432) as proxy:
        database = Database(_through(proxy, postgres_url))
        scheduler = AsyncIOScheduler()

        async def writer() -> None:
            await _select_one(database)

        try:
            assert await _select_one(database) == 1
            proxy.stall()
            every(scheduler, writer, timedelta(seconds=0.2), "writer", backoff_max=timedelta(seconds=1))
            with caplog.at_level(logging.INFO, logger="scheduler.jobs"):
                scheduler.start()

                async def logged() -> bool:
                    return any(r.levelno == logging.ERROR and r.name == "scheduler.jobs" for r in caplog.records)

                started = time.monotonic()
                await eventually(logged, timeout=10, what="one error line for the stalled database")
                assert time.monotonic() - started < 5
        finally:
            scheduler.shutdown(wait=False)
            proxy.resume()
            await database.dispose()
