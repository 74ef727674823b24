"""Mass outage (issue 17): a poller group of 2,000 cameras goes dark in one batch of results and comes back, on
SQLite and PostgreSQL, through `fleet.health.recording.record` as a collector writes a batch.

    .venv/bin/python benchmarks/mass_outage.py [--cameras 2000] [--others 2000] [--engines sqlite,postgresql]

The group's cameras are spread over sites of 40, beside `--others` cameras in groups of their own; one notification
channel is routed everything. With one failure to open and one success to close, the dark batch must record every
camera's status change and `offline` fault, the group fault that explains them, its one ticket and its one alert;
the recovery batch closes them all and announces the group's recovery once. Then the others, each in a group
of its own, go dark in one batch and come back: a fault, a ticket and an alert each, written in a few statements
(not a flush each). Printed per engine: seconds from the
batch's results to its commit (wall clock: what the control room waits for), our CPU (``time.process_time``: on
SQLite this includes the database, which runs in our process), the statements issued (a SQLAlchemy
``before_cursor_execute`` listener), and what was written. Baseline in the same run: the same batch with nothing
changing (every camera still up), which is what any batch costs. Targets: 5 s on PostgreSQL, 10 s on SQLite.
The last line is machine-readable.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select

from _common import (
    ENGINES,
    bench_settings,
    database_url,
    load_average,
    migrated,
    ratio,
    run_in_workdir,
    server_cpu,
    server_cpu_since,
    target,
)
from config.checks import CheckKind
from config.settings import Settings
from fleet.alerts.models import Alert, NotificationChannel
from fleet.cameras.models import Camera, CameraStatus
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind
from fleet.health.claims import ensure_check_states
from fleet.health.models import ErrorClass
from fleet.health.recording import Outcome, record
from fleet.tickets.models import RepairTicket

GROUP = "ring"
SITE_SIZE = 40
TARGET_S = {"sqlite": 10.0, "postgresql": 5.0}


@dataclass
class Batch:
    """One recorded batch: its wall-clock seconds, our CPU and statements, and what it changed."""

    label: str
    seconds: float
    cpu_s: float
    database_cpu_s: float  # PostgreSQL's server processes for this database (on SQLite: inside ours)
    statements: int
    status_changes: int
    opened: int
    closed: int


class Statements:
    """Counts the statements an engine sends (every cursor execution, an executemany counted once)."""

    def __init__(self, database: Database) -> None:
        self.count = 0
        event.listen(database.engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


async def seed(database: Database, cameras: int, others: int) -> tuple[list[int], list[int]]:
    """The group's cameras (sites of SITE_SIZE) and the others, their check states and one channel; the ids of the
    group's cameras and of the others."""
    async with database.unit_of_work() as session:
        rows = [
            {"name": f"RING-{n:05d}", "host": f"10.1.{n // 250}.{n % 250 + 1}", "poller_group": GROUP,
             "site": f"Ring site {n // SITE_SIZE}"}
            for n in range(cameras)
        ] + [
            {"name": f"OTHER-{n:05d}", "host": f"10.2.{n // 250}.{n % 250 + 1}", "poller_group": f"zone-{n}",
             "site": f"Other site {n}"}
            for n in range(others)
        ]  # fmt: skip
        await session.execute(insert(Camera), rows)
        await session.execute(
            insert(NotificationChannel).values(
                name="control room", service="json", url_ciphertext=b"-", enabled=True, min_severity="info"
            )
        )
        await ensure_check_states(session, now=datetime.now(UTC))
        ids = list(await session.scalars(select(Camera.id).where(Camera.poller_group == GROUP).order_by(Camera.id)))
        apart = list(await session.scalars(select(Camera.id).where(Camera.poller_group != GROUP).order_by(Camera.id)))
    return ids, apart


def outcomes(ids: list[int], at: datetime, ok: bool) -> list[Outcome]:
    return [
        Outcome(
            camera_id=i,
            kind=CheckKind.REACHABILITY,
            at=at,
            ok=ok,
            duration_s=0.01 if ok else 3.0,
            next_due_at=at + timedelta(minutes=1),
            error_class=None if ok else ErrorClass.TIMEOUT,
            error=None if ok else "no answer within 3 s",
        )
        for i in ids
    ]


async def one_batch(
    database: Database, settings: Settings, statements: Statements, label: str, batch: list[Outcome]
) -> Batch:
    """Record one batch in one transaction, as a collector does, from its results to its commit."""
    server = await server_cpu(database)
    before = statements.count
    clock, cpu = time.perf_counter(), time.process_time()
    async with database.unit_of_work() as session:
        summary = await record(session, batch, settings=settings)
    seconds, cpu_s = time.perf_counter() - clock, time.process_time() - cpu
    count = statements.count - before
    after = await server_cpu(database)
    return Batch(
        label,
        seconds,
        cpu_s,
        server_cpu_since(server, after),
        count,
        len(summary.status_changes),
        len(summary.faults.opened),
        len(summary.faults.closed),
    )


async def written(database: Database) -> dict[str, int]:
    """What the outage left in the database."""
    async with database.unit_of_work() as session:
        count = {
            "offline faults": select(func.count()).where(Fault.kind == FaultKind.OFFLINE),
            "offline faults explained by the group fault": select(func.count()).where(
                Fault.kind == FaultKind.OFFLINE, Fault.suppressed_by_id.is_not(None)
            ),
            "group faults": select(func.count()).where(Fault.kind == FaultKind.GROUP_OUTAGE),
            "open faults": select(func.count()).where(Fault.closed_at.is_(None)),
            "tickets": select(func.count()).select_from(RepairTicket),
            "alerts": select(func.count()).select_from(Alert),
            "cameras down": select(func.count()).where(Camera.status == CameraStatus.DOWN),
        }
        return {name: int(await session.scalar(query) or 0) for name, query in count.items()}


