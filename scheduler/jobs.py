"""APScheduler 3 wiring: the poll tick and housekeeping as jobs with explicit ids (only here is APScheduler known)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from collectors.registry import Collectors
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health import service as health
from scheduler.dispatcher import Dispatcher
from scheduler.polling import Poller

log = logging.getLogger(__name__)

POLL_JOB = "poll-tick"
DISPATCH_JOB = "dispatch-alerts"
PRUNE_JOB = "prune-results"


def collector_name(poller_group: str | None) -> str:
    """A name for this collector process, unique on the machine: host, pid and group."""
    return f"{socket.gethostname()}:{os.getpid()}:{poller_group or '*'}"


async def prune(database: Database, settings: Settings) -> int:
    """Delete raw results older than the retention setting."""
    async with database.unit_of_work() as session:
        removed = await health.prune_results(session, older_than=datetime.now(UTC) - settings.retention.raw_results)
    if removed:
        log.info("pruned %d raw results older than %s", removed, settings.retention.raw_results)
    return removed


def build_scheduler(settings: Settings, database: Database, poller: Poller, dispatcher: Dispatcher) -> AsyncIOScheduler:
    """A scheduler with the poll tick, the alert dispatcher and the hourly prune; no job overlaps itself."""
    scheduler = AsyncIOScheduler(timezone=UTC)

    async def tick() -> None:
        try:
            summary = await poller.tick()
        except Exception:
            # A database outage must not kill the job: the next tick tries again.
            log.exception("poll tick failed; retrying on the next tick")
            return
        if summary.checks:
            log.info(
                "polled %d checks on %d cameras: %d failed, %d status changes",
                summary.checks,
                len(summary.cameras),
                summary.failed,
                len(summary.status_changes),
            )

    async def dispatch() -> None:
        try:
            await dispatcher.run_once()
        except Exception:
            log.exception("alert dispatch failed; retrying on the next run")

    async def prune_job() -> None:
        try:
            await prune(database, settings)
        except Exception:
            log.exception("pruning raw results failed; retrying in an hour")

    tick_seconds = settings.scheduler.tick.total_seconds()
    scheduler.add_job(
        tick,
        "interval",
        seconds=tick_seconds,
        id=POLL_JOB,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=max(1, int(tick_seconds)),
        next_run_time=datetime.now(UTC),
    )
    dispatch_seconds = settings.alerts.dispatch_interval.total_seconds()
    scheduler.add_job(
        dispatch,
        "interval",
        seconds=dispatch_seconds,
        id=DISPATCH_JOB,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=max(1, int(dispatch_seconds)),
        next_run_time=datetime.now(UTC),
    )
    scheduler.add_job(
        prune_job, "interval", hours=1, id=PRUNE_JOB, max_instances=1, coalesce=True, misfire_grace_time=3600
    )
    return scheduler


@asynccontextmanager
async def running_collector(
    settings: Settings, database: Database, cipher: CredentialCipher, *, poller_group: str | None = None
) -> AsyncIterator[Poller]:
    """Collectors, poller, alert dispatcher and scheduler running until the block ends."""
    async with Collectors(device_timeout=settings.scheduler.device_timeout.total_seconds()) as collectors:
        owner = collector_name(poller_group)
        poller = Poller(database, settings, collectors, cipher, owner=owner, poller_group=poller_group)
        dispatcher = Dispatcher(database, settings, cipher, owner=owner)
        scheduler = build_scheduler(settings, database, poller, dispatcher)
        scheduler.start()
        try:
            yield poller
        finally:
            scheduler.shutdown(wait=False)
            await asyncio.sleep(0)
