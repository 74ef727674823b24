"""A busy server (issue 16): does camfleet's own work ever become a camera's failure?

    .venv/bin/python benchmarks/busy_server.py [-n 200] [--downloads 8] [--logins 30] [--seconds 30]
                                               [--engine sqlite|postgresql]

`camfleet serve` — the real process, API and scheduler on one event loop, as deployed — polls simulated cameras
(the simulator in a child process on 127.82.x addresses) at short intervals: reachability every 5 s, the ONVIF
health and stream checks every 10 s, a 3 s device time limit. Once every camera has been checked, two timed phases:

- **no load**: only a prober asking `GET /api/v1/health` every 50 ms;
- **storm**: the prober, and in a process of their own at a lower priority (they stand for browsers elsewhere)
  `--downloads` clients downloading annual reports as PDF and inventories as XLSX back to back
  (half each), and `--logins` clients signing in through the login form back to back (argon2 each time).

For each phase, from the server's own metrics: the event loop's lag (p50 and p99 interpolated within the histogram's
buckets, and the bucket the largest fell in), checks per second, and failures recorded (none of the cameras fails:
every recorded failure is camfleet's own doing); and from the prober: the health endpoint's p99. Targets: no failure
during the storm, at least two thirds of the no-load poll rate, loop lag p99 under 100 ms. The last line is
machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import os
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

import httpx

from _common import (
    bench_settings,
    cpu_seconds,
    database_url,
    import_fleet,
    load_average,
    migrated,
    quiet_logging,
    ratio,
    target,
)
from _fleet import SimulatorProcess, bench_cameras, write_fleet_csv
from _server import Samples, histogram_quantiles, percentile, scrape, serve, stop, total, wait_until_up
from fleet.audit.service import Actor
from fleet.users import service as users
from fleet.users.models import Role
from fleet.users.passwords import PasswordPolicy

HOST, PORT = "127.95.2.1", 8792
NETWORK = "127.82"
PASSWORD = "Busy server: 16 reports & 30 logins!"
PEOPLE = 5  # the login clients sign in as these, in turn
SETTINGS = {
    "CAMFLEET_SCHEDULER__REACHABILITY_INTERVAL": "5s",
    "CAMFLEET_SCHEDULER__HEALTH_INTERVAL": "10s",
    "CAMFLEET_SCHEDULER__IDENTITY_INTERVAL": "1h",
    "CAMFLEET_SCHEDULER__IMAGE_INTERVAL": "1h",
    "CAMFLEET_SCHEDULER__TICK": "1s",
    "CAMFLEET_SCHEDULER__DEVICE_TIMEOUT": "3s",
}
LAG = "camfleet_event_loop_lag_seconds"
CLIENT_NICENESS = 5


@dataclass
class Phase:
    """What one timed phase measured."""

    name: str
    seconds: float = 0.0
    lag_p50_ms: float = math.nan
    lag_p99_ms: float = math.nan
    lag_max_ms: float = math.nan  # the upper bound of the bucket the largest lag fell in
    lag_samples: int = 0
    health: list[float] = field(default_factory=list)
    health_errors: int = 0
    checks: float = 0.0
    failed: float = 0.0
    discarded: float = 0.0
    downloads: int = 0
    logins: int = 0
    client_errors: int = 0
    loop_cpu_s: float = 0.0  # CPU of the server's main thread (the event loop) during the phase

    @property
    def loop_busy(self) -> float:
        """The share of the phase the event loop's thread spent on the CPU."""
        return self.loop_cpu_s / self.seconds if self.seconds else 0.0

    @property
    def polls_per_s(self) -> float:
        return self.checks / self.seconds if self.seconds else 0.0

    @property
    def health_p99_ms(self) -> float:
        return percentile(self.health, 0.99)

    def read(self, before: Samples, after: Samples, settled: Samples) -> None:
        """The loop lag and the poll rate over the phase; failures until its last request ended."""
        (p50, p99), top, self.lag_samples = histogram_quantiles(before, after, LAG, (0.5, 0.99))
        self.lag_p50_ms, self.lag_p99_ms, self.lag_max_ms = p50 * 1000, p99 * 1000, top * 1000
        self.checks = total(after, "camfleet_checks_total") - total(before, "camfleet_checks_total")
        self.failed = total(settled, "camfleet_checks_total", result="failed") - total(
            before, "camfleet_checks_total", result="failed"
        )
        name = "camfleet_checks_discarded_overload_total"
        self.discarded = total(settled, name) - total(before, name)


