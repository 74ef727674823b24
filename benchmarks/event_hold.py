"""What do the event subscriptions of quiet cameras cost? CPU per PullMessages and cores at 50,000 cameras (issue 17).

    .venv/bin/python benchmarks/event_hold.py [--cameras 2000] [--seconds 60] [--pull-timeouts 10,60] [--engine sqlite]

A simulator process (its own core where there are two) runs N quiet cameras on 127.144.0.0/16; camfleet runs one
collector's real jobs (`scheduler.jobs.running_scheduler`, as event_flood.py does) with every check made due in a
day, so only the event subscriptions work: a follower per camera that subscribes, holds a PullMessages long poll
for ``events.pull_timeout``, pulls again and renews. Phases of ``--seconds`` once steady (a pull phase: a whole number
of its Timeouts, at least that):

- idle: events off, the collector's other jobs alone (its own cost, subtracted from the phases below);
- one per ``--pull-timeouts`` value: every subscription active (read from ``event_subscriptions``), then measured:
  camfleet's CPU (this process, all its threads; on PostgreSQL the server processes of its database apart), the
  PullMessages and Renew requests the simulated cameras received (their counters), and the simulator's CPU.

From that: CPU ms per pull (the phase's CPU less the idle phase's, per pull), per camera-second, how many pulls
each camera made per Timeout (1.0 when the cameras hold a pull for its Timeout), and the cores 50,000 cameras
need: the measured rate scaled to 50,000, plus renewals at the default rate (every ``renew_at`` of the granted
``subscription_time``) priced as a request each, since a window shorter than the renewal period sees few. The
load average is printed: the machine is shared. The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from _common import (
    ENGINES,
    bench_settings,
    database_url,
    import_fleet,
    load_average,
    migrated,
    ratio,
    run_in_workdir,
    server_cpu,
    server_cpu_since,
    target,
)
from _fleet import SimulatorProcess, bench_cameras, write_fleet_csv
from config.events import EventSettings
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.events.models import EventSubscription, SubscriptionStatus
from fleet.health.claims import ensure_check_states
from fleet.health.models import CheckState
from scheduler.jobs import running_scheduler

FLEET_SIZE = 50_000
# What the checks of 50,000 cameras take at the default intervals (poll_throughput.py's projection, issue 17):
# the events get what is left of the one core for camfleet's own processes.
CHECKS_CORES = 0.67
TARGET_CORES = 1.0


@dataclass(frozen=True)
class Phase:
    """One measured phase: its pull Timeout (None: events off), CPU seconds and requests the cameras received."""

    pull_timeout: float | None
    seconds: float
    cpu_s: float
    server_cpu_s: float
    simulator_cpu_s: float
    pulls: int = 0
    renewals: int = 0
    ready_s: float = 0.0


async def _all_subscribed(database: Database, cameras: int, deadline_s: float) -> float:
    """Seconds until every camera's subscription is active (as the collector writes it)."""
    started = time.perf_counter()
    while True:
        async with database.unit_of_work() as session:
            rows = await session.execute(
                select(EventSubscription.status, func.count()).group_by(EventSubscription.status)
            )
        counts = {status: count for status, count in rows}
        if counts.get(SubscriptionStatus.SUBSCRIBED, 0) == cameras:
            return time.perf_counter() - started
        if time.perf_counter() - started > deadline_s:
            raise RuntimeError(f"subscriptions not all active after {deadline_s:.0f} s: {counts}")
        await asyncio.sleep(1)


async def _phase(
    database: Database,
    settings: Settings,
    cipher: CredentialCipher,
    simulator: SimulatorProcess,
    cameras: int,
    seconds: float,
) -> Phase:
    """Run one collector until steady, then measure it for ``seconds``."""
    async with database.unit_of_work() as session:
        # What the previous phase's collector wrote would read as active at once.
        await session.execute(update(EventSubscription).values(status=None, status_since=None))
    ready = 0.0
    async with running_scheduler(settings, database, cipher, poller_group=None):
        if settings.events.enabled:
            ready = await _all_subscribed(database, cameras, deadline_s=120 + cameras / 10)
        # The subscriptions' status written (every second) and the first pulls on their way.
        await asyncio.sleep(3)
        simulator.reset_counters()
        server, sim, cpu = await server_cpu(database), simulator.cpu_seconds(), time.process_time()
        started = time.perf_counter()
        await asyncio.sleep(seconds)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - started
        sim, server_used = simulator.cpu_seconds() - sim, server_cpu_since(server, await server_cpu(database))
        served = simulator.onvif_requests("PullMessages", "Renew")
    timeout = settings.events.pull_timeout.total_seconds() if settings.events.enabled else None
    return Phase(timeout, wall, cpu, server_used, sim, served["PullMessages"], served["Renew"], ready)


def _renewal_rate(settings: Settings) -> float:
    """Renewals per camera-second at the settings' subscription time (a camera grants what is asked)."""
    return 1 / (settings.events.subscription_time.total_seconds() * settings.events.renew_at)


def _cores(phase: Phase, idle: Phase, cameras: int, renewals_per_camera_s: float) -> tuple[float, float, float]:
    """Net CPU ms per request, camfleet's cores and the database's cores for 50,000 cameras."""
    requests = phase.pulls + phase.renewals
    net = max(0.0, phase.cpu_s / phase.seconds - idle.cpu_s / idle.seconds)  # CPU seconds per second
    net_server = max(0.0, phase.server_cpu_s / phase.seconds - idle.server_cpu_s / idle.seconds)
    ms_per_request = 1000 * net * phase.seconds / requests if requests else 0.0
    unseen = max(0.0, renewals_per_camera_s - phase.renewals / (cameras * phase.seconds))
    scale = FLEET_SIZE / cameras
    return ms_per_request, net * scale + unseen * FLEET_SIZE * ms_per_request / 1000, net_server * scale


