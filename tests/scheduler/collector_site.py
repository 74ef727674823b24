"""camfleet collectors against the simulated fleet, as tests/scheduler/test_collectors_faults.py runs them.

The `camfleet simulate` process and its control API, a site of collector (and API) processes on one database with
the short intervals those tests measure, and what a collector's log says about its failed ticks.
"""

from __future__ import annotations

import asyncio
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import update

from config.checks import CheckKind
from config.settings import Settings
from fleet import schema
from fleet.db import Database
from fleet.health.claims import ensure_check_states
from fleet.health.models import CheckState
from tests.conftest import TEST_SECRET, run_cli
from tests.peers.processes import CamfleetProcess
from tests.peers.receivers import free_port
from tests.waiting import wait_until

CAMERAS = 500
INTERVAL = 10.0
LEASE = 4.0
CONTROL_HOST = "127.92.0.1"
CLOCK = "GetSystemDateAndTime"


def camera_host(index: int) -> str:
    """500 cameras on 127.92.1.1 upwards (this module's range)."""
    return f"127.92.{1 + index // 250}.{index % 250 + 1}"


class Simulator:
    """The `camfleet simulate` process and its control API."""

    def __init__(self, fleet_csv: Path, log: Path) -> None:
        self.base = f"http://{CONTROL_HOST}:{free_port()}"
        self.process = CamfleetProcess(
            {**os.environ, "CAMFLEET_CONFIG": ""},
            log,
            "simulate", "--fleet", str(fleet_csv), "--control", self.base.removeprefix("http://"),
            "--snapshot-size", "64x36",
        )  # fmt: skip
        self.http = httpx.Client(base_url=self.base, timeout=30, trust_env=False)

    def wait_ready(self) -> None:
        def cameras() -> int | None:
            assert self.process.running, self.process.output()[-2000:]
            try:
                return int(self.http.get("/health").json()["cameras"])
            except httpx.TransportError:
                return None

        wait_until(cameras, lambda seen: seen == CAMERAS, timeout=120, what="the simulator's cameras", interval=0.5)

    def polls(self) -> dict[str, tuple[int, float | None]]:
        """Per camera: health polls since the last reset, and the shortest gap between two of them."""
        items = self.http.get("/cameras").json()["items"]
        return {
            c["name"]: (c["counters"]["onvif"].get(CLOCK, 0), c["counters"]["onvif_min_gap_s"].get(CLOCK))
            for c in items
        }

    def reset(self) -> None:
        self.http.post("/counters/reset").raise_for_status()

    def set_offline(self, names: list[str], offline: bool) -> None:
        for name in names:
            self.http.patch(f"/cameras/{name}", json={"offline": offline}).raise_for_status()

    def all_online(self) -> None:
        """Undo what an earlier test switched off."""
        items = self.http.get("/cameras").json()["items"]
        self.set_offline([c["name"] for c in items if c["state"]["offline"]], False)

    def wait_all_polled(self, timeout: float, *, skip: frozenset[str] = frozenset()) -> None:
        """Wait until every camera (but ``skip``) had a health poll since the last reset."""

        def missing() -> list[str]:
            return [name for name, (count, _gap) in self.polls().items() if count == 0 and name not in skip]

        wait_until(missing, lambda seen: not seen, timeout=timeout, what="a poll of every camera", interval=0.5)


@dataclass
class Site:
    """One test's database, environment and the processes it started."""

    url: str
    env: dict[str, str]
    tmp: Path
    processes: list[CamfleetProcess]

    def start(self, name: str, *args: str) -> CamfleetProcess:
        process = CamfleetProcess(self.env, self.tmp / f"{name}.log", *args)
        self.processes.append(process)
        return process

    def collectors(self, count: int) -> list[CamfleetProcess]:
        started = [self.start(f"collector-{i}", "collector") for i in range(count)]
        for process in started:
            process.wait_for("collector running", timeout=90)
        return started


def collector_env(url: str, tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CAMFLEET_DATABASE_URL": url,
        "CAMFLEET_DATA_DIR": str(tmp / "var"),
        "CAMFLEET_CONFIG": "",
        "CAMFLEET_SECRET_KEY": TEST_SECRET,
        "COLUMNS": "200",
        "CAMFLEET_SCHEDULER__REACHABILITY_INTERVAL": f"{INTERVAL:.0f}s",
        "CAMFLEET_SCHEDULER__HEALTH_INTERVAL": f"{INTERVAL:.0f}s",
        "CAMFLEET_SCHEDULER__TICK": "1s",
        "CAMFLEET_SCHEDULER__LEASE": f"{LEASE:.0f}s",
        "CAMFLEET_SCHEDULER__JITTER": "0",
        "CAMFLEET_SCHEDULER__DEVICE_TIMEOUT": "5s",
        "CAMFLEET_SCHEDULER__BATCH_SIZE": "100",
        "CAMFLEET_SCHEDULER__FAILURE_BACKOFF_MAX": "8s",
        "CAMFLEET_ALERTS__DISPATCH_INTERVAL": "1s",
        "CAMFLEET_ALERTS__GROUP_WINDOW": "0s",
        "CAMFLEET_FAULTS__FAILURES_TO_OPEN": "1",
    }


def settings_for(url: str, tmp: Path) -> Settings:
    return Settings(database_url=url, data_dir=tmp / "var", secret_key=TEST_SECRET)


async def hold_daily_checks(settings: Settings) -> None:
    """Give every camera its check states and lease the daily identity and security checks to nobody for a day."""
    database = Database(settings)
    try:
        async with database.unit_of_work() as session:
            now = datetime.now(UTC)
            await ensure_check_states(session, now=now)
            await session.execute(
                update(CheckState)
                .where(CheckState.kind.in_((CheckKind.ONVIF_IDENTITY, CheckKind.SECURITY)))
                .values(lease_owner="test: daily, not measured", lease_expires_at=now + timedelta(days=1))
            )
    finally:
        await database.dispose()


def prepare(url: str, tmp: Path, fleet_csv: Path) -> Site:
    """Migrate, import the fleet, hold identity checks back."""
    env = collector_env(url, tmp)
    schema.upgrade(url.replace("postgresql://", "postgresql+asyncpg://").replace("sqlite://", "sqlite+aiosqlite://"))
    imported = run_cli(env, "cameras", "import", str(fleet_csv))
    assert imported.returncode == 0, imported.stderr
    asyncio.run(hold_daily_checks(settings_for(url, tmp)))
    return Site(url, env, tmp, [])


def tick_failures(collector: CamfleetProcess) -> list[tuple[datetime, int]]:
    """When the poll tick failed on the database, and how many times in a row, from the collector's log."""
    found = re.finditer(
        r"^(\S+ \S+) ERROR scheduler.jobs: job poll-tick: database unavailable.*failure (\d+) in a row",
        collector.output(),
        re.MULTILINE,
    )
    return [(datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f"), int(m[2])) for m in found]


def failed_ticks(collectors: list[CamfleetProcess]) -> list[int]:
    """Per collector: the longest run of failed poll ticks so far."""
    return [max((n for _at, n in tick_failures(c)), default=0) for c in collectors]
