"""Several `camfleet collector` processes against 500 simulated cameras: polls counted at the devices.

Real processes throughout: the simulator (`camfleet simulate`), collectors and an API (`camfleet serve`), on a
PRIVATE PostgreSQL cluster made for this module (tests/peers/postgres_cluster.py), because the tests stop and
restart it and make its database read-only. The full-disk test uses SQLite on a tiny tmpfs mounted for it.

Intervals are short (10 s) and jitter is 0, so "once per interval" is exact at the device: the simulator keeps,
per camera, the shortest time between two GetSystemDateAndTime requests (the ONVIF health check). The daily
identity and security checks are held back by a lease to nobody (as benchmarks/poll_throughput.py does): they are
not what is measured, and their CPU would only slow the start on a shared machine.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from config.settings import Settings
from fleet.alerts import service as alerts
from fleet.alerts.schemas import ChannelIn
from fleet.crypto import CredentialCipher, load_key
from fleet.db import Database
from fleet.users.models import Role
from tests.builders import TEST_ACTOR, make_user
from tests.peers import postgres_cluster
from tests.peers.postgres_cluster import PrivateCluster
from tests.peers.processes import CamfleetProcess, stop_all
from tests.peers.receivers import WebhookReceiver, free_port
from tests.scheduler.collector_site import (
    CAMERAS,
    INTERVAL,
    Simulator,
    Site,
    camera_host,
    failed_ticks,
    prepare,
    settings_for,
    tick_failures,
)
from tests.waiting import eventually, wait_until

pytestmark = pytest.mark.processes

API_HOST = "127.92.0.2"
# Between two polls of one camera the device sees the interval, give or take the time a request takes to
# arrive on a busy machine; a second collector polling the same camera would show a gap near zero or one lease.
GAP_TOLERANCE = 1.5


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


@pytest.fixture(scope="module")
def simulator(fleet_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    sim = Simulator(fleet_csv, tmp_path_factory.mktemp("sim") / "simulator.log")
    try:
        sim.wait_ready()
        yield sim
    finally:
        sim.http.close()
        sim.process.stop()


@pytest.fixture
def site(cluster: PrivateCluster, simulator: Simulator, fleet_csv: Path, tmp_path: Path) -> Iterator[Site]:
    name = f"camfleet_{uuid.uuid4().hex[:10]}"
    cluster.admin(f'CREATE DATABASE "{name}"')
    simulator.all_online()
    made = prepare(cluster.url(name), tmp_path, fleet_csv)
    try:
        yield made
    finally:
        stop_all(made.processes)


def assert_once_per_interval(simulator: Simulator, window: float) -> None:
    """Over ``window`` seconds every camera was polled as often as the interval allows, never twice in one."""
    polls = simulator.polls()
    # Never twice in one interval: the shortest gap between two polls of a camera, checked first.
    gaps = [gap for _count, gap in polls.values() if gap is not None]
    shortest = min(gaps, default=float("nan"))
    assert len(gaps) == CAMERAS and shortest >= INTERVAL - GAP_TOLERANCE, (
        f"{len(gaps)} of {CAMERAS} cameras polled twice, the shortest gap {shortest:.2f} s"
    )
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
    time.sleep(3 * INTERVAL)  # the measurement window itself: three intervals, so each camera shows two gaps
    assert_once_per_interval(simulator, 3 * INTERVAL)
    assert all(polled_lines(process) > 0 for process in running), "a collector did no work"

    if collectors == 2:
        # kill -9 one: its claims lapse with their lease, the other takes its cameras over.
        running[0].kill()
        simulator.reset()
        simulator.wait_all_polled(timeout=2 * INTERVAL)  # the promise: within two intervals of the kill
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
                    service="json",
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
        simulator.set_offline(offline, True)  # cameras fail while nothing can be written
        async with httpx.AsyncClient(base_url=f"http://{API_HOST}:{port}", trust_env=False, timeout=20) as http:
            during = await http.get("/api/v1/cameras", headers={"Authorization": f"Bearer {token}"})
            assert during.status_code >= 500  # an error while the database is away, not a hang
            # The outage lasts until every collector has failed four times in a row: enough to show the back-off.
            collectors = site.processes[1:]  # [0] is the API
            await asyncio.to_thread(wait_until, lambda: failed_ticks(collectors), lambda seen: min(seen) >= 4,
                                    timeout=60, what="four failed ticks of each collector")  # fmt: skip
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
        assert tick_failures(collector), "the outage was not reported"
        _assert_backed_off(collector, "database unavailable or refusing writes")


async def _wait_for_faults(http: httpx.AsyncClient, token: str, names: list[str]) -> list[str]:
    async def offline_faults() -> list[str] | str:
        answer = await http.get(
            "/api/v1/faults", params={"open": "true", "size": 200}, headers={"Authorization": f"Bearer {token}"}
        )
        if answer.status_code != 200:
            return f"{answer.status_code} {answer.text[:300]}"
        return [f["camera_name"] for f in answer.json()["items"] if f["kind"] == "offline"]

    def complete(seen: list[str] | str) -> bool:
        return isinstance(seen, list) and set(seen) >= set(names)

    found = await eventually(offline_faults, complete, timeout=60, what="open faults after the restart", interval=0.5)
    assert isinstance(found, list)
    return found


async def _wait_for_alerts(webhook: WebhookReceiver, names: list[str]) -> bool:
    async def alerted() -> list[str]:
        text = " ".join(str(post) for post in webhook.posts)
        return [name for name in names if name in text]

    await eventually(alerted, lambda seen: len(seen) == len(names), timeout=60, what=f"alerts for {len(names)} cameras")
    return True


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
    _wait_backed_off(collector)
    _assert_backed_off(collector, "in a read-only transaction")
    cluster.admin(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')
    cluster.drop_sessions(name)
    collector.wait_for("job poll-tick recovered after", timeout=120)
    simulator.reset()
    simulator.wait_all_polled(timeout=2 * INTERVAL + 10)
    assert collector.running


def _wait_backed_off(collector: CamfleetProcess, timeout: float = 60) -> None:
    """Wait for four failed ticks in a row: 1, 2 and 4 s apart if it backs off, a second apart if it does not."""
    wait_until(lambda: failed_ticks([collector]), lambda seen: seen[0] >= 4, timeout=timeout, what="4 failed ticks")


def _assert_backed_off(collector: CamfleetProcess, reason: str) -> None:
    assert collector.running
    lines = [line for line in collector.output().splitlines() if "job poll-tick: database unavailable" in line]
    assert any(reason in line for line in lines), lines[:2]
    # One line per try, the tries of a run of failures in a row 1, 2, 4, 8 s apart: no crash loop, no traceback per
    # tick. A tick with nothing to write succeeds even on a full disk and starts a new run.
    found = tick_failures(collector)
    times = [at for at, _n in found]
    steps = [
        ((later - earlier).total_seconds(), n)
        for (earlier, n), (later, m) in itertools.pairwise(found)
        if m == n + 1 and n <= 3
    ]
    assert steps, f"no two failures in a row: {found}"
    assert all(gap >= 0.9 * 2 ** (n - 1) for gap, n in steps), f"seconds between failed tries, after try n: {steps}"
    seconds = (times[-1] - times[0]).total_seconds()
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
        _wait_backed_off(collector, timeout=90)
        _assert_backed_off(collector, "database or disk is full")
        filler.unlink()
        simulator.set_offline(everyone, False)
        collector.wait_for("job poll-tick recovered after", timeout=120)
        simulator.reset()
        simulator.wait_all_polled(timeout=2 * INTERVAL + 10)
    finally:
        simulator.all_online()
        stop_all(site.processes)


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
