"""APScheduler 3 wiring: the poll tick and housekeeping as jobs with explicit ids (only here is APScheduler known)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from collectors.registry import Collectors
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database, refresh_statistics
from fleet.decisions import compliance as decisions
from fleet.events import service as camera_events
from fleet.health import watch
from fleet.health.results import prune_results
from fleet.looplag import LoopLag
from fleet.recording import footage
from fleet.uptime import rollup
from fleet.uptime.facts import local_day
from fleet.vendor_risk import service as vendor_risk
from scheduler import failures
from scheduler.discovery import discover
from scheduler.dispatcher import Dispatcher
from scheduler.events import EventListener, listening
from scheduler.exclusive import sole_scheduler
from scheduler.polling import Poller
from scheduler.rotation import run_pending
from scheduler.traps import TrapListener, receiving_traps
from scheduler.watch import HEARTBEAT_JOB, heartbeat

log = logging.getLogger(__name__)

POLL_JOB = "poll-tick"
DISPATCH_JOB = "dispatch-alerts"
PRUNE_JOB = "prune-results"
DECISIONS_JOB = "deployment-compliance"
ROLLUP_JOB = "uptime-rollup"
ROTATION_JOB = "password-rotations"
EVENTS_CLAIM_JOB = "event-subscriptions"
EVENTS_FLUSH_JOB = "event-writes"
TRAPS_JOB = "trap-senders"
DISCOVERY_JOB = "network-discovery"
# Events heard are written this often (one transaction for all of them): soon enough that a tamper event's check
# runs at the next tick, seldom enough that a flood costs few transactions.
_EVENTS_FLUSH = timedelta(seconds=1)


def collector_name(poller_group: str | None) -> str:
    """A name for this collector process, unique on the machine: host, pid and group."""
    return f"{socket.gethostname()}:{os.getpid()}:{poller_group or '*'}"


async def prune(database: Database, settings: Settings) -> int:
    """Delete raw results, and heartbeats of collectors gone, older than the retention setting; events and footage
    coverage after their own. Then refresh the query planner's statistics (SQLite)."""
    async with database.unit_of_work() as session:
        removed = await prune_results(session, older_than=datetime.now(UTC) - settings.retention.raw_results)
        await watch.prune_heartbeats(session, older_than=datetime.now(UTC) - settings.retention.raw_results)
        await camera_events.prune(session, before=datetime.now(UTC) - settings.events.keep)
        await footage.prune(session, before=datetime.now(UTC) - settings.retention.footage_history)
    async with database.unit_of_work() as session:
        await refresh_statistics(session)
    if removed:
        log.info("pruned %d raw results older than %s", removed, settings.retention.raw_results)
    return removed


async def roll_up(database: Database, settings: Settings, *, now: datetime | None = None) -> int:
    """Roll up every camera's local days that have ended and are not rolled up yet; returns the rows written.

    One transaction per batch of cameras, so the poller is never held up for long.
    """
    through = local_day(now or datetime.now(UTC)) - timedelta(days=1)
    async with database.unit_of_work() as session:
        await rollup.add_missing(session)
        cameras = await rollup.behind(session, through=through)
    written = 0
    batch = settings.uptime.rollup_batch
    for start in range(0, len(cameras), batch):
        async with database.unit_of_work() as session:
            written += await rollup.roll_up_batch(session, cameras[start : start + batch], through=through)
    if written:
        log.info("rolled up %d camera-days of %d cameras through %s", written, len(cameras), through)
    return written


async def check_compliance(database: Database, settings: Settings, *, now: datetime | None = None) -> decisions.Outcome:
    """Check every flexible camera against its decisions once, in a transaction of its own (the scheduled job and
    ``camfleet poll`` both run this)."""
    async with database.unit_of_work() as session:
        return await decisions.check(session, now=now or datetime.now(UTC), settings=settings)


