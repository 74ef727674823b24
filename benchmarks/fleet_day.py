"""A fleet's day (issue 17 item 5): N cameras registered, a simulated day of results through the recording path, then
the nightly jobs and the fleet-wide reads, with the memory and the database bytes it took.

    .venv/bin/python benchmarks/fleet_day.py                       # 1,000 cameras, 24 hours, PostgreSQL (make bench)
    .venv/bin/python benchmarks/fleet_day.py -n 50000              # the full 50,000-camera day (hours; see README)
    .venv/bin/python benchmarks/fleet_day.py -n 200 --hours 6 --engine sqlite

Time is compressed and no device is contacted: the cameras are bulk-inserted (the importer is measured by
scale_out.py) with one recorder per 50 cameras keeping their footage, and one camera in 500 with footage under two
legal holds that abut; their check states are made as a collector makes them, and the day is fed to
`fleet.health.recording.record` — what the poller calls with its batches — as synthetic outcomes of the reachability
and ONVIF health checks of every device and each recorder's recording check (its recordings as the collector reads
them, stored as the poller stores them), one round per simulated hour in batches of 500 (benchmarks/_day.py). Hourly
rounds store what a day at the default intervals stores: a success that repeats the previous one is kept at most
once an hour per check (recording.SAMPLE_EVERY), so the skipped rounds would add CPU, not rows. One camera in 50 goes
down for hours 3 to 6 (faults, alerts, tickets and status intervals, then recovery); one recorder in 20 loses
footage from a quarter to half of the simulated hours (recording faults, then gaps in the footage kept). Then: the
nightly roll-up of the day, the retention prune of its first half, the dashboard's figures, the uptime report by
camera over the whole fleet with its recorded time and recording state, and the inventory XLSX with its footage
columns (both as the CLI and the API make them). Printed: each step's seconds, database bytes per camera-day, and
the peak RSS of this process (everything runs in it) and of any worker process it started, against the 1 GB target.
The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import resource
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import func, select, text

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
from _day import LOSING_EVERY, Fleet, outcomes_of_hour, register
from api.pages.dashboard import _figures as dashboard_figures
from config.settings import Settings
from config.zone import LOCAL
from fleet.db import Database
from fleet.health.models import CheckResult
from fleet.health.recording import record
from fleet.health.results import prune_results
from fleet.inventory.export import ExportFormat, render
from fleet.inventory.service import build_inventory
from fleet.recording.models import FootageSpan
from fleet.uptime.service import GroupBy, uptime_report
from scheduler.jobs import roll_up

BATCH = 500
RSS_TARGET_MB = 1024.0


async def database_bytes(database: Database, settings: Settings) -> int:
    """The size of the database: PostgreSQL's own figure, or the SQLite file with its write-ahead log."""
    if database.engine.dialect.name == "postgresql":
        async with database.engine.connect() as connection:
            return int(await connection.scalar(text("SELECT pg_database_size(current_database())")) or 0)
    path = Path(settings.database_url.split("///", 1)[1])
    return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists())


async def simulate_day(database: Database, settings: Settings, fleet: Fleet, start: datetime, hours: int) -> int:
    """Feed the hours' outcomes through the recording path in poller-sized batches; returns how many."""
    done = 0
    for hour in range(hours):
        outcomes = outcomes_of_hour(fleet, hour, start, hours, settings)
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
            rows = await uptime_report(
                session,
                period=(start, start + timedelta(days=1)),
                by=GroupBy.CAMERA,
                now=night,
                recording=settings.recording,
            )
    figures["uptime_report_s"], figures["uptime_rows"] = step.seconds, len(rows)
    states = Counter(row.recording_state for row in rows)
    print(f"  the uptime report's recording states: {', '.join(f'{k} {n}' for k, n in sorted(states.items()))}")
    figures["uptime_report_cpu_s"] = step.cpu_s
    as_of = (start + timedelta(days=1)).date()
    with timed() as step:
        async with database.unit_of_work() as session:
            inventory = await build_inventory(session, settings=settings, as_of=as_of)
        figures["xlsx_bytes"] = len(render(inventory, ExportFormat.XLSX, as_of))
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
            fleet = await register(database, args.cameras, start)
        empty = await database_bytes(database, settings)
        server = await server_cpu(database)
        with timed() as day:
            outcomes = await simulate_day(database, settings, fleet, start, args.hours)
        day_server_cpu = server_cpu_since(server, await server_cpu(database))
        if database.engine.dialect.name == "postgresql":
            async with database.engine.execution_options(isolation_level="AUTOCOMMIT").connect() as connection:
                await connection.execute(text("VACUUM ANALYZE"))  # what autovacuum does on a running server
        after_day = await database_bytes(database, settings)
        async with database.unit_of_work() as session:
            results = int(await session.scalar(select(func.count()).select_from(CheckResult)) or 0)
            spans = int(await session.scalar(select(func.count()).select_from(FootageSpan)) or 0)
        figures = await nightly_and_reads(database, settings, start, args.hours)
        after_night = await database_bytes(database, settings)
        await database.dispose()
    camera_days = args.cameras * args.hours / 24
    own_rss = peak_rss_mb()
    workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rate = outcomes / day.seconds
    print(f"\nregistration (bulk insert + check states): {registering.seconds:.1f} s")
    print(
        f"recorders: {len(fleet.recorders)} (one in {LOSING_EVERY} losing footage for a stretch of the day), "
        f"{spans} footage spans kept after the day"
    )
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
