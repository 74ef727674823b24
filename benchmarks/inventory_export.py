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
import random
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from _common import bench_settings, database_url, migrated, peak_rss_mb, quiet_logging, ratio, target, timed
from config.settings import Settings
from fleet.cameras.models import Camera, CameraStatus
from fleet.db import Database
from fleet.health.models import StatusInterval
from fleet.inventory import export
from fleet.inventory.service import InventoryRow, build_inventory
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


async def _rows(database: Database, settings: Settings) -> tuple[list[InventoryRow], float]:
    with timed() as timing:
        async with database.unit_of_work() as session:
            rows = await build_inventory(session, settings=settings, as_of=AS_OF)
    return rows, timing.seconds


def _files(rows: list[InventoryRow], figures: dict[str, float]) -> dict[str, int]:
    """Each format from the rows, timed into `figures`; returns the sizes in bytes."""
    renders: dict[str, Callable[[], bytes]] = {
        "csv": lambda: export.to_csv(rows),
        "json": lambda: export.to_json(rows, as_of=AS_OF),
        "geojson": lambda: export.to_geojson(rows, as_of=AS_OF),
        "xlsx": lambda: export.to_xlsx(rows, as_of=AS_OF),
    }
    sizes = {}
    for name, render in renders.items():
        with timed() as timing:
            sizes[name] = len(render())
        figures[f"{name}_s"] = timing.seconds
    return sizes


async def measure(settings: Settings, cameras: int) -> tuple[dict[str, float], dict[str, int]]:
    """Seed, build the rows from raw intervals, roll up, build them again and write every format."""
    database = await migrated(settings)
    with timed() as seeding:
        await seed(database, cameras)
    print(f"seeded {cameras} cameras in {seeding.seconds:.1f} s")
    figures: dict[str, float] = {}
    raw, figures["rows_raw_s"] = await _rows(database, settings)
    with timed() as timing:
        days = await roll_up(database, settings, now=datetime.combine(AS_OF, datetime.min.time(), tzinfo=UTC))
    figures["rollup_s"] = timing.seconds
    print(f"rolled up {days} camera-days in {figures['rollup_s']:.1f} s")
    rows, figures["rows_s"] = await _rows(database, settings)
    assert export.to_csv(rows) == export.to_csv(raw), "roll-ups changed the inventory"
    sizes = _files(rows, figures)
    await database.dispose()
    return figures, sizes


async def main() -> None:
    """Measure, print the table and the targets, then the machine-readable line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", "-n", type=int, default=10_000)
    args = parser.parse_args()
    quiet_logging()
    with tempfile.TemporaryDirectory() as tmp:
        async with database_url("sqlite", Path(tmp)) as url:
            figures, sizes = await measure(bench_settings(Path(tmp), url), args.cameras)
    rss_mb = peak_rss_mb()
    print(f"{'step':<10}{'seconds':>10}{'MB':>10}")
    print(f"{'rows, raw':<10}{figures['rows_raw_s']:>10.2f}{'':>10}  (baseline: no roll-ups)")
    faster = ratio(figures["rows_raw_s"], figures["rows_s"])
    print(f"{'rows':<10}{figures['rows_s']:>10.2f}{'':>10}  ({faster:.1f}x faster)")
    for name in ("csv", "json", "geojson", "xlsx"):
        print(f"{name:<10}{figures[name + '_s']:>10.2f}{sizes[name] / 1e6:>10.1f}")
    csv_total, xlsx_total = figures["rows_s"] + figures["csv_s"], figures["rows_s"] + figures["xlsx_s"]
    target("XLSX under 10 s", xlsx_total < 10, f"rows + file: {xlsx_total:.2f} s")
    target("CSV under 1 s", csv_total < 1, f"rows + file: {csv_total:.2f} s")
    print(
        f"cameras={args.cameras} rows_raw_s={figures['rows_raw_s']:.3f} rollup_s={figures['rollup_s']:.3f} "
        f"rows_s={figures['rows_s']:.3f} csv_s={figures['csv_s']:.3f} "
        f"json_s={figures['json_s']:.3f} geojson_s={figures['geojson_s']:.3f} xlsx_s={figures['xlsx_s']:.3f} "
        f"rss_mb={rss_mb:.0f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
