"""Several `camfleet collector` processes against 500 simulated cameras: polls counted at the devices.

Real processes throughout: the simulator (`camfleet simulate`), collectors and an API (`camfleet serve`), on a
PRIVATE PostgreSQL cluster made for this module (tests/peers/postgres_cluster.py), because the tests stop and
restart it and make its database read-only. The full-disk test uses SQLite on a tiny tmpfs mounted for it.

Intervals are short (10 s) and jitter is 0, so "once per interval" is exact at the device: the simulator keeps,
per camera, the shortest time between two GetSystemDateAndTime requests (the ONVIF health check). The daily
identity check is held back by a lease to nobody (as benchmarks/poll_throughput.py does): it is not what is
measured, and its CPU would only slow the start on a shared machine.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from config.settings import Settings
from fleet import schema
from fleet.alerts import service as alerts
from fleet.alerts.schemas import ChannelIn
from fleet.crypto import CredentialCipher, load_key
from fleet.db import Database
from fleet.health.claims import ensure_check_states
from fleet.health.models import CheckKind, CheckState
from fleet.users.models import Role
from tests.builders import TEST_ACTOR, make_user
from tests.conftest import TEST_SECRET, run_cli
from tests.peers import postgres_cluster
from tests.peers.postgres_cluster import PrivateCluster
from tests.peers.processes import CamfleetProcess
from tests.peers.receivers import WebhookReceiver, free_port

pytestmark = pytest.mark.processes

CAMERAS = 500
INTERVAL = 10.0
LEASE = 4.0
CONTROL_HOST = "127.92.0.1"
API_HOST = "127.92.0.2"
CLOCK = "GetSystemDateAndTime"
# Between two polls of one camera the device sees the interval, give or take the time a request takes to
# arrive on a busy machine; a second collector polling the same camera would show a gap near zero or one lease.
GAP_TOLERANCE = 1.5


def camera_host(index: int) -> str:
    """500 cameras on 127.92.1.1 upwards (this module's range)."""
    return f"127.92.{1 + index // 250}.{index % 250 + 1}"


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    reason = postgres_cluster.unavailable()
    if reason is not None:
        pytest.skip(f"no private PostgreSQL cluster: {reason}")
    made = PrivateCluster()
    try:
        made.create()
        yield made
    finally:
        made.remove()


@pytest.fixture(scope="module")
def fleet_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("fleet") / "fleet.csv"
    rows = ["name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer"]
    rows += [f"SC-{i:03d},{camera_host(i)},8080,1161,8554,Axis Communications" for i in range(CAMERAS)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


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
        deadline = time.monotonic() + 120
        while True:
            try:
                if self.http.get("/health").json()["cameras"] == CAMERAS:
                    return
            except httpx.TransportError:
                pass
            assert self.process.running, self.process.output()[-2000:]
            assert time.monotonic() < deadline, "simulator not ready"
            time.sleep(0.5)

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
        deadline = time.monotonic() + timeout
        while True:
            missing = [name for name, (count, _gap) in self.polls().items() if count == 0 and name not in skip]
            if not missing:
                return
            assert time.monotonic() < deadline, f"{len(missing)} cameras not polled in {timeout:.0f} s: {missing[:5]}"
            time.sleep(1)


@pytest.fixture(scope="module")
def simulator(fleet_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = Simulator(fleet_csv, tmp_path_factory.mktemp("sim") / "simulator.log")
    try:
        sim.wait_ready()
        yield sim
    finally:
        sim.http.close()
        sim.process.stop()


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


async def hold_identity_checks(settings: Settings) -> None:
    """Give every camera its check states and lease the daily identity check to nobody for a day."""
    database = Database(settings)
    try:
        async with database.unit_of_work() as session:
            now = datetime.now(UTC)
            await ensure_check_states(session, now=now)
            await session.execute(
                update(CheckState)
                .where(CheckState.kind == CheckKind.ONVIF_IDENTITY)
                .values(lease_owner="test: identity is daily, not measured", lease_expires_at=now + timedelta(days=1))
            )
    finally:
        await database.dispose()


def prepare(url: str, tmp: Path, fleet_csv: Path) -> Site:
    """Migrate, import the fleet, hold identity checks back."""
    env = collector_env(url, tmp)
    schema.upgrade(url.replace("postgresql://", "postgresql+asyncpg://").replace("sqlite://", "sqlite+aiosqlite://"))
    imported = run_cli(env, "cameras", "import", str(fleet_csv))
    assert imported.returncode == 0, imported.stderr
    asyncio.run(hold_identity_checks(settings_for(url, tmp)))
    return Site(url, env, tmp, [])


@pytest.fixture
def site(cluster: PrivateCluster, simulator: Simulator, fleet_csv: Path, tmp_path: Path) -> Iterator[Site]:
    name = f"camfleet_{uuid.uuid4().hex[:10]}"
    cluster.admin(f'CREATE DATABASE "{name}"')
    simulator.all_online()
    made = prepare(cluster.url(name), tmp_path, fleet_csv)
    try:
        yield made
    finally:
        for process in made.processes:
            process.stop()


def assert_once_per_interval(simulator: Simulator, window: float) -> None:
    """Over ``window`` seconds every camera was polled as often as the interval allows, never twice in one."""
    polls = simulator.polls()
    # Never twice in one interval: the shortest gap between two polls of a camera, checked first.
    gaps = [gap for _count, gap in polls.values() if gap is not None]
    assert len(gaps) == CAMERAS and min(gaps) >= INTERVAL - GAP_TOLERANCE, f"shortest gap {min(gaps):.2f} s"
    # As often as the interval allows: polls that may come GAP_TOLERANCE early fit one more into the window.
    fewest = int(window // INTERVAL) - 1
    most = int(window // (INTERVAL - GAP_TOLERANCE)) + 1
    counts = sorted({count for count, _gap in polls.values()})
    assert all(fewest <= count <= most for count, _gap in polls.values()), f"polls per camera: {counts}"


def polled_lines(process: CamfleetProcess) -> int:
    return len(re.findall(r"polled \d+ checks", process.output()))


@pytest.mark.parametrize("collectors", [2, 3])
def test_collectors_share_a_group_each_camera_once_per_interval(
    site: Site, simulator: Simulator, collectors: int
) -> None:
    running = site.collectors(collectors)
    simulator.reset()
    simulator.wait_all_polled(timeout=60)
    # Measure from a reset: whole intervals only, every collector busy.
    simulator.reset()
    time.sleep(3 * INTERVAL)
    assert_once_per_interval(simulator, 3 * INTERVAL)
    assert all(polled_lines(process) > 0 for process in running), "a collector did no work"

    if collectors == 2:
        # kill -9 one: its claims lapse with their lease, the other takes its cameras over.
        running[0].kill()
        simulator.reset()
        time.sleep(2 * INTERVAL)
        missing = [name for name, (count, _gap) in simulator.polls().items() if count == 0]
        assert missing == [], f"{len(missing)} cameras not polled within two intervals of the kill"
        assert running[1].running


def test_postgresql_restart_collectors_dispatcher_and_api_recover(
    site: Site, simulator: Simulator, cluster: PrivateCluster
) -> None:
    settings = settings_for(site.url, site.tmp)
    offline = [f"SC-{i:03d}" for i in range(0, CAMERAS, 25)]  # 20 cameras on both addresses ranges
    asyncio.run(_restart_scenario(site, simulator, cluster, settings, offline))


async def _restart_scenario(
    site: Site, simulator: Simulator, cluster: PrivateCluster, settings: Settings, offline: list[str]
) -> None:
    async with WebhookReceiver() as webhook:
        database = Database(settings)
        try:
            async with database.unit_of_work() as session:
                _user, token = await make_user(session, Role.VIEWER, username="control-room")
                await alerts.create_channel(
                    session,
                    actor=TEST_ACTOR,
                    data=ChannelIn(name="meldkamer", url=webhook.url),
                    cipher=CredentialCipher(load_key(settings)),
                )
        finally:
            await database.dispose()
        port = free_port()
        api = site.start("api", "serve", "--no-scheduler", "--host", API_HOST, "--port", str(port))
        await asyncio.to_thread(site.collectors, 2)
        await asyncio.to_thread(api.wait_for, "Uvicorn running", 90)
        simulator.reset()
        await asyncio.to_thread(simulator.wait_all_polled, 60)

        await asyncio.to_thread(cluster.stop)
        down_at = time.monotonic()
        simulator.set_offline(offline, True)  # cameras fail while nothing can be written
        async with httpx.AsyncClient(base_url=f"http://{API_HOST}:{port}", trust_env=False, timeout=20) as http:
            during = await http.get("/api/v1/cameras", headers={"Authorization": f"Bearer {token}"})
            assert during.status_code >= 500  # an error while the database is away, not a hang
            await asyncio.sleep(15)
            outage = time.monotonic() - down_at
            await asyncio.to_thread(cluster.start)
            simulator.reset()

            # Every camera still online is polled again, on its own, within two intervals plus the back-off.
            await asyncio.to_thread(simulator.wait_all_polled, 2 * INTERVAL + 8 + 10, skip=frozenset(offline))
            faults = await _wait_for_faults(http, token, offline)
            # Each camera that went offline has its fault, and only one: nothing lost, no twins from two collectors.
            # (On a busy machine a camera may also time out once after the restart; that is a fault too.)
            assert set(offline) <= set(faults) and len(faults) == len(set(faults))
            delivered = await _wait_for_alerts(webhook, offline)
        ids = webhook.message_ids()
        assert len(ids) == len(set(ids)), "an alert message was delivered twice by two dispatchers"
        assert delivered
    for collector in site.processes[1:]:  # [0] is the API
        # A tick that has begun after the restart ends once every due check ran: then it says so.
        collector.wait_for("job poll-tick recovered after", timeout=60)
        log = collector.output()
        errors = re.findall(r"job poll-tick: database unavailable or refusing writes \((.*?)\); failure", log)
        assert errors, "the outage was not reported"
        # Back-off: tries at 1, 2, 4, 8, 8 ... s apart, not every 1 s tick of the outage.
        assert len(errors) <= outage / 8 + 4, f"{len(errors)} failed ticks in a {outage:.0f} s outage"
        assert "Traceback" not in log


async def _wait_for_faults(http: httpx.AsyncClient, token: str, names: list[str]) -> list[str]:
    deadline = time.monotonic() + 60
    while True:
        answer = await http.get(
            "/api/v1/faults", params={"open": "true", "size": 200}, headers={"Authorization": f"Bearer {token}"}
        )
        if answer.status_code == 200:
            found = [f["camera_name"] for f in answer.json()["items"] if f["kind"] == "offline"]
            if set(found) >= set(names):
                return found
        assert time.monotonic() < deadline, f"open faults after the restart: {answer.status_code} {answer.text[:300]}"
        await asyncio.sleep(1)


async def _wait_for_alerts(webhook: WebhookReceiver, names: list[str]) -> bool:
    deadline = time.monotonic() + 60
    while True:
        text = " ".join(str(post) for post in webhook.posts)
        if all(name in text for name in names):
            return True
        assert time.monotonic() < deadline, f"alerts delivered for {sum(n in text for n in names)} of {len(names)}"
        await asyncio.sleep(1)


def test_read_only_database_is_reported_then_recovers(
    site: Site, simulator: Simulator, cluster: PrivateCluster
) -> None:
    name = site.url.rsplit("/", 1)[1]
    [collector] = site.collectors(1)
    simulator.reset()
    simulator.wait_all_polled(timeout=60)
    # A database switched to read-only (as a standby is, or a full-disk guard does); sessions are dropped
    # so the new setting applies, as a failover drops them.
    cluster.admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    cluster.drop_sessions(name)
    started = time.monotonic()
    collector.wait_for("read-only transaction", timeout=30)
    time.sleep(12)
    _assert_backed_off(collector, "in a read-only transaction", time.monotonic() - started)
    cluster.admin(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
    cluster.drop_sessions(name)
    collector.wait_for("job poll-tick recovered after", timeout=30)
    simulator.reset()
    simulator.wait_all_polled(timeout=2 * INTERVAL + 10)
    assert collector.running


def _assert_backed_off(collector: CamfleetProcess, reason: str, seconds: float) -> None:
    assert collector.running
    lines = [line for line in collector.output().splitlines() if "job poll-tick: database unavailable" in line]
    assert any(reason in line for line in lines), lines[:2]
    # One line per try, tries 1, 2, 4, 8 s apart: no crash loop, no traceback per tick.
    assert len(lines) <= seconds / 8 + 4, f"{len(lines)} failed ticks in {seconds:.0f} s"
    assert "Traceback" not in collector.output()


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, check=False)


def test_full_disk_is_reported_then_recovers(
    tiny_disk: Path, simulator: Simulator, fleet_csv: Path, tmp_path: Path
) -> None:
    simulator.all_online()
    site = prepare(f"sqlite:///{tiny_disk / 'camfleet.db'}", tmp_path, fleet_csv)
    try:
        [collector] = site.collectors(1)
        simulator.reset()
        simulator.wait_all_polled(timeout=60)
        # Failed checks are all stored, so the database must grow; the disk has no room left for it.
        everyone = [f"SC-{i:03d}" for i in range(CAMERAS)]
        simulator.set_offline(everyone, True)
        filler = _fill(tiny_disk / "filler")
        started = time.monotonic()
        collector.wait_for("database or disk is full", timeout=60)
        time.sleep(12)
        _assert_backed_off(collector, "database or disk is full", time.monotonic() - started)
        filler.unlink()
        simulator.set_offline(everyone, False)
        collector.wait_for("job poll-tick recovered after", timeout=30)
        simulator.reset()
        simulator.wait_all_polled(timeout=2 * INTERVAL + 10)
    finally:
        simulator.all_online()
        for process in site.processes:
            process.stop()


def _fill(path: Path) -> Path:
    """Write zeros until the disk is full."""
    block = bytes(64 * 1024)
    with path.open("wb", buffering=0) as out:
        try:
            while out.write(block):
                pass
        except OSError:
            pass  # no space left: what was wanted
    return path
