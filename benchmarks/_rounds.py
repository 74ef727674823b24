"""Measured rounds of checks against the simulated fleet (wall clock, our CPU, the simulator's CPU, outcomes), and
the round of our collectors."""

from __future__ import annotations

import asyncio
import cProfile
import gc
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from _common import peak_rss_mb
from _fleet import BenchCamera, SimulatorProcess, to_target
from collectors.base import CheckResult, SnmpObservation, Target
from collectors.errors import Timeout
from collectors.registry import Collectors
from config.checks import CheckKind

T = TypeVar("T")
# The collector's SNMP client sends a second GET for these enterprises (vendor values).
PROBED_ENTERPRISES = frozenset({39165, 36849})


async def bounded(jobs: Sequence[Callable[[], Awaitable[T]]], concurrency: int) -> list[T]:
    """Run jobs with at most `concurrency` in flight (workers pulling from one queue, like a poll batch)."""
    results: list[T] = []
    pending: Iterator[Callable[[], Awaitable[T]]] = iter(jobs)

    async def worker() -> None:
        for job in pending:
            results.append(await job())

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(jobs)))))
    return results


@dataclass
class Round:
    """One measured round."""

    name: str
    cameras: int
    checks: int
    wall_s: float
    cpu_s: float
    sim_cpu_s: float
    ok: int
    failures: Counter[str] = field(default_factory=Counter)
    snmp_lost: int | None = None
    note: str = ""
    # The database server's CPU during the round (PostgreSQL; SQLite runs inside our process and is in cpu_s).
    server_cpu_s: float = 0.0

    @property
    def per_s(self) -> float:
        """Cameras per second of wall time."""
        return self.cameras / self.wall_s if self.wall_s else 0.0

    @property
    def cpu_ms_per_camera(self) -> float:
        """Our CPU per camera."""
        return self.cpu_s * 1000 / self.cameras if self.cameras else 0.0

    @property
    def cpu_bound_per_s(self) -> float:
        """Cameras per second our one core could sustain if the simulator were infinitely fast."""
        return self.cameras / self.cpu_s if self.cpu_s else 0.0

    @property
    def sim_busy(self) -> float:
        """Fraction of the simulator's core it used during the round."""
        return self.sim_cpu_s / self.wall_s if self.wall_s else 0.0


class Bench:
    """Runs and prints the rounds against one simulator."""

    def __init__(
        self,
        sim: SimulatorProcess,
        fleet: Sequence[BenchCamera],
        *,
        concurrency: int,
        device_timeout: float,
        limit_s: float,
    ) -> None:
        self.sim = sim
        self.fleet = fleet
        self.concurrency = concurrency
        self.device_timeout = device_timeout
        self.limit_s = limit_s
        self.profile: cProfile.Profile | None = None

    def subset(self, count: int) -> Bench:
        """The same bench over the first `count` cameras."""
        return Bench(
            self.sim,
            self.fleet[:count],
            concurrency=self.concurrency,
            device_timeout=self.device_timeout,
            limit_s=self.limit_s,
        )

    async def measure(
        self, name: str, run: Callable[[], Awaitable[list[bool | str]]], cameras: int, *, profile: bool = False
    ) -> Round:
        """Time run() (wall, our CPU, the simulator's CPU) and tally its outcomes (True or a failure name)."""
        gc.collect()
        sim_before, cpu_before, wall_before = self.sim.cpu_seconds(), time.process_time(), time.perf_counter()
        if profile:
            self.profile = cProfile.Profile()
            self.profile.enable()
        try:
            async with asyncio.timeout(self.limit_s):
                outcomes = await run()
        finally:
            if profile and self.profile is not None:
                self.profile.disable()
        wall, cpu = time.perf_counter() - wall_before, time.process_time() - cpu_before
        result = Round(
            name=name,
            cameras=cameras,
            checks=len(outcomes),
            wall_s=wall,
            cpu_s=cpu,
            sim_cpu_s=self.sim.cpu_seconds() - sim_before,
            ok=sum(outcome is True for outcome in outcomes),
            failures=Counter(outcome for outcome in outcomes if isinstance(outcome, str)),
        )
        self.print_round(result)
        return result

    @staticmethod
    def print_header() -> None:
        """Column names of the round table."""
        print(
            f"{'round':<42} {'cams':>6} {'checks':>6} {'ok':>6} {'wall s':>7} {'cams/s':>8} "
            f"{'CPU ms/cam':>10} {'CPU-bound/s':>11} {'sim CPU':>7} {'sim ms/cam':>10} {'peak MB':>7}  failures, notes",
            flush=True,
        )

    @staticmethod
    def print_round(r: Round) -> None:
        """One line of the round table."""
        failures = ", ".join(f"{name} {count}" for name, count in r.failures.most_common()) or "-"
        lost = f"; SNMP lost {r.snmp_lost}" if r.snmp_lost is not None else ""
        print(
            f"{r.name:<42} {r.cameras:>6} {r.checks:>6} {r.ok:>6} {r.wall_s:>7.2f} {r.per_s:>8.0f} "
            f"{r.cpu_ms_per_camera:>10.3f} {r.cpu_bound_per_s:>11.0f} {r.sim_busy:>6.0%} "
            f"{r.sim_cpu_s * 1000 / r.cameras:>10.3f} {peak_rss_mb():>7.1f}  "
            f"{failures}{lost}{'; ' + r.note if r.note else ''}",
            flush=True,
        )


def _outcome(result: CheckResult) -> bool | str:
    return True if result.ok else f"{result.kind}:{type(result.error).__name__}"


async def collectors_round(
    bench: Bench, collectors: Collectors, name: str, kinds: Sequence[CheckKind], *, profile: bool = False
) -> tuple[Round, list[CheckResult]]:
    """Every camera, every kind, through `Collectors.run` with bounded concurrency."""
    targets = [to_target(cam) for cam in bench.fleet]
    collected: list[CheckResult] = []

    def job(kind: CheckKind, target: Target) -> Callable[[], Awaitable[CheckResult]]:
        return lambda: collectors.run(kind, target)

    async def run() -> list[bool | str]:
        jobs = [job(kind, target) for target in targets for kind in kinds]
        collected.extend(await bounded(jobs, bench.concurrency))
        return [_outcome(result) for result in collected]

    counting_snmp = CheckKind.SNMP in kinds
    if counting_snmp:
        bench.sim.reset_counters()
    measured = await bench.measure(name, run, len(targets), profile=profile)
    if counting_snmp:
        measured.snmp_lost = snmp_losses(collected, bench.sim.snmp_requests())
        print(f"{'':<42} SNMP lost replies (timeouts + resends seen by the simulator): {measured.snmp_lost}")
    return measured, collected


def snmp_losses(results: Sequence[CheckResult], received: int) -> int:
    """Requests or replies lost: checks that timed out, plus the resends the agents received beyond one per GET."""
    snmp = [r for r in results if r.kind is CheckKind.SNMP]
    timed_out = sum(isinstance(r.error, Timeout) for r in snmp)
    expected = 0
    for result in snmp:
        if isinstance(result.observation, SnmpObservation):
            expected += 2 if result.observation.enterprise in PROBED_ENTERPRISES else 1
    # A timed-out check sent up to two datagrams per GET it reached; count it once, as a timeout.
    return timed_out + max(0, received - expected - 2 * timed_out)
