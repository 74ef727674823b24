"""Watching the watchers: collectors' heartbeats, and the sweep that finds silent poller groups and unchecked cameras.

Every collector beats every third of a lease. The sweep runs in `camfleet serve` (with or without its own
scheduler), so it goes on when every collector of a group is dead; without a scheduler of its own, serve also
dispatches the alerts, so a silent group's alert goes out even when no collector is left anywhere.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health import watch
from scheduler import failures
from scheduler.dispatcher import Dispatcher

log = logging.getLogger(__name__)

HEARTBEAT_JOB = "collector-heartbeat"
WATCH_JOB = "staleness-watch"
WATCH_DISPATCH_JOB = "watch-dispatch-alerts"


async def heartbeat(database: Database, *, name: str, poller_group: str | None) -> None:
    """Say that the collector ``name`` is alive now."""
    async with database.unit_of_work() as session:
        await watch.beat(session, name=name, poller_group=poller_group, now=datetime.now(UTC))


async def watch_once(database: Database, settings: Settings, *, watching_since: datetime) -> watch.WatchSummary:
    """One sweep for silent poller groups and unchecked cameras, in a transaction of its own."""
    async with database.unit_of_work() as session:
        summary = await watch.sweep(session, now=datetime.now(UTC), settings=settings, watching_since=watching_since)
    for fault in summary.faults.opened:
        log.warning("nobody is checking poller group %s: %s", fault.details.get("poller_group"), fault.summary)
    for fault in summary.faults.closed:
        log.info("a collector of poller group %s is heard again", fault.details.get("poller_group"))
    if summary.status_changes:
        log.warning("%d cameras not checked lately: status unknown", len(summary.status_changes))
    return summary


@asynccontextmanager
async def running_watch(
    settings: Settings, database: Database, cipher: CredentialCipher, *, dispatch: bool
) -> AsyncIterator[None]:
    """The staleness sweep every third of a lease (and, with ``dispatch``, an alert dispatcher) until the block ends."""
    # Imported here: jobs imports the poller, which the watch has no need of otherwise.
    from scheduler.jobs import collector_name, every, stoppable

    # Since when the watch has seen the database without a break: silence is counted from then at the earliest.
    seeing: list[datetime | None] = [datetime.now(UTC)]
    scheduler = AsyncIOScheduler(timezone=UTC)
    runs: set[asyncio.Task[Any]] = set()
    backoff = settings.scheduler.failure_backoff_max

    async def sweep() -> None:
        # After an outage the collectors' heartbeat jobs may still be backing off (up to failure_backoff_max):
        # their silence counts from when they are certain to have tried again.
        since = seeing[0] or datetime.now(UTC) + backoff
        try:
            await watch_once(database, settings, watching_since=since)
        except failures.DATABASE_ERRORS:
            # Nobody could write while the database was away: the collectors get their time again after it.
            seeing[0] = None
            raise
        seeing[0] = since

    every(scheduler, stoppable(sweep, runs), settings.scheduler.lease / 3, WATCH_JOB, backoff_max=backoff)
    dispatcher = Dispatcher(database, settings, cipher, owner=f"{collector_name(None)}:watch") if dispatch else None
    if dispatcher is not None:

        async def deliver() -> None:
            await dispatcher.run_once()

        interval = settings.alerts.dispatch_interval
        every(scheduler, stoppable(deliver, runs), interval, WATCH_DISPATCH_JOB, backoff_max=backoff)
    scheduler.start()
    try:
        yield
    finally:
        scheduler.shutdown(wait=False)
        if runs:
            await asyncio.wait(set(runs))
        if dispatcher is not None:
            try:
                await dispatcher.release()
            except failures.DATABASE_ERRORS as error:
                log.warning(
                    "could not give back claimed alerts; they lapse with their lease: %s", failures.reason(error)
                )