def every(
    scheduler: AsyncIOScheduler,
    job: Callable[[], Awaitable[None]],
    interval: timedelta,
    job_id: str,
    *,
    start_now: bool = True,
    backoff_max: timedelta | None = None,
) -> None:
    """Run ``job`` every ``interval``, never two at once; a failure is logged and a later run tries again.

    A database outage, for one, must not kill the job. After each failure in a row the job waits twice as long
    (up to ``backoff_max``) before it tries again: no crash loop, and one line per attempt, not a traceback per tick.
    """
    failed = 0
    resume_at = 0.0

    async def guarded() -> None:
        nonlocal failed, resume_at
        if time.monotonic() < resume_at:
            return
        try:
            await job()
        except failures.DATABASE_ERRORS as error:
            failed += 1
            wait = min(interval * 2 ** (failed - 1), max(interval, backoff_max or interval))
            resume_at = time.monotonic() + wait.total_seconds()
            log.error(
                "job %s: database unavailable or refusing writes (%s); failure %d in a row, next try in %s",
                job_id,
                failures.reason(error),
                failed,
                wait,
            )
        except Exception:
            failed += 1
            log.exception("job %s failed; it runs again in %s", job_id, interval)
        else:
            if failed:
                log.info("job %s recovered after %d failures in a row", job_id, failed)
            failed = 0

    seconds = interval.total_seconds()
    # APScheduler reads an explicit next_run_time of None as "paused": leave it out to start after one interval.
    first = {"next_run_time": datetime.now(UTC)} if start_now else {}
    scheduler.add_job(
        guarded,
        "interval",
        seconds=seconds,
        id=job_id,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=max(1, int(seconds)),
        **first,
    )


def stoppable(job: Callable[[], Awaitable[None]], runs: set[asyncio.Task[Any]]) -> Callable[[], Awaitable[None]]:
    """``job`` with each run in ``runs`` while under way, so that a stop can cancel it and wait until it unwound."""

    async def run() -> None:
        task = asyncio.current_task()
        if task is not None:
            runs.add(task)
        try:
            await job()
        except asyncio.CancelledError:
            # The stop's own cancel (see running_scheduler): no failure, and no traceback from APScheduler either.
            log.info("a scheduled job stopped mid-run")
        finally:
            runs.discard(task)

    return run


def build_scheduler(
    settings: Settings,
    database: Database,
    poller: Poller,
    dispatcher: Dispatcher,
    runs: set[asyncio.Task[Any]],
    listener: EventListener | None = None,
    traps: TrapListener | None = None,
) -> AsyncIOScheduler:
    """A scheduler with the poll tick, the alert dispatcher, decision compliance, uptime roll-ups, the hourly
    prune and, with a listener, the event subscriptions; the runs under way are in ``runs``."""
    scheduler = AsyncIOScheduler(timezone=UTC)

    async def tick() -> None:
        summary = await poller.tick()
        if summary.checks:
            log.info(
                "polled %d checks on %d cameras: %d failed, %d status changes",
                summary.checks,
                len(summary.cameras),
                summary.failed,
                len(summary.status_changes),
            )

    async def dispatch() -> None:
        await dispatcher.run_once()

    async def prune_job() -> None:
        await prune(database, settings)

    async def roll_up_job() -> None:
        await roll_up(database, settings)

    async def compliance() -> None:
        await check_compliance(database, settings)

    async def rotations() -> None:
        # Runs asked for over the API or a page; the CLI runs its own at once.
        await run_pending(
            database,
            poller.cipher,
            poller.collectors.account_transports,
            owner=f"collector:{poller.owner}",
            lease=settings.cameras.rotation_lease,
        )

    async def beat() -> None:
        await heartbeat(database, name=poller.owner, poller_group=poller.poller_group)

    async def discovery() -> None:
        await discover(database, settings, poller.collectors, poller.cipher, poller_group=poller.poller_group)

    # (id, job, interval, whether it runs at once or only after one interval)
    table: tuple[tuple[str, Callable[[], Awaitable[None]], timedelta, bool], ...] = (
        (POLL_JOB, tick, settings.scheduler.tick, True),
        (HEARTBEAT_JOB, beat, settings.scheduler.lease / 3, True),
        (DISPATCH_JOB, dispatch, settings.alerts.dispatch_interval, True),
        (PRUNE_JOB, prune_job, timedelta(hours=1), False),
        (DECISIONS_JOB, compliance, settings.decisions.check_interval, False),
        (ROLLUP_JOB, roll_up_job, settings.uptime.rollup_interval, False),
        (ROTATION_JOB, rotations, settings.scheduler.tick, True),
        (DISCOVERY_JOB, discovery, settings.discovery.table_interval, False),
    )
    if listener is not None:
        table += ((EVENTS_FLUSH_JOB, listener.flush, _EVENTS_FLUSH, True),)
    if listener is not None and settings.events.enabled:
        table += ((EVENTS_CLAIM_JOB, listener.refresh, settings.scheduler.lease / 3, True),)
    if traps is not None:
        # New cameras, and changed hosts or communities, are learnt this often.
        table += ((TRAPS_JOB, traps.refresh, settings.scheduler.lease / 3, False),)
    backoff = settings.scheduler.failure_backoff_max
    for job_id, job, interval, start_now in table:
        every(scheduler, stoppable(job, runs), interval, job_id, start_now=start_now, backoff_max=backoff)
    return scheduler


