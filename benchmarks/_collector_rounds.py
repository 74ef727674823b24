"""Real `camfleet collector` processes against the benchmark's database (scale_out.py): their environment, started
idle and stopped, and a round that makes every polled check due at once and times it until all have run, with the
CPU of each process that did the work."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from _common import CAMFLEET, ROOT, SECRET, cpu_seconds, machine_busy_seconds, server_cpu, server_cpu_since
from _fleet import SimulatorProcess
from config.checks import CheckKind
from fleet.db import Database
from fleet.health.models import CheckState

# The checks a round polls: reachability and ONVIF health (identity checks are daily and held back).
POLLED = (CheckKind.REACHABILITY, CheckKind.ONVIF_HEALTH)


@dataclass
class PollRound:
    collectors: int
    checks: int
    seconds: float
    failed: int
    collector_cpu_s: float
    simulator_cpu_s: float
    # Each collector's CPU, the database server's (this database's server processes) and this script's.
    per_collector_s: list[float]
    server_cpu_s: float
    own_cpu_s: float
    machine_busy_s: float  # every process on the machine, other sessions' work included

    @property
    def per_s(self) -> float:
        return self.checks / self.seconds

    @property
    def cpu_ms_per_check(self) -> float:
        return 1000 * self.collector_cpu_s / self.checks

    @property
    def work_cpu_s(self) -> float:
        """The CPU of every process doing this round's work: collectors, simulators, PostgreSQL, this script."""
        return self.collector_cpu_s + self.simulator_cpu_s + self.server_cpu_s + self.own_cpu_s

    @property
    def cores_left(self) -> float:
        """The cores the rest of the machine (other sessions) left to this round's work."""
        return (os.cpu_count() or 1) - (self.machine_busy_s - self.work_cpu_s) / self.seconds


class Collectors:
    """`camfleet collector` processes, started idle and stopped with Ctrl-C."""

    def __init__(self, count: int, env: dict[str, str], workdir: Path) -> None:
        self.logs = [workdir / f"collector-{count}-{i}.log" for i in range(count)]
        self.processes: list[subprocess.Popen[bytes]] = []
        for log in self.logs:
            with log.open("wb") as out:
                self.processes.append(
                    subprocess.Popen([CAMFLEET, "collector"], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
                )

    def wait_running(self, deadline_s: float) -> None:
        started = time.monotonic()
        for process, log in zip(self.processes, self.logs, strict=True):
            while "collector running" not in log.read_text(errors="replace"):
                if process.poll() is not None or time.monotonic() - started > deadline_s:
                    raise RuntimeError(f"collector did not start: {log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.5)

    def cpu_seconds(self) -> float:
        return sum(self.each_cpu_seconds())

    def each_cpu_seconds(self) -> list[float]:
        return [cpu_seconds(p.pid) for p in self.processes]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


async def poll_round(
    count: int, database: Database, env: dict[str, str], sims: list[SimulatorProcess], workdir: Path, limit_s: float
) -> PollRound:
    """Start `count` idle collectors, make every polled check due at once, time until all have run."""
    group = Collectors(count, env, workdir)
    try:
        await asyncio.to_thread(group.wait_running, 180)
        cpu_before, sim_before = group.each_cpu_seconds(), sum(s.cpu_seconds() for s in sims)
        server_before, own_before = await server_cpu(database), time.process_time()
        machine_before = machine_busy_seconds()
        started = datetime.now(UTC)
        clock = time.perf_counter()
        async with database.unit_of_work() as session:
            due = await session.execute(
                update(CheckState).where(CheckState.kind.in_(POLLED)).values(next_due_at=started)
            )
        checks = int(getattr(due, "rowcount", 0) or 0)
        done = 0
        while done < checks:
            if time.perf_counter() - clock > limit_s:
                raise RuntimeError(f"{count} collector(s): {done} of {checks} checks after {limit_s:.0f} s")
            await asyncio.sleep(0.5)
            async with database.unit_of_work() as session:
                done = (
                    await session.scalar(
                        select(func.count()).where(CheckState.kind.in_(POLLED), CheckState.last_run_at >= started)
                    )
                    or 0
                )
        seconds = time.perf_counter() - clock
        each = [after - before for after, before in zip(group.each_cpu_seconds(), cpu_before, strict=True)]
        sim_cpu = sum(s.cpu_seconds() for s in sims) - sim_before
        server = server_cpu_since(server_before, await server_cpu(database))
        own = time.process_time() - own_before
        machine = machine_busy_seconds() - machine_before
        async with database.unit_of_work() as session:
            failed = (
                await session.scalar(
                    select(func.count()).where(CheckState.kind.in_(POLLED), CheckState.last_ok.is_(False))
                )
                or 0
            )
            # Idle again for the next round.
            await session.execute(
                update(CheckState)
                .where(CheckState.kind.in_(POLLED))
                .values(next_due_at=datetime.now(UTC) + timedelta(days=1))
            )
    finally:
        group.stop()
    return PollRound(count, checks, seconds, failed, sum(each), sim_cpu, each, server, own, machine)


def collector_env(url: str, data_dir: Path, *, events: bool = False) -> dict[str, str]:
    """The collectors' environment: the benchmark's database, nothing due until a round makes it so, and event
    subscriptions only when asked for."""
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CAMFLEET_DATABASE_URL": url,
        "CAMFLEET_DATA_DIR": str(data_dir),
        "CAMFLEET_CONFIG": "",
        "CAMFLEET_SECRET_KEY": SECRET,
        "CAMFLEET_LOG_LEVEL": "WARNING",
        "CAMFLEET_SCHEDULER__REACHABILITY_INTERVAL": "1d",
        "CAMFLEET_SCHEDULER__HEALTH_INTERVAL": "1d",
        "CAMFLEET_SCHEDULER__TICK": "1s",
        "CAMFLEET_SCHEDULER__JITTER": "0",
        # By default checks only: event subscriptions (a follower task per camera) are measured apart, by
        # event_hold.py; with them the rounds show what the checks cost beside every camera's subscription.
        "CAMFLEET_EVENTS__ENABLED": "true" if events else "false",
    }
