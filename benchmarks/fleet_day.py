"""A fleet's day (issue 17 item 5): N cameras registered, a simulated day of results through the recording path, then
the nightly jobs and the fleet-wide reads, with the memory and the database bytes it took.

    .venv/bin/python benchmarks/fleet_day.py                       # 1,000 cameras, 24 hours, PostgreSQL (make bench)
    .venv/bin/python benchmarks/fleet_day.py -n 50000              # the full 50,000-camera day (hours; see README)
    .venv/bin/python benchmarks/fleet_day.py -n 200 --hours 6 --engine sqlite

Time is compressed and no device is contacted: the cameras are bulk-inserted (the importer is measured by
scale_out.py), their check states made as a collector makes them, and the day is fed to `fleet.health.recording.record`
— what the poller calls with its batches — as synthetic outcomes of the reachability and ONVIF health checks, one
round per simulated hour in batches of 500. Hourly rounds store what a day at the default intervals stores: a
success that repeats the previous one is kept at most once an hour per check (recording.SAMPLE_EVERY), so the
skipped rounds would add CPU, not rows. One camera in 50 goes down for hours 3 to 6 (faults, alerts, tickets and
status intervals, then recovery). Then: the nightly roll-up of the day, the retention prune of its first half, the
dashboard's figures, the uptime report by camera over the whole fleet, and the inventory XLSX. Printed: each step's
seconds, database bytes per camera-day, and the peak RSS of this process (everything runs in it) and of any worker
process it started, against the 1 GB target. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import resource
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

from _common import (
    bench_settings,
    database_url,
    load_average,
    migrated,
    peak_rss_mb,
    run_in_workdir,
    server_cpu,
    server_cpu_since,
    target,
    timed,
)
from api.pages.dashboard import _figures as dashboard_figures
from config.checks import CheckKind
from config.settings import Settings
from config.zone import LOCAL
from fleet.cameras.models import Camera, CameraStatus
from fleet.db import Database
from fleet.health.claims import ensure_check_states
from fleet.health.models import CheckResult, ErrorClass
from fleet.health.recording import Outcome, record
from fleet.health.results import prune_results
from fleet.inventory import export
from fleet.inventory.service import build_inventory
from fleet.uptime.service import GroupBy, uptime_report
from scheduler.jobs import roll_up

BATCH = 500
KINDS = (CheckKind.REACHABILITY, CheckKind.ONVIF_HEALTH)
RSS_TARGET_MB = 1024.0
MAKERS = (("Axis Communications", "AXIS"), ("Hikvision", "HIKVISION"), ("Bosch Security Systems", "Bosch"))


async def register(database: Database, cameras: int, at: datetime) -> None:
    """N in-service cameras, bulk-inserted, with their check states."""
    rows = [
        {
            "name": f"DAY-{n:05d}",
            "host": f"10.{n // 62500}.{n // 250 % 250}.{n % 250 + 1}",
            "area": f"Wijk {n % 25:02d}",
            "site": f"Locatie {n % 400}",
            "poller_group": f"zone-{n % 4}",
            "declared_manufacturer": MAKERS[n % len(MAKERS)][0],
            "observed_manufacturer": MAKERS[n % len(MAKERS)][1],
            "latitude": 51.3 + (n % 1000) / 10000,
            "longitude": 6.1 + (n // 1000) / 10000,
            "installed_on": date(2015 + n % 10, 1 + n % 12, 1),
            "status": CameraStatus.UNKNOWN,
        }
        for n in range(cameras)
    ]
    async with database.unit_of_work() as session:
        for start in range(0, len(rows), 5000):
            await session.execute(insert(Camera), rows[start : start + 5000])
    if database.engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk load. In the bulk insert's own transaction, without statistics, the
        # planner's anti-join for dropping check states no camera should have took longer than the statement time
        # limit at 50,000 cameras.
        async with database.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
            await connection.execute(text("ANALYZE cameras"))
    async with database.unit_of_work() as session:
        await ensure_check_states(session, now=at)


def outcomes_of_hour(ids: list[int], hour: int, start: datetime, settings: Settings) -> list[Outcome]:
    """Every camera's reachability and ONVIF health result of one hour, spread over that hour."""
    found = []
    intervals = {
        CheckKind.REACHABILITY: settings.scheduler.reachability_interval,
        CheckKind.ONVIF_HEALTH: settings.scheduler.health_interval,
    }
    for n, camera_id in enumerate(ids):
        at = start + timedelta(hours=hour, seconds=n % 3600)
        down = n % 50 == 7 and 3 <= hour <= 6
        for kind in KINDS:
            found.append(
                Outcome(
                    camera_id=camera_id,
                    kind=kind,
                    at=at,
                    ok=not down,
                    duration_s=0.05,
                    next_due_at=at + intervals[kind],
                    error_class=ErrorClass.UNREACHABLE if down else None,
                    error="connect: no route to host" if down else None,
                    values={"clock_drift_s": 0.4} if kind is CheckKind.ONVIF_HEALTH and not down else {},
                )
            )
    return found