async def prepare(url: str, data_dir: Path, fleet_csv: Path) -> str:
    """The fleet imported, people who sign in, and a reader's API token for the downloads."""
    settings = bench_settings(data_dir, url)
    database = await migrated(settings)
    await import_fleet(database, settings, fleet_csv)
    actor = Actor.system("benchmark")
    policy = PasswordPolicy.of(settings.web)
    async with database.unit_of_work() as session:
        for n in range(PEOPLE):
            await users.create_user(
                session, actor=actor, username=f"person-{n}", role=Role.VIEWER, password=PASSWORD, policy=policy
            )
        reader = await users.create_user(session, actor=actor, username="reader", role=Role.VIEWER, policy=policy)
        _row, token = await users.create_token(session, actor=actor, user=reader, name="downloads", expires_at=None)
    await database.dispose()
    return token


async def prober(http: httpx.AsyncClient, phase: Phase, deadline: float) -> None:
    """The health endpoint every 50 ms, timed."""
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            answer = await http.get("/api/v1/health", timeout=120)
            if answer.status_code == 200:
                phase.health.append(time.perf_counter() - started)
            else:
                phase.health_errors += 1
        except httpx.HTTPError:
            phase.health_errors += 1
        await asyncio.sleep(0.05)  # the probing pace


def download_path(number: int) -> str:
    """Annual PDFs for even client numbers, inventory spreadsheets for odd ones."""
    if number % 2 == 0:
        return f"/api/v1/reports/annual?year={datetime.now(UTC).year}&format=pdf"
    return "/api/v1/inventory/export?format=xlsx"


async def downloader(base: str, token: str, number: int, phase: Phase, deadline: float) -> None:
    """Downloads of one kind (see download_path), back to back."""
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600) as http:
        while time.perf_counter() < deadline:
            answer = await http.get(download_path(number))
            if answer.status_code == 200 and len(answer.content) > 1000:
                phase.downloads += 1
            else:
                phase.client_errors += 1


async def signer(base: str, number: int, phase: Phase, deadline: float) -> None:
    """Sign in through the login form (a fresh form each time), back to back."""
    async with httpx.AsyncClient(base_url=base, timeout=600) as http:
        while time.perf_counter() < deadline:
            http.cookies.clear()
            await http.get("/login")
            form = {
                "username": f"person-{number % PEOPLE}",
                "password": PASSWORD,
                "csrf_token": http.cookies.get("camfleet_login_csrf") or "",
                "next": "/",
            }
            answer = await http.post("/login", data=form)
            if answer.status_code in (302, 303):
                phase.logins += 1
            else:
                phase.client_errors += 1


@dataclass(frozen=True, slots=True)
class Storm:
    """What the storm's clients are to do, handed to their own process."""

    base: str
    token: str
    deadline_in_s: float
    downloads: int
    logins: int


def storm_process(storm: Storm, answers: Connection) -> None:
    """The storm's clients in a process of their own, at a lower priority: they stand for browsers on other
    machines, and must neither take the server's CPU nor delay the prober's measurements. Sends back
    (downloads, logins, client errors)."""
    os.nice(CLIENT_NICENESS)
    quiet_logging()
    phase = Phase("storm")
    deadline = time.perf_counter() + storm.deadline_in_s

    async def clients() -> None:
        runs = [downloader(storm.base, storm.token, n, phase, deadline) for n in range(storm.downloads)]
        runs += [signer(storm.base, n, phase, deadline) for n in range(storm.logins)]
        await asyncio.gather(*runs)

    asyncio.run(clients())
    answers.send((phase.downloads, phase.logins, phase.client_errors))
    answers.close()


