"""Scale-out on PostgreSQL: N simulated cameras polled by 1, then 2 `camfleet collector` processes sharing one
poller group; and status changes written per second by `record()`.

    .venv/bin/python benchmarks/scale_out.py [--cameras 20000] [--simulators 4]

The cameras listen on their own addresses in 127.92.0.0/16 (ONVIF 8080, RTSP 8554), spread over several simulator
processes (each camera holds three sockets, so one process would run out of file descriptors). The collectors are
real `camfleet collector` processes against a fresh database on the local PostgreSQL (127.0.0.1:5432, dropped at
the end). A round makes the reachability and ONVIF health check of every camera due at once and times until every
one has run; nothing is polled in between (intervals of a day, identity checks held back), and the collectors hold
no event subscriptions (their cost is event_hold.py's figure; with `--events` they hold every camera's, and the
rounds show the checks beside them). The last line printed is machine-readable (key=value).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from _collector_rounds import POLLED, PollRound, collector_env, poll_round
from _common import (
    PG_SERVER,
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
    timed,
)
from _fleet import BenchCamera, SimulatorProcess, bench_cameras, write_fleet_csv
from config.checks import CheckKind
from config.settings import Settings
from fleet.db import Database
from fleet.health.claims import claim_due, ensure_check_states, release_claims, renew_claims
from fleet.health.models import CheckState, ErrorClass
from fleet.health.recording import Outcome, record
from scheduler.events import open_files

STATUS_CAMERAS = 2000
STATUS_BATCH = 500
HEADER = "{:>10} {:>7} {:>8} {:>9} {:>13} {:>17} {:>7}"


@dataclass
class ClaimCosts:
    """Our CPU (and the database server's) per check for claiming due checks and renewing their leases."""

    checks: int
    claim_ms: float
    claim_server_ms: float
    renew_ms: float
    renew_server_ms: float


async def claim_costs(database: Database, settings: Settings) -> ClaimCosts:
    """Every polled check made due, claimed in batches as a collector claims them, its leases renewed once (what
    each third of a lease does while a batch runs), then given back; CPU per check of each step."""
    now = datetime.now(UTC)
    lease, batch = settings.scheduler.lease, settings.scheduler.batch_size
    async with database.unit_of_work() as session:
        await session.execute(update(CheckState).where(CheckState.kind.in_(POLLED)).values(next_due_at=now))
    server, cpu = await server_cpu(database), time.process_time()
    checks = 0
    while True:
        async with database.unit_of_work() as session:
            claimed = await claim_due(session, now=now, owner="benchmark", lease=lease, limit=batch)
        checks += len(claimed)
        if len(claimed) < batch:
            break
    claim_cpu, claim_server = time.process_time() - cpu, server_cpu_since(server, await server_cpu(database))
    server, cpu = await server_cpu(database), time.process_time()
    async with database.unit_of_work() as session:
        renewed = await renew_claims(session, owner="benchmark", now=now, lease=lease)
    renew_cpu, renew_server = time.process_time() - cpu, server_cpu_since(server, await server_cpu(database))
    async with database.unit_of_work() as session:
        await release_claims(session, owner="benchmark", retry_at=now + timedelta(days=1))
    per = 1000 / max(checks, 1)
    renew_per = 1000 / max(renewed, 1)
    return ClaimCosts(checks, claim_cpu * per, claim_server * per, renew_cpu * renew_per, renew_server * renew_per)


@dataclass
class StatusRates:
    """record() throughput in outcomes per second for one kind of batch."""

    down: float  # up → down: every outcome a status change that opens an offline fault (and its alert, ticket)
    up: float  # down → up: every outcome a status change that closes one
    steady: float  # up → up: nothing changes (the baseline)
    changes: int


async def status_change_rates(database: Database, settings: Settings) -> StatusRates:
    """record() throughput on up cameras: batches that take them down, bring them back, then change nothing.

    With one failure to open and one success to close, each batch flips every camera's status.
    """
    async with database.unit_of_work() as session:
        ids = list(
            await session.scalars(
                select(CheckState.camera_id)
                .where(CheckState.kind == CheckKind.REACHABILITY)
                .order_by(CheckState.camera_id)
                .limit(STATUS_CAMERAS)
            )
        )
    at = datetime.now(UTC)
    later = at + timedelta(days=1)
    rates: list[float] = []
    changes = 0
    for step, ok in enumerate((False, True, True)):
        when = at + timedelta(seconds=step)
        elapsed = 0.0
        for first in range(0, len(ids), STATUS_BATCH):
            batch = [
                Outcome(
                    camera_id=i,
                    kind=CheckKind.REACHABILITY,
                    at=when,
                    ok=ok,
                    duration_s=0.01,
                    next_due_at=later,
                    error_class=None if ok else ErrorClass.UNREACHABLE,
                    error=None if ok else "connection refused",
                )
                for i in ids[first : first + STATUS_BATCH]
            ]
            clock = time.perf_counter()
            async with database.unit_of_work() as session:
                recorded = await record(session, batch, settings=settings)
            elapsed += time.perf_counter() - clock
            changes += len(recorded.status_changes)
        rates.append(len(ids) / elapsed)
    return StatusRates(down=rates[0], up=rates[1], steady=rates[2], changes=changes)


async def _import_idle(database: Database, settings: Settings, fleet_csv: Path) -> None:
    """Import the fleet and create its check states, none of them due."""
    await import_fleet(database, settings, fleet_csv)
    async with database.unit_of_work() as session:
        await ensure_check_states(session, now=datetime.now(UTC))
        # Idle until a round makes the polled checks due; identity checks are daily and not measured here.
        await session.execute(
            update(CheckState).values(
                next_due_at=datetime.now(UTC) + timedelta(days=1), lease_owner=None, lease_expires_at=None
            )
        )


async def _poll_rounds(
    counts: list[int],
    cameras: int,
    database: Database,
    env: dict[str, str],
    sims: list[SimulatorProcess],
    workdir: Path,
) -> list[PollRound]:
    """The untimed warm-up, then one measured round per collector count, printed as a table."""
    print(HEADER.format("collectors", "checks", "seconds", "checks/s", "CPU ms/check", "sim CPU ms/check", "failed"))
    # Untimed: the first poll moves every camera from unknown to up, a status change each; the measured
    # rounds then poll a fleet in steady state, as a running collector mostly does.
    warm = await poll_round(2, database, env, sims, workdir, limit_s=120 + cameras / 2)
    print(f"{'warm-up':>10} {warm.checks:>7} {warm.seconds:>8.1f} {warm.per_s:>9.0f}  (every camera unknown → up)")
    rounds: list[PollRound] = []
    for count in counts:
        measured = await poll_round(count, database, env, sims, workdir, limit_s=60 + cameras / 5)
        rounds.append(measured)
        print(
            f"{count:>10} {measured.checks:>7} {measured.seconds:>8.1f} {measured.per_s:>9.0f} "
            f"{measured.cpu_ms_per_check:>13.2f} {1000 * measured.simulator_cpu_s / measured.checks:>17.2f} "
            f"{measured.failed:>7}",
            flush=True,
        )
        collectors = " + ".join(f"{c:.1f}" for c in measured.per_collector_s)
        busy = (measured.collector_cpu_s + measured.simulator_cpu_s + measured.server_cpu_s) / measured.seconds
        print(
            f"{'':>10} CPU s per process: collectors {collectors}, simulators {measured.simulator_cpu_s:.1f}, "
            f"PostgreSQL {measured.server_cpu_s:.1f}, this script {measured.own_cpu_s:.1f}: "
            f"{busy:.2f} of {os.cpu_count()} cores busy with this round's work, "
            f"{measured.machine_busy_s / measured.seconds:.2f} with everything on the machine",
            flush=True,
        )
    return rounds


async def _measure(
    args: argparse.Namespace, fleet: list[BenchCamera], parts: list[list[BenchCamera]], workdir: Path, url: str
) -> tuple[list[PollRound], StatusRates, ClaimCosts]:
    """Import the fleet, start the simulators, poll in rounds, then time record()."""
    settings = bench_settings(workdir / "data", url, faults={"failures_to_open": 1, "successes_to_close": 1})
    sims = [SimulatorProcess(workdir / f"fleet-{n}.csv", workdir / f"sim-{n}.log", None) for n in range(len(parts))]
    database = await migrated(settings)
    try:
        with timed() as timing:
            await _import_idle(database, settings, workdir / "fleet.csv")
        print(f"imported {len(fleet)} cameras in {timing.seconds:.1f} s", flush=True)
        for sim in sims:
            sim.start()
        for sim, part in zip(sims, parts, strict=True):
            await asyncio.to_thread(sim.wait_ready, len(part), part[-1], 120 + len(part) / 20)
        print("simulators ready\n", flush=True)
        env = collector_env(url, workdir / "data", events=args.events)
        rounds = await _poll_rounds(args.rounds, len(fleet), database, env, sims, workdir)
        costs = await claim_costs(database, settings)
        print(
            f"\nclaiming {costs.checks} checks in batches of {settings.scheduler.batch_size}: {costs.claim_ms:.3f} ms "
            f"CPU per check (PostgreSQL {costs.claim_server_ms:.3f} ms); renewing their leases once: "
            f"{costs.renew_ms:.4f} ms per check (PostgreSQL {costs.renew_server_ms:.4f} ms)",
            flush=True,
        )
        status = await status_change_rates(database, settings)
        print(
            f"\nrecord(), batches of {STATUS_BATCH} on {STATUS_CAMERAS} cameras: up → down (opens faults, alerts, "
            f"tickets) {status.down:.0f}/s, down → up (closes them) {status.up:.0f}/s; baseline, nothing changes: "
            f"{status.steady:.0f}/s ({status.changes} status changes written)",
            flush=True,
        )
    finally:
        for sim in sims:
            sim.stop()
        await database.dispose()
    return rounds, status, costs


async def benchmark(args: argparse.Namespace, workdir: Path) -> str:
    """Write the fleet files, measure on a fresh PostgreSQL database, return the machine-readable line."""
    fd_limit = open_files()  # raised to the hard limit: the simulators and collectors inherit it
    fleet = bench_cameras(args.cameras, network=args.network, prefix="SCALE", snmp=False)
    per_sim = -(-len(fleet) // args.simulators)
    parts = [fleet[i : i + per_sim] for i in range(0, len(fleet), per_sim)]
    write_fleet_csv(workdir / "fleet.csv", fleet)
    for n, part in enumerate(parts):
        write_fleet_csv(workdir / f"fleet-{n}.csv", part)
    print(
        f"scale_out: {len(fleet)} simulated cameras in {len(parts)} simulator processes, reachability + ONVIF health "
        f"({len(fleet) * len(POLLED)} checks a round), PostgreSQL at {PG_SERVER}; {os.cpu_count()} CPUs, file "
        f"descriptor limit {fd_limit}; load average before: {load_average()}",
        flush=True,
    )
    async with database_url("postgresql", workdir / "data") as url:
        rounds, status, costs = await _measure(args, fleet, parts, workdir, url)
    print(f"load average after: {load_average()} (the machine is shared: compare ratios, not absolute figures)")
    best_one = max((r for r in rounds if r.collectors == 1), key=lambda r: r.per_s)
    best_two = max((r for r in rounds if r.collectors == 2), key=lambda r: r.per_s)
    scaling = ratio(best_two.per_s, best_one.per_s)
    # What this machine lets two collectors reach: the cores left to the round's work over its CPU per check.
    ceiling = ratio(best_two.cores_left * best_two.checks / best_two.work_cpu_s, best_one.per_s)
    target(
        "2 collectors ≥ 1.8 × one",
        scaling >= 1.8,
        f"{scaling:.2f}; this machine's ceiling for two ×{ceiling:.2f}: {best_two.cores_left:.2f} cores left by "
        f"other work × {1000 * best_two.work_cpu_s / best_two.checks:.2f} ms CPU per check over all the round's "
        f"processes, against one collector's {best_one.per_s:.0f} checks/s",
    )
    growth = ratio(best_two.cpu_ms_per_check, best_one.cpu_ms_per_check)
    target(
        "collector CPU per check does not grow with collectors (2 ≤ 1.1 × 1)",
        growth <= 1.1,
        f"{best_one.cpu_ms_per_check:.2f} → {best_two.cpu_ms_per_check:.2f} ms, ×{growth:.2f}; claiming "
        f"{costs.claim_ms:.3f} + renewing {costs.renew_ms:.4f} ms of it per check",
    )
    return (
        f"cameras={len(fleet)} checks_per_s_1={best_one.per_s:.0f} checks_per_s_2={best_two.per_s:.0f} "
        f"scaling_ratio={ratio(best_two.per_s, best_one.per_s):.2f} "
        f"cpu_ms_per_check_1={best_one.cpu_ms_per_check:.2f} cpu_ms_per_check_2={best_two.cpu_ms_per_check:.2f} "
        f"status_changes_down_per_s={status.down:.0f} status_changes_up_per_s={status.up:.0f} "
        f"steady_outcomes_per_s={status.steady:.0f} claim_ms_per_check={costs.claim_ms:.3f} "
        f"renew_ms_per_check={costs.renew_ms:.4f}"
    )


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run in a temporary directory, print the summary line last."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", "-n", type=int, default=20000, help="simulated cameras (default 20000)")
    parser.add_argument("--simulators", type=int, default=4, help="simulator processes (default 4)")
    parser.add_argument("--network", default="127.92", help="loopback /16 of the simulated cameras (127.92)")
    parser.add_argument(
        "--events", action="store_true", help="collectors also hold every camera's event subscription (default: off)"
    )
    parser.add_argument(
        "--rounds", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2],
        help="collector counts, one round each (default 1,2; with repeats, e.g. 1,2,1,2, the best of each counts)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not {1, 2} <= set(args.rounds):
        parser.error("--rounds needs at least one round with 1 and one with 2 collectors")
    return run_in_workdir(benchmark, args)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