async def benchmark(args: argparse.Namespace, workdir: Path) -> str:
    # Jobs skipped while the previous run is still busy (the subscriptions being made) are no news here.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    timeouts = [float(t) for t in args.pull_timeouts.split(",")]
    fleet = bench_cameras(args.cameras, network="127.144", prefix="HOLD", snmp=False)
    fleet_csv = workdir / "fleet.csv"
    write_fleet_csv(fleet_csv, fleet)
    print(f"load average {load_average()} (start); {args.cameras} quiet cameras, {args.engine}", flush=True)
    simulator = SimulatorProcess(fleet_csv, workdir / "simulator.log", cpu=1 if (os.cpu_count() or 1) > 1 else None)
    simulator.start()
    phases: list[Phase] = []
    try:
        simulator.wait_ready(len(fleet), fleet[-1], deadline_s=120 + args.cameras / 20)
        async with database_url(args.engine, workdir / "data") as url:
            base = bench_settings(workdir / "data", url, scheduler={"tick": timedelta(seconds=1)})
            database = await migrated(base)
            cipher = await import_fleet(database, base, fleet_csv)
            async with database.unit_of_work() as session:
                await ensure_check_states(session, now=datetime.now(UTC))
                # Nothing is polled while the phases run: only the event subscriptions work.
                await session.execute(update(CheckState).values(next_due_at=datetime.now(UTC) + timedelta(days=1)))
            for timeout in [None, *timeouts]:
                events = {"enabled": False} if timeout is None else {"pull_timeout": timedelta(seconds=timeout)}
                settings = bench_settings(workdir / "data", url, scheduler=base.scheduler, events=events)
                # A whole number of Timeouts: the subscriptions are made within seconds of each other, so a window
                # that cut a Timeout would count one pull of every camera or none.
                seconds = args.seconds if timeout is None else math.ceil(args.seconds / timeout) * timeout
                phases.append(await _phase(database, settings, cipher, simulator, args.cameras, seconds))
                print(f"  phase {'idle' if timeout is None else f'pull {timeout:g} s'} done", flush=True)
            await database.dispose()
    finally:
        simulator.stop()
    renewals = _renewal_rate(base)
    idle, measured = phases[0], phases[1:]
    print(f"load average {load_average()} (end)")
    print(
        f"idle collector (events off): {idle.cpu_s:.2f} s CPU in {idle.seconds:.0f} s"
        + (f", PostgreSQL {idle.server_cpu_s:.2f} s" if args.engine == "postgresql" else "")
    )
    header = "{:>9} {:>8} {:>8} {:>9} {:>13} {:>8} {:>8} {:>10} {:>12} {:>10} {:>9}"
    columns = ("Timeout", "ready s", "pulls", "renewals", "pulls/cam/T", "CPU s", "DB CPU s", "sim CPU s")
    print(header.format(*columns, "ms/request", "µs/cam-s", "cores@50k"))
    cores: dict[float, tuple[float, float, float]] = {}
    for phase in measured:
        assert phase.pull_timeout is not None
        cores[phase.pull_timeout] = _cores(phase, idle, args.cameras, renewals)
        ms, projected, db = cores[phase.pull_timeout]
        per_camera_s = 1e6 * projected / FLEET_SIZE
        held = phase.pulls * phase.pull_timeout / (args.cameras * phase.seconds)
        print(
            f"{phase.pull_timeout:>8g}s {phase.ready_s:>8.1f} {phase.pulls:>8} {phase.renewals:>9} {held:>13.2f} "
            f"{phase.cpu_s:>8.2f} {phase.server_cpu_s:>8.2f} {phase.simulator_cpu_s:>10.2f} {ms:>12.3f} "
            f"{per_camera_s:>10.2f} {projected:>9.3f}"
            + (f" (+{db:.3f} database)" if args.engine == "postgresql" else "")
        )
    default = EventSettings().pull_timeout.total_seconds()
    shortest, longest = min(cores), max(cores)
    print(
        f"cores at 50,000 cameras, pull Timeout {shortest:g} s ÷ {longest:g} s: "
        f"{ratio(cores[shortest][1], cores[longest][1]):.2f}"
    )
    if default in cores:
        left = TARGET_CORES - CHECKS_CORES
        target(
            f"50,000 cameras' event subscriptions at the default Timeout ({default:g} s) ≤ {left:.2f} core "
            f"(1 core less the checks' {CHECKS_CORES} from poll_throughput.py)",
            cores[default][1] <= left,
            f"{cores[default][1]:.3f} core; checks + events {CHECKS_CORES + cores[default][1]:.2f}",
        )
    figures = " ".join(
        f"ms_per_request_{t:g}={ms:.3f} cores_50k_{t:g}={c:.3f} db_cores_50k_{t:g}={db:.3f}"
        for t, (ms, c, db) in cores.items()
    )
    return (
        f"event_hold cameras={args.cameras} engine={args.engine} seconds={args.seconds:g} "
        f"idle_cpu_s={idle.cpu_s:.2f} {figures}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cameras", "-n", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=60.0, help="each phase, once steady")
    parser.add_argument("--pull-timeouts", default="10,60", help="seconds, comma-separated")
    parser.add_argument("--engine", choices=ENGINES, default="sqlite")
    return run_in_workdir(benchmark, parser.parse_args())


if __name__ == "__main__":
    raise SystemExit(main())
