"""Uptime report over a year of history (issue 6): 10,000 cameras × 12 months, about a dozen status changes per
camera per month, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/uptime_report.py [--cameras 10000] [--engines sqlite,postgresql]

Targets on this machine: the uptime report by camera as JSON in under 2 s on each engine; the annual PDF in under
30 s; database size per camera-year printed. PostgreSQL is the local server (127.0.0.1:5432, trust auth); the
benchmark makes a database of its own and drops it. The last line is machine-readable.

The history is written with bulk inserts, then the report is timed twice: first straight from the raw intervals
(the baseline, before any roll-up), then after the roll-up job has rolled up the year (timed too), as a running
camfleet has it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from _common import bench_settings, database_url, migrated, quiet_logging, ratio, target, timed
from config.settings import Settings
from config.zone import LOCAL
from fleet.cameras.models import Camera, CameraStatus
from fleet.db import Database
from fleet.health.models import StatusInterval
from fleet.reports.annual import annual_document
from fleet.uptime import export
from fleet.uptime.service import GroupBy, uptime_report
from scheduler.jobs import roll_up

YEAR = 2025
# The calendar year in Amsterdam time, as `camfleet report uptime --from 2025-01-01 --to 2026-01-01` asks for it.
START = datetime(YEAR, 1, 1, tzinfo=LOCAL).astimezone(UTC)
END = datetime(YEAR + 1, 1, 1, tzinfo=LOCAL).astimezone(UTC)


async def seed(database: Database, cameras: int, changes_per_month: int) -> int:
    rng = random.Random(11)
    async with database.unit_of_work() as session:
        await session.execute(
            insert(Camera),
            [
                {"name": f"Y-{n:05d}", "host": f"127.91.{n // 250}.{n % 250 + 1}", "area": f"Area {n % 25}"}
                for n in range(cameras)
            ],
        )
        ids = (await session.scalars(select(Camera.id))).all()
    total = 0
    for chunk in range(0, len(ids), 500):
        rows = []
        for camera_id in ids[chunk : chunk + 500]:
            moments = sorted(
                START + timedelta(seconds=rng.uniform(0, (END - START).total_seconds()))
                for _ in range(12 * changes_per_month)
            )
            status, at = CameraStatus.UP, START
            for moment in moments:
                rows.append({"camera_id": camera_id, "status": status, "started_at": at, "ended_at": moment})
                status = CameraStatus.DOWN if status is CameraStatus.UP else CameraStatus.UP
                at = moment
            rows.append({"camera_id": camera_id, "status": status, "started_at": at, "ended_at": None})
        async with database.unit_of_work() as session:
            await session.execute(insert(StatusInterval), rows)
        total += len(rows)
    return total


async def _report_json(database: Database) -> bytes:
    async with database.unit_of_work() as session:
        rows = await uptime_report(session, period=(START, END), by=GroupBy.CAMERA, now=END)
    return export.to_json(rows, period=(START, END), by=GroupBy.CAMERA)


async def _pdf_seconds(database: Database, settings: Settings) -> tuple[float, int]:
    """The annual report as PDF (Dutch): seconds and bytes."""
    with timed() as timing:
        async with database.unit_of_work() as session:
            document = await annual_document(session, year=YEAR, settings=settings, now=END, language="nl")
        pdf = await asyncio.to_thread(document.pdf)
    return timing.seconds, len(pdf)


async def _database_bytes(database: Database, label: str) -> int:
    if label == "sqlite":
        path = Path(database.settings.database_url.split("///", 1)[1])
        # SQLite keeps recent writes in its write-ahead log beside the file.
        return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())
    async with database.engine.connect() as connection:
        return int((await connection.execute(text("SELECT pg_database_size(current_database())"))).scalar_one())


async def measure(settings: Settings, label: str, cameras: int, changes: int) -> dict[str, float]:
    """Seed a year, report it from raw intervals, roll it up, report it again; the PDF and the size besides."""
    database = await migrated(settings)
    with timed() as seeding:
        intervals = await seed(database, cameras, changes)
    print(f"{label}: seeded {cameras} cameras, {intervals} status intervals in {seeding.seconds:.1f} s")
    figures: dict[str, float] = {}
    with timed() as timing:
        raw = await _report_json(database)
    figures["json_raw_s"] = timing.seconds
    print(f"{label}: uptime report by camera as JSON from raw intervals (baseline): {figures['json_raw_s']:.2f} s")
    with timed() as timing:
        days = await roll_up(database, settings, now=END + timedelta(hours=1))
    figures["rollup_s"] = timing.seconds
    print(f"{label}: roll-up of the year: {days} camera-days in {figures['rollup_s']:.1f} s")
    with timed() as timing:
        data = await _report_json(database)
    figures["json_s"] = timing.seconds
    print(
        f"{label}: uptime report by camera as JSON from roll-ups: {figures['json_s']:.2f} s ({len(data) / 1e6:.1f} MB)"
        f", {ratio(figures['json_raw_s'], figures['json_s']):.1f}x the baseline; same bytes: {data == raw}"
    )
    if label == "sqlite":
        figures["pdf_s"], pdf_bytes = await _pdf_seconds(database, settings)
        print(f"{label}: annual report PDF: {figures['pdf_s']:.2f} s ({pdf_bytes / 1e3:.0f} kB)")
    size = await _database_bytes(database, label)
    figures["bytes_per_camera_year"] = size / cameras
    print(f"{label}: database {size / 1e6:.0f} MB, {size / cameras / 1e3:.1f} kB per camera-year")
    await database.dispose()
    return figures


async def main() -> None:
    """Measure on each engine, print the targets, then the machine-readable line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", "-n", type=int, default=10_000)
    parser.add_argument("--changes-per-month", type=int, default=12)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    quiet_logging()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # as the CLI has it: SVG properties it skips
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for engine in ("sqlite", "postgresql"):
            if engine not in args.engines:
                continue
            async with database_url(engine, Path(tmp) / engine) as url:
                settings = bench_settings(Path(tmp) / engine, url)
                results[engine] = await measure(settings, engine, args.cameras, args.changes_per_month)
    for engine, figures in results.items():
        target(f"{engine} uptime JSON under 2 s", figures["json_s"] < 2, f"{figures['json_s']:.2f} s")
    if "pdf_s" in results.get("sqlite", {}):
        pdf_s = results["sqlite"]["pdf_s"]
        target("annual PDF under 30 s", pdf_s < 30, f"{pdf_s:.2f} s")
    print(
        " ".join(f"{engine}_{key}={value:.3f}" for engine, figures in results.items() for key, value in figures.items())
        + f" cameras={args.cameras}"
    )


if __name__ == "__main__":
    asyncio.run(main())
