"""Inventory export of 10,000 cameras: building the rows, then XLSX, CSV, JSON and GeoJSON (issue 5).

    .venv/bin/python benchmarks/inventory_export.py [--cameras 10000]

Targets on this machine: XLSX under 10 s, CSV under 1 s. The cameras are written straight into a fresh SQLite
database (identity observed, risk assessed, a year of status changes for a tenth of them), so the figures are
the export's own. The rows are built twice: from the raw status intervals (the baseline), and after the roll-up
job has rolled up the year (timed too), as in a running camfleet. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import resource
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from config.settings import Settings
from fleet import schema
from fleet.cameras.models import Camera, CameraStatus
from fleet.db import Database
from fleet.health.models import StatusInterval
from fleet.inventory import export
from fleet.inventory.service import build_inventory
from fleet.vendor_risk.service import reassess_all
from scheduler.jobs import roll_up

AS_OF = date(2026, 6, 1)
MAKERS = (
    ("Axis Communications", "AXIS", "Q1615-LE Mk III", "10.12.114", "ac:cc:8e"),
    ("Hikvision", "HIKVISION", "DS-2CD2132F-IS", "V5.3.0 build 150513", "44:19:b6"),
    ("Dahua", "Dahua", "IPC-HFW2431S", "2.800.0000000.16.R, Build Date: 2022-08-26", "3c:ef:8c"),
    ("Bosch Security Systems", "Bosch", "FLEXIDOME IP 5100i IR", "8.71.0066", "00:07:5f"),
    ("Hanwha Vision", "Hanwha Vision", "QNV-6082R", "2.21.01_20230606", "00:16:6c"),
)


async def seed(database: Database, cameras: int) -> None:
    rng = random.Random(7)
    rows = []
    for n in range(cameras):
        declared, maker, model, firmware, oui = MAKERS[n % len(MAKERS)]
        rows.append(
            {
                "name": f"BENCH-{n:05d}",
                "host": f"127.90.{n // 250}.{n % 250 + 1}",
                "latitude": 51.3 + rng.random() / 10,
                "longitude": 6.1 + rng.random() / 10,
                "area": f"Area {n % 20}",
                "site": f"Site {n % 50}",
                "declared_manufacturer": declared,
                "declared_model": model,
                "observed_manufacturer": maker,
                "observed_model": model,
                "observed_firmware": firmware,
                "observed_mac": f"{oui}:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}",
                "installed_on": date(2012 + n % 14, 1 + n % 12, 1 + n % 28),
                "status": CameraStatus.UP,
            }
        )
    async with database.unit_of_work() as session:
        await session.execute(insert(Camera), rows)
    async with database.unit_of_work() as session:
        await reassess_all(session, database.settings)
        ids = (await session.scalars(select(Camera.id))).all()
        start = datetime(2025, 6, 1, tzinfo=UTC)
        intervals = []
        for camera_id in ids[:: max(1, len(ids) // (cameras // 10 or 1))]:
            at = start
            for month in range(12):
                down = at + timedelta(days=month * 30 + rng.randint(0, 20))
                intervals.append(
                    {"camera_id": camera_id, "status": CameraStatus.UP, "started_at": at, "ended_at": down}
                )
                at = down + timedelta(hours=rng.randint(1, 48))
                intervals.append(
                    {"camera_id": camera_id, "status": CameraStatus.DOWN, "started_at": down, "ended_at": at}
                )
        await session.execute(insert(StatusInterval), intervals)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", "-n", type=int, default=10_000)
    args = parser.parse_args()
    # Progress lines (migrations, the roll-up job) would only drown the figures.
    logging.basicConfig(level=logging.WARNING, force=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="benchmark-secret-key-that-is-long-enough")
        await asyncio.to_thread(schema.upgrade, settings.database_url)
        database = Database(settings)
        started = time.perf_counter()
        await seed(database, args.cameras)
        print(f"seeded {args.cameras} cameras in {time.perf_counter() - started:.1f} s")
        figures: dict[str, float] = {}
        started = time.perf_counter()
        async with database.unit_of_work() as session:
            raw = await build_inventory(session, settings=settings, as_of=AS_OF)
        figures["rows_raw_s"] = time.perf_counter() - started
        started = time.perf_counter()
        days = await roll_up(database, settings, now=datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC))
        figures["rollup_s"] = time.perf_counter() - started
        print(f"rolled up {days} camera-days in {figures['rollup_s']:.1f} s")
        started = time.perf_counter()
        async with database.unit_of_work() as session:
            rows = await build_inventory(session, settings=settings, as_of=AS_OF)
        figures["rows_s"] = time.perf_counter() - started
        assert export.to_csv(rows) == export.to_csv(raw), "roll-ups changed the inventory"
        sizes = {}
        for name, render in (
            ("csv", lambda: export.to_csv(rows)),
            ("json", lambda: export.to_json(rows, as_of=AS_OF)),
            ("geojson", lambda: export.to_geojson(rows, as_of=AS_OF)),
            ("xlsx", lambda: export.to_xlsx(rows, as_of=AS_OF)),
        ):
            started = time.perf_counter()
            data = render()
            figures[f"{name}_s"] = time.perf_counter() - started
            sizes[name] = len(data)
        await database.dispose()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'step':<10}{'seconds':>10}{'MB':>10}")
    print(f"{'rows, raw':<10}{figures['rows_raw_s']:>10.2f}{'':>10}  (baseline: no roll-ups)")
    print(f"{'rows':<10}{figures['rows_s']:>10.2f}{'':>10}  ({figures['rows_raw_s'] / figures['rows_s']:.1f}x faster)")
    for name in ("csv", "json", "geojson", "xlsx"):
        print(f"{name:<10}{figures[name + '_s']:>10.2f}{sizes[name] / 1e6:>10.1f}")
    csv_total, xlsx_total = figures["rows_s"] + figures["csv_s"], figures["rows_s"] + figures["xlsx_s"]
    print(f"target {'MET' if xlsx_total < 10 else 'MISSED'}: XLSX under 10 s (rows + file: {xlsx_total:.2f} s)")
    print(f"target {'MET' if csv_total < 1 else 'MISSED'}: CSV under 1 s (rows + file: {csv_total:.2f} s)")
    print(
        f"cameras={args.cameras} rows_raw_s={figures['rows_raw_s']:.3f} rollup_s={figures['rollup_s']:.3f} "
        f"rows_s={figures['rows_s']:.3f} csv_s={figures['csv_s']:.3f} "
        f"json_s={figures['json_s']:.3f} geojson_s={figures['geojson_s']:.3f} xlsx_s={figures['xlsx_s']:.3f} "
        f"rss_mb={rss_mb:.0f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