async def measure(engine: str, args: argparse.Namespace, workdir: Path) -> dict[str, Batch]:
    """Seed, bring every camera up, then the baseline, the dark batch and the recovery; print each."""
    async with database_url(engine, workdir / engine) as url:
        settings = bench_settings(workdir / engine, url, faults={"failures_to_open": 1, "successes_to_close": 1})
        database = await migrated(settings)
        try:
            ids, apart = await seed(database, args.cameras, args.others)
            statements = Statements(database)
            start = datetime.now(UTC)
            everyone = ids + apart
            for chunk in range(0, len(everyone), 500):  # first results: unknown → up, untimed
                first = outcomes(everyone[chunk : chunk + 500], start, True)
                await one_batch(database, settings, statements, "up", first)
            found: dict[str, Batch] = {}
            steps = (
                ("baseline", ids, True), ("dark", ids, False), ("recovery", ids, True),
                ("scattered", apart, False), ("back", apart, True),
            )  # fmt: skip
            for step, (label, which, ok) in enumerate(steps, start=1):
                batch = outcomes(which, start + timedelta(minutes=step), ok)
                found[label] = await one_batch(database, settings, statements, label, batch)
                if label == "dark":
                    dark_state = await written(database)
                elif label == "recovery":
                    after = await written(database)
                elif label == "scattered":
                    scattered = await written(database)
        finally:
            await database.dispose()
    _print(engine, len(ids), found, dark_state, after)
    _print_scattered(engine, len(apart), found, after, scattered)
    return found


def _print_scattered(
    engine: str, cameras: int, found: dict[str, Batch], before: dict[str, int], after: dict[str, int]
) -> None:
    """The other cameras, each of its own group, failing in one batch: a fault, a ticket and an alert each."""
    tickets, alerts = after["tickets"] - before["tickets"], after["alerts"] - before["alerts"]
    print(f"  scattered: {cameras} cameras of {cameras} groups dark in one batch, then back: {tickets} tickets and "
          f"{alerts} alerts written")  # fmt: skip
    b = found["scattered"]
    rows = b.opened + tickets + alerts
    target(
        f"{engine}: {b.opened} faults, {tickets} tickets and their alerts for {cameras} cameras in a few statements",
        b.opened == tickets == cameras and b.statements * 10 <= rows,
        f"{b.statements} statements for {rows} rows, {b.seconds:.2f} s, {b.cpu_s:.2f} s our CPU; "
        f"coming back {found['back'].statements} statements, {found['back'].seconds:.2f} s",
    )


def _print(engine: str, cameras: int, found: dict[str, Batch], dark: dict[str, int], after: dict[str, int]) -> None:
    print(f"\n{engine}: one batch of {cameras} results of poller group {GROUP!r}")
    header = ("batch", "seconds", "our CPU s", "database CPU s", "statements", "status changes", "opened", "closed")
    print("  {:<10} {:>8} {:>9} {:>14} {:>10} {:>15} {:>7} {:>7}".format(*header))
    for b in found.values():
        print(
            f"  {b.label:<10} {b.seconds:>8.2f} {b.cpu_s:>9.2f} {b.database_cpu_s:>14.2f} {b.statements:>10} "
            f"{b.status_changes:>15} "
            f"{b.opened:>7} {b.closed:>7}"
        )
    print(f"  after the dark batch: {dark}")
    print(f"  after the recovery:   {after}")
    limit = TARGET_S[engine]
    baseline = found["baseline"].seconds
    for label in ("dark", "recovery"):
        b = found[label]
        target(
            f"{engine}: {label} batch of {cameras} recorded within {limit:.0f} s",
            b.seconds <= limit,
            f"{b.seconds:.2f} s, {b.statements} statements; {ratio(b.seconds, baseline):.1f}× the same batch with "
            f"nothing changing ({baseline:.2f} s)",
        )
    complete = (
        dark["offline faults"] == cameras == dark["offline faults explained by the group fault"] == dark["cameras down"]
        and dark["group faults"] == 1 and dark["tickets"] == 1 and dark["alerts"] == 1
        and after["open faults"] == 0 and after["cameras down"] == 0 and after["alerts"] == 2
    )  # fmt: skip
    target(f"{engine}: every fault, the group fault, one ticket, one alert; all closed again", complete, "see above")


async def benchmark(args: argparse.Namespace, workdir: Path) -> str:
    print(
        f"mass_outage: {args.cameras} cameras of one poller group (sites of {SITE_SIZE}) beside {args.others} others; "
        f"load average before: {load_average()} (the machine is shared: compare within a run)",
        flush=True,
    )
    line = [f"cameras={args.cameras}"]
    for engine in args.engines:
        found = await measure(engine, args, workdir)
        line += [
            f"{engine}_dark_s={found['dark'].seconds:.2f} {engine}_recovery_s={found['recovery'].seconds:.2f} "
            f"{engine}_baseline_s={found['baseline'].seconds:.2f} {engine}_dark_statements={found['dark'].statements} "
            f"{engine}_recovery_statements={found['recovery'].statements} "
            f"{engine}_scattered_s={found['scattered'].seconds:.2f} "
            f"{engine}_scattered_statements={found['scattered'].statements}"
        ]
    print(f"\nload average after: {load_average()}")
    return " ".join(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", "-n", type=int, default=2000, help="cameras of the group going dark (2000)")
    parser.add_argument("--others", type=int, default=2000, help="cameras elsewhere, staying up (2000)")
    parser.add_argument(
        "--engines", type=lambda s: s.split(","), default=list(ENGINES), help="sqlite,postgresql (both)"
    )
    return run_in_workdir(benchmark, parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