async def database_bytes(database: Database, settings: Settings) -> int:
    """The size of the database: PostgreSQL's own figure, or the SQLite file with its write-ahead log."""
    if database.engine.dialect.name == "postgresql":
        async with database.engine.connect() as connection:
            return int(await connection.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    path = Path(settings.database_url.split("///", 1)[1])
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


async def simulate_day(database: Database, settings: Settings, start: datetime, hours: int) -> int:
    """Feed the hours' outcomes through the recording path in poller-sized batches; returns how many."""
    async with database.unit_of_work() as session:
        ids = list((await session.scalars(select(Camera.id).order_by(Camera.id))).all())
    done = 0
    for hour in range(hours):
        outcomes = outcomes_of_hour(ids, hour, start, settings)
        for first in range(0, len(outcomes), BATCH):
            async with database.unit_of_work() as session:
                await record(session, outcomes[first : first + BATCH], settings=settings)
        done += len(outcomes)
        print(f"  hour {hour + 1:>2}/{hours}: {done} outcomes recorded, load average {load_average()}", flush=True)
    return done


async def nightly_and_reads(database: Database, settings: Settings, start: datetime, hours: int) -> dict[str, float]:
    """The nightly roll-up, the prune, and the fleet-wide reads, each timed."""
    figures: dict[str, float] = {}
    night = start + timedelta(days=1, hours=1)
    with timed() as step:
        figures["rollup_rows"] = await roll_up(database, settings, now=night)
    figures["rollup_s"], figures["rollup_cpu_s"] = step.seconds, step.cpu_s
    with timed() as step:
        async with database.unit_of_work() as session:
            # The retention prune, on the first half of the day (what falls out of retention each night).
            figures["pruned_rows"] = await prune_results(session, older_than=start + timedelta(hours=hours / 2))
    figures["prune_s"], figures["prune_cpu_s"] = step.seconds, step.cpu_s
    with timed() as step:
        async with database.unit_of_work() as session:
            await dashboard_figures(session, settings)
    figures["dashboard_s"], figures["dashboard_cpu_s"] = step.seconds, step.cpu_s
    with timed() as step:
        async with database.unit_of_work() as session:
            rows = await uptime_report(session, period=(start, start + timedelta(days=1)), by=GroupBy.CAMERA, now=night)
    figures["uptime_report_s"], figures["uptime_rows"] = step.seconds, len(rows)
    figures["uptime_report_cpu_s"] = step.cpu_s
    as_of = (start + timedelta(days=1)).date()
    with timed() as step:
        async with database.unit_of_work() as session:
            inventory = await build_inventory(session, settings=settings, as_of=as_of)
        figures["xlsx_bytes"] = len(export.to_xlsx(inventory, as_of=as_of))
    figures["inventory_xlsx_s"], figures["inventory_xlsx_cpu_s"] = step.seconds, step.cpu_s
    return figures


async def measure(args: argparse.Namespace, workdir: Path) -> str:
    """Register, simulate the day, run the nightly jobs and reads; print the figures; return the last line."""
    # Yesterday, from local midnight: a day that has ended, as the nightly roll-up finds it.
    start = datetime.combine(datetime.now(LOCAL).date() - timedelta(days=1), time(), tzinfo=LOCAL).astimezone(UTC)
    print(f"{args.cameras} cameras, {args.hours} hours, {args.engine}; load average {load_average()} (shared machine)")
    async with database_url(args.engine, workdir / args.engine) as url:
        settings = bench_settings(workdir / args.engine, url)
        database = await migrated(settings)
        with timed() as registering:
            await register(database, args.cameras, start)
        empty = await database_bytes(database, settings)
        server = await server_cpu(database)
        with timed() as day:
            outcomes = await simulate_day(database, settings, start, args.hours)
        day_server_cpu = server_cpu_since(server, await server_cpu(database))
        if database.engine.dialect.name == "postgresql":
            async with database.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
                await connection.execute(text("VACUUM ANALYZE"))  # what autovacuum does on a running server
        after_day = await database_bytes(database, settings)
        async with database.unit_of_work() as session:
            results = int(await session.scalar(select(func.count()).select_from(CheckResult)) or 0)
        figures = await nightly_and_reads(database, settings, start, args.hours)
        after_night = await database_bytes(database, settings)
        await database.dispose()
    camera_days = args.cameras * args.hours / 24
    own_rss = peak_rss_mb()
    workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rate = outcomes / day.seconds
    print(f"\nregistration (bulk insert + check states): {registering.seconds:.1f} s")
    print(f"the day: {outcomes} outcomes in {day.seconds:.1f} s ({rate:.0f}/s), {results} results kept")
    print(
        f"  CPU per outcome recorded: ours {day.cpu_s / outcomes * 1000:.3f} ms, the database server's "
        f"{day_server_cpu / outcomes * 1000:.3f} ms (wall clock {day.seconds / outcomes * 1000:.3f} ms on a shared "
        f"machine)"
    )
    print(
        f"database: {empty / 1e6:.1f} MB registered, {after_day / 1e6:.1f} MB after the day, "
        f"{after_night / 1e6:.1f} MB after roll-up and prune"
    )
    per_camera_day = (after_day - empty) / camera_days if camera_days else 0.0
    print(f"database bytes per camera-day: {per_camera_day:.0f} (the day's growth over {camera_days:.0f} camera-days)")
    for name in ("rollup", "prune", "dashboard", "uptime_report", "inventory_xlsx"):
        print(f"{name.replace('_', ' ')}: {figures[f'{name}_s']:.2f} s (our CPU {figures[f'{name}_cpu_s']:.2f} s)")
    print(
        f"  (roll-up wrote {figures['rollup_rows']:.0f} rows; prune removed {figures['pruned_rows']:.0f} results; "
        f"uptime report {figures['uptime_rows']:.0f} rows; XLSX {figures['xlsx_bytes'] / 1e6:.1f} MB)"
    )
    print(f"peak RSS: this process {own_rss:.0f} MB, worker processes {workers_rss:.0f} MB")
    target(
        f"peak RSS of each process < {RSS_TARGET_MB:.0f} MB",
        max(own_rss, workers_rss) < RSS_TARGET_MB,
        f"{own_rss:.0f} MB and {workers_rss:.0f} MB at {args.cameras} cameras",
    )
    return (
        f"cameras={args.cameras} hours={args.hours} engine={args.engine} outcomes_per_s={rate:.0f} "
        f"cpu_ms_per_outcome={day.cpu_s / outcomes * 1000:.3f} server_cpu_ms_per_outcome="
        f"{day_server_cpu / outcomes * 1000:.3f} "
        f"bytes_per_camera_day={per_camera_day:.0f} rollup_s={figures['rollup_s']:.2f} "
        f"prune_s={figures['prune_s']:.2f} "
        f"dashboard_s={figures['dashboard_s']:.2f} uptime_report_s={figures['uptime_report_s']:.2f} "
        f"inventory_xlsx_s={figures['inventory_xlsx_s']:.2f} rss_mb={own_rss:.0f} workers_rss_mb={workers_rss:.0f}"
    )


def main() -> int:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", "-n", type=int, default=1000)
    parser.add_argument("--hours", type=int, default=24, choices=range(1, 25), metavar="1-24")
    parser.add_argument("--engine", choices=("postgresql", "sqlite"), default="postgresql")
    return run_in_workdir(measure, parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
