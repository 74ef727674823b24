"""The Poller's ticks as measured rounds (poll_throughput.py): a fresh database with the fleet imported, every check
kind but the three health checks held back, then a tick over fresh check states and one in steady state, on SQLite
and again on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update

from _common import bench_settings, database_url, import_fleet, migrated, server_cpu, server_cpu_since, timed
from _rounds import Bench, Round
from collectors.registry import Collectors
from config.checks import CheckKind
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.claims import ensure_check_states
from fleet.health.models import CheckResult as StoredResult
from fleet.health.models import CheckState
from scheduler.polling import Poller

ALL_HEALTH = (CheckKind.REACHABILITY, CheckKind.ONVIF_HEALTH, CheckKind.SNMP)


async def prepare_database(settings: Settings, fleet_csv: Path) -> tuple[Database, CredentialCipher, float]:
    """Migrate a fresh SQLite database and import the fleet file through camfleet's importer."""
    database = await migrated(settings)
    with timed() as timing:
        cipher = await import_fleet(database, settings, fleet_csv)
    return database, cipher, timing.seconds


# Checks the poller ticks leave out: every kind but the three health checks (the daily identity check has its own
# round; stream and image checks, hourly, a 1080p snapshot each, are measured by benchmarks/image_analysis.py).
HELD_KINDS = tuple(kind for kind in CheckKind if kind not in ALL_HEALTH)


async def hold_identity_checks(database: Database, now: datetime) -> int:
    """Create the check states and lease every other check state (HELD_KINDS) to nobody for a day.

    The Poller has no parameter to choose check kinds; a live lease held by another owner is what
    makes `claim_due` pass a check by, so the tick runs only reachability, onvif_health and snmp.
    """
    async with database.unit_of_work() as session:
        await ensure_check_states(session, now=now)
        held = await session.execute(
            update(CheckState)
            .where(CheckState.kind.in_(HELD_KINDS))
            .values(lease_owner="benchmark: held back", lease_expires_at=now + timedelta(days=1))
        )
    return int(getattr(held, "rowcount", 0) or 0)


async def poller_rounds(
    bench: Bench,
    database: Database,
    settings: Settings,
    collectors: Collectors,
    *,
    cipher: CredentialCipher,
    profile: bool = False,
) -> tuple[Round, Round]:
    """Two Poller ticks recording into SQLite: the first over fresh check states, then one in steady state.

    The first tick moves every camera from unknown to up (status changes, every result stored); in the
    second nothing changes, as in most ticks of a running collector.
    """
    now = datetime.now(UTC)
    held = await hold_identity_checks(database, now)
    poller = Poller(database, settings, collectors, cipher, owner="benchmark")
    first = await _tick_round(bench, database, poller, "poller tick 1 (fresh: all status changes)", now, held)
    now = datetime.now(UTC)
    async with database.unit_of_work() as session:
        await session.execute(update(CheckState).where(CheckState.kind.not_in(HELD_KINDS)).values(next_due_at=now))
    second = await _tick_round(
        bench, database, poller, "poller tick 2 (steady: nothing changes)", now, held, profile=profile
    )
    return first, second


async def _tick_round(
    bench: Bench,
    database: Database,
    poller: Poller,
    name: str,
    now: datetime,
    held: int,
    *,
    profile: bool = False,
) -> Round:
    summaries: list[Any] = []
    async with database.unit_of_work() as session:
        stored_before = await session.scalar(select(func.count()).select_from(StoredResult)) or 0

    async def run() -> list[bool | str]:
        # Not tick(everything=True): with more check states than one batch it never returns (see README).
        result = await poller.tick(now=now)
        summaries.append(result)
        return [True] * (result.checks - result.failed) + ["poller:failed"] * result.failed

    server = await server_cpu(database)
    measured = await bench.measure(name, run, len(bench.fleet), profile=profile)
    measured.server_cpu_s = server_cpu_since(server, await server_cpu(database))
    async with database.unit_of_work() as session:
        stored = (await session.scalar(select(func.count()).select_from(StoredResult)) or 0) - stored_before
    summary = summaries[0]
    measured.note = (
        f"{len(summary.cameras)} cameras, {len(summary.status_changes)} status changes, {stored} results stored; "
        f"{held} checks of other kinds held back"
    )
    print(f"{'':<42} {measured.note}")
    return measured


async def postgres_poller_rounds(
    bench: Bench, settings: Settings, collectors: Collectors, fleet_csv: Path
) -> tuple[Round, Round]:
    """The two ticks again, recording into a fresh PostgreSQL database (dropped at the end)."""
    async with database_url("postgresql", settings.data_dir / "postgresql") as url:
        pg = bench_settings(settings.data_dir / "postgresql", url)
        database, cipher, _seconds = await prepare_database(pg, fleet_csv)
        try:
            return await poller_rounds(bench, database, pg, collectors, cipher=cipher)
        finally:
            await database.dispose()
