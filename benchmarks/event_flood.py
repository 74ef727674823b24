"""One camera floods 1,000 events a second: are the other cameras still checked on time? (issue 21)

    .venv/bin/python benchmarks/event_flood.py [--cameras 50] [--phase 40] [--flood 1000] [--engine sqlite]

A simulator process (its own core where there are two) runs the fleet; camfleet runs one collector's real jobs
(`scheduler.jobs.running_scheduler`: the poll tick, event subscriptions on every camera) with a reachability
interval of 5 s. Two phases of `--phase` seconds: a baseline with every camera quiet, then one camera raising
`--flood` events a second. In each phase the gaps between two reachability runs of every *other* camera are read
from `check_states` twice a second; the figures are the 99th percentile and the largest gap as a multiple of the
interval, and the flood phase's as a ratio of the baseline's from the same run. Also printed: the flooding
camera's events received and dropped (its rate limit), and camfleet's CPU seconds per phase. The machine is shared:
the load average is printed. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from _common import (
    ENGINES,
    bench_settings,
    database_url,
    import_fleet,
    load_average,
    migrated,
    ratio,
    run_in_workdir,
    target,
)
from _fleet import SimulatorProcess, bench_cameras, write_fleet_csv
from config.checks import CheckKind
from fleet.cameras.models import Camera
from fleet.db import Database
from fleet.events.models import EventCount
from fleet.health.models import CheckState
from scheduler.jobs import running_scheduler

INTERVAL = timedelta(seconds=5)
# The others are on time when their worst gap stays within this multiple of the interval (jitter is ±10 %).
TARGET_MAX_GAP = 1.5


def _patch(control_port: int, camera: str, body: dict[str, object]) -> None:
    request = urllib.request.Request(
        f"http://127.0.0.1:{control_port}/cameras/{camera}",
        data=json.dumps(body).encode(),
        method="PATCH",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()


async def _gaps(database: Database, seconds: float, skip: int | None) -> list[float]:
    """Gaps between reachability runs of every camera but ``skip``, seen over ``seconds``, in intervals."""
    last: dict[int, datetime] = {}
    gaps: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        async with database.unit_of_work() as session:
            rows = await session.execute(
                select(CheckState.camera_id, CheckState.last_run_at).where(CheckState.kind == CheckKind.REACHABILITY)
            )
        for camera_id, ran in rows:
            if camera_id == skip or ran is None:
                continue
            before = last.get(camera_id)
            if before is not None and ran > before:
                gaps.append((ran - before) / INTERVAL)
            last[camera_id] = ran
        await asyncio.sleep(0.5)
    return gaps


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else (values[0] if values else 0.0)


async def benchmark(args: argparse.Namespace, workdir: Path) -> str:
    fleet = bench_cameras(args.cameras, network="127.85", prefix="FLOOD", snmp=False)
    fleet_csv = workdir / "fleet.csv"
    write_fleet_csv(fleet_csv, fleet)
    simulator = SimulatorProcess(fleet_csv, workdir / "simulator.log", cpu=1 if (os.cpu_count() or 1) > 1 else None)
    simulator.start()
    try:
        simulator.wait_ready(len(fleet), fleet[-1], deadline_s=120)
        async with database_url(args.engine, workdir / "data") as url:
            scheduler = {"reachability_interval": INTERVAL, "tick": timedelta(seconds=1)}
            settings = bench_settings(workdir / "data", url, scheduler=scheduler)
            database = await migrated(settings)
            cipher = await import_fleet(database, settings, fleet_csv)
            async with running_scheduler(settings, database, cipher, poller_group=None):
                await asyncio.sleep(INTERVAL.total_seconds() * 3)  # first rounds, subscriptions made
                cpu = time.process_time()
                quiet = await _gaps(database, args.phase, skip=None)
                quiet_cpu, cpu = time.process_time() - cpu, time.process_time()
                async with database.unit_of_work() as session:
                    flooder = await session.scalar(select(Camera.id).where(Camera.name == fleet[0].name))
                _patch(simulator.control_port, fleet[0].name, {"event_flood": args.flood})
                flooded = await _gaps(database, args.phase, skip=flooder)
                flood_cpu = time.process_time() - cpu
                _patch(simulator.control_port, fleet[0].name, {"event_flood": 0})
                await asyncio.sleep(2)  # the last events written
            async with database.unit_of_work() as session:
                counts = (await session.scalars(select(EventCount).where(EventCount.camera_id == flooder))).all()
            await database.dispose()
    finally:
        simulator.stop()
    received = sum(c.received for c in counts)
    dropped = sum(c.dropped for c in counts)
    print(f"load average {load_average()}; {args.cameras} cameras, {args.engine}, phases of {args.phase:g} s")
    for label, gaps, spent in (("baseline", quiet, quiet_cpu), ("flood", flooded, flood_cpu)):
        print(
            f"{label}: {len(gaps)} gaps, p99 {_p99(gaps):.2f}, max {max(gaps, default=0):.2f} intervals; "
            f"camfleet CPU {spent:.1f} s"
        )
    print(f"flooding camera: {received} events received, {dropped} dropped over its rate limit")
    worst = max(flooded, default=0.0)
    target(f"other cameras' worst gap within {TARGET_MAX_GAP} intervals", 0 < worst <= TARGET_MAX_GAP, f"{worst:.2f}")
    return (
        f"event_flood cameras={args.cameras} engine={args.engine} flood={args.flood}/s "
        f"p99_gap_ratio={ratio(_p99(flooded), _p99(quiet)):.2f} "
        f"max_gap_ratio={ratio(worst, max(quiet, default=0)):.2f} "
        f"cpu_ratio={ratio(flood_cpu, quiet_cpu):.2f} received={received} dropped={dropped}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cameras", type=int, default=50)
    parser.add_argument("--phase", type=float, default=40.0)
    parser.add_argument("--flood", type=int, default=1000)
    parser.add_argument("--engine", choices=ENGINES, default="sqlite")
    return run_in_workdir(benchmark, parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