async def run_phase(
    base: str, token: str, name: str, seconds: float, downloads: int, logins: int, server: int
) -> Phase:
    """One timed phase; the storm's clients (in their own process) only when asked for."""
    phase = Phase(name)
    context = multiprocessing.get_context("spawn")
    receiving, sending = context.Pipe(duplex=False)
    clients = None
    async with httpx.AsyncClient(base_url=base) as http:
        before = await scrape(http)
        loop_cpu = cpu_seconds(server, server)
        started = time.perf_counter()
        if downloads or logins:
            clients = context.Process(
                target=storm_process, args=(Storm(base, token, seconds, downloads, logins), sending)
            )
            clients.start()
        await prober(http, phase, started + seconds)
        after = await scrape(http)
        phase.seconds = time.perf_counter() - started
        phase.loop_cpu_s = cpu_seconds(server, server) - loop_cpu
        if clients is not None:
            # The last requests end; failures recorded meanwhile still count.
            phase.downloads, phase.logins, phase.client_errors = await asyncio.to_thread(receiving.recv)
            await asyncio.to_thread(clients.join)
        settled = await scrape(http)
    phase.read(before, after, settled)
    return phase


async def warm_up(base: str, token: str, cameras: int) -> float:
    """Wait until every camera was checked once (identity and image included) and is up, then make one PDF and
    one spreadsheet (the worker processes start); returns the seconds it took."""
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base) as http:
        while True:
            samples = await scrape(http)
            images = total(samples, "camfleet_checks_total", kind="image")
            if total(samples, "camfleet_cameras", status="up") == cameras and images >= cameras:
                break
            if time.perf_counter() - started > 600:
                raise SystemExit(f"not every camera up after 600 s: {samples}")
            await asyncio.sleep(1)  # a retry interval: readiness is the condition above
    # One of each download, and one login: what each does once per process (imports, templates, the worker
    # processes starting) is not part of the storm.
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=600) as http:
        for number in (0, 1):
            (await http.get(download_path(number))).raise_for_status()
    phase = Phase("warm-up")
    await signer(base, 0, phase, time.perf_counter() + 0.001)
    return time.perf_counter() - started


def show(quiet: Phase, storm: Phase, args: argparse.Namespace) -> None:
    """Both phases side by side, with the storm's figures as multiples of the quiet ones."""
    rows = [
        ("loop lag p50 (ms)", quiet.lag_p50_ms, storm.lag_p50_ms, 1),
        ("loop lag p99 (ms)", quiet.lag_p99_ms, storm.lag_p99_ms, 1),
        ("loop lag max, at most (ms)", quiet.lag_max_ms, storm.lag_max_ms, 0),
        ("health p99 (ms)", quiet.health_p99_ms, storm.health_p99_ms, 1),
        ("event loop thread on the CPU (%)", quiet.loop_busy * 100, storm.loop_busy * 100, 0),
        ("checks per second", quiet.polls_per_s, storm.polls_per_s, 1),
        ("failures recorded", quiet.failed, storm.failed, 0),
        ("checks discarded (own overload)", quiet.discarded, storm.discarded, 0),
        ("downloads done", quiet.downloads, storm.downloads, 0),
        ("logins done", quiet.logins, storm.logins, 0),
        ("client errors", quiet.client_errors + quiet.health_errors, storm.client_errors + storm.health_errors, 0),
    ]
    print(
        f"\n{args.cameras} cameras, {args.seconds:.0f} s per phase; storm: {args.downloads} download clients, "
        f"{args.logins} login clients; load average {load_average()}"
    )
    print(f"{'':<34}{'no load':>10}{'storm':>10}{'ratio':>8}")
    for label, before, during, decimals in rows:
        print(f"{label:<34}{before:>10.{decimals}f}{during:>10.{decimals}f}{ratio(during, before):>8.2f}")