@asynccontextmanager
async def running_collector(
    settings: Settings,
    database: Database,
    cipher: CredentialCipher,
    *,
    poller_group: str | None = None,
    lag: LoopLag | None = None,
    traps: tuple[str, int] | None = None,
) -> AsyncIterator[Poller]:
    """Collectors, poller, alert dispatcher and scheduler running until the block ends.

    ``lag`` is the probe of the event loop the process already runs (``camfleet serve``); without one, the block
    runs its own. With ``traps``, SNMP traps are received on that address. On SQLite only one process may run them
    per database file (see scheduler/exclusive.py).
    """
    with sole_scheduler(settings):
        async with contextlib.AsyncExitStack() as stack:
            if lag is None:
                lag = await stack.enter_async_context(loop_lag(settings).running())
            async with running_scheduler(
                settings, database, cipher, poller_group=poller_group, lag=lag, traps=traps
            ) as poller:
                yield poller


def loop_lag(settings: Settings) -> LoopLag:
    """A probe of the event loop with the settings' warning threshold."""
    return LoopLag(settings.scheduler.loop_lag_warning.total_seconds())


@asynccontextmanager
async def running_scheduler(
    settings: Settings,
    database: Database,
    cipher: CredentialCipher,
    *,
    poller_group: str | None,
    lag: LoopLag | None = None,
    traps: tuple[str, int] | None = None,
) -> AsyncIterator[Poller]:
    """The scheduled jobs of one collector (and with ``traps`` its trap receiver on that address); on a stop its
    runs are cancelled and its claims given back at once."""
    async with database.unit_of_work() as session:
        # The vendor catalogue or the risk policy may have changed since the last run.
        await vendor_risk.reassess_all(session, settings)
    async with Collectors.for_settings(settings) as collectors:
        owner = collector_name(poller_group)
        poller = Poller(database, settings, collectors, cipher, owner=owner, poller_group=poller_group, lag=lag)
        dispatcher = Dispatcher(database, settings, cipher, owner=owner)
        runs: set[asyncio.Task[Any]] = set()
        async with contextlib.AsyncExitStack() as stack:
            listener = (
                await stack.enter_async_context(
                    listening(database, settings, cipher, owner=owner, poller_group=poller_group)
                )
                if settings.events.enabled or traps is not None
                else None
            )
            trap_listener = (
                await stack.enter_async_context(
                    receiving_traps(database, cipher, traps, listener, owner=owner, poller_group=poller_group)
                )
                if traps is not None and listener is not None
                else None
            )
            scheduler = build_scheduler(settings, database, poller, dispatcher, runs, listener, trap_listener)
            scheduler.start()
            try:
                yield poller
            finally:
                scheduler.shutdown(wait=False)  # cancels the runs under way
                if runs:
                    # A cancelled run rolls its transaction back; only then is what it claimed certain to be given
                    # back. The listener gives its subscriptions back as the stack closes.
                    await asyncio.wait(set(runs))
            try:
                await poller.release()
                await dispatcher.release()
            except failures.DATABASE_ERRORS as error:
                log.warning(
                    "could not give back claimed checks or alerts; they lapse with their lease: %s",
                    failures.reason(error),
                )