def targets(quiet: Phase, storm: Phase) -> None:
    target("no camera recorded as failed during the storm", storm.failed == 0, f"{storm.failed:.0f} failures")
    share = ratio(storm.polls_per_s, quiet.polls_per_s)
    target("polls during the storm at least 2/3 of no load", share >= 2 / 3, f"{share:.2f}")
    target("loop lag p99 during the storm under 100 ms", storm.lag_p99_ms < 100, f"{storm.lag_p99_ms:.1f} ms")


async def measure(args: argparse.Namespace, workdir: Path) -> tuple[Phase, Phase]:
    """The simulator, the database, the server; the warm-up, then the quiet phase and the storm."""
    fleet = bench_cameras(args.cameras, network=NETWORK, prefix="BUSY", snmp=False)
    fleet_csv = workdir / "fleet.csv"
    write_fleet_csv(fleet_csv, fleet)
    simulator = SimulatorProcess(fleet_csv, workdir / "simulator.log", cpu=None)
    simulator.start()
    try:
        simulator.wait_ready(len(fleet), fleet[-1], deadline_s=300)
        data_dir = workdir / "var"
        async with database_url(args.engine, data_dir) as url:
            token = await prepare(url, data_dir, fleet_csv)
            server = serve(url, data_dir, HOST, PORT, scheduler=True, settings=SETTINGS, log_path=workdir / "serve.log")
            base = f"http://{HOST}:{PORT}"
            try:
                await wait_until_up(base, server)
                print(f"warm-up: {await warm_up(base, token, len(fleet)):.0f} s", flush=True)
                quiet = await run_phase(base, token, "no load", args.seconds, 0, 0, server.pid)
                storm = await run_phase(base, token, "storm", args.seconds, args.downloads, args.logins, server.pid)
            finally:
                stop(server)
                warnings = [line for line in (workdir / "serve.log").read_text().splitlines() if "WARNING" in line]
                print(f"server warnings: {len(warnings)}", *warnings[-5:], sep="\n  ", flush=True)
    finally:
        simulator.stop()
    return quiet, storm


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", "-n", type=int, default=200)
    parser.add_argument("--downloads", type=int, default=8)
    parser.add_argument("--logins", type=int, default=30)
    parser.add_argument("--seconds", "-s", type=float, default=30.0)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    quiet_logging()
    print(f"load average before: {load_average()} (the machine is shared: read the ratios)", flush=True)
    with tempfile.TemporaryDirectory(prefix="camfleet-bench-") as workdir:
        quiet, storm = await measure(args, Path(workdir))
    show(quiet, storm, args)
    targets(quiet, storm)
    print(
        f"cameras={args.cameras} engine={args.engine} seconds={args.seconds:g} "
        f"lag_p50_ms={quiet.lag_p50_ms:.1f}/{storm.lag_p50_ms:.1f} lag_p99_ms={quiet.lag_p99_ms:.1f}/"
        f"{storm.lag_p99_ms:.1f} lag_max_ms<={quiet.lag_max_ms:.0f}/{storm.lag_max_ms:.0f} "
        f"health_p99_ms={quiet.health_p99_ms:.1f}/{storm.health_p99_ms:.1f} "
        f"polls_per_s={quiet.polls_per_s:.1f}/{storm.polls_per_s:.1f} failures={quiet.failed:.0f}/{storm.failed:.0f} "
        f"discarded={quiet.discarded:.0f}/{storm.discarded:.0f} downloads={storm.downloads} logins={storm.logins}"
    )


if __name__ == "__main__":
    asyncio.run(main())
