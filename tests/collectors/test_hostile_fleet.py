"""Hostile cameras across every collector, in bounded memory, and in a real `camfleet poll` beside healthy ones.

tests/collectors/test_hostile.py runs each hostility against the ONVIF checks and SNMP v2c one at a time; here the
same peers (on 127.95.x.y) meet reachability, SNMP v3 and the whole poll path: claims, collectors, recording.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import tracemalloc
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import select

from collectors import Collectors, ReachabilityObservation, SnmpCredentials, Timeout, Unreachable
from collectors.errors import CollectorError
from config.checks import CheckKind
from fleet.cameras.models import Camera, CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.models import CheckResult as StoredResult
from fleet.health.models import CheckState, ErrorClass
from scheduler.collecting import error_class
from simulator.fleet import SimulatedFleet
from tests.builders import register_file
from tests.collectors.conftest import DEVICE_TIMEOUT, make_target
from tests.collectors.test_hostile import EXPECTED_HTTP, EXPECTED_SNMP, SLACK_S, assert_failed_as
from tests.conftest import CAMFLEET, TEST_SECRET
from tests.peers.hostile import HostileHttpCamera, HostileSnmpAgent, HttpHostility, Recorder, SnmpHostility
from tests.waiting import wait_until

RECORDER_HOST = "127.95.5.1"
BACKLOG_HOST = "127.95.7.1"
# The cap the collectors hold an answer to (Collectors' default), and what the whole check may allocate beyond it.
MAX_BODY = 1024 * 1024
ALLOCATION_LIMIT = 6 * MAX_BODY


def http_host(hostility: HttpHostility) -> str:
    return f"127.95.3.{list(HttpHostility).index(hostility) + 1}"


def snmp_host(hostility: SnmpHostility) -> str:
    return f"127.95.4.{list(SnmpHostility).index(hostility) + 1}"


@pytest_asyncio.fixture(scope="module")
async def recorder_95() -> AsyncIterator[Recorder]:
    listener = Recorder(RECORDER_HOST)
    await listener.start()
    yield listener
    await listener.stop()


@pytest_asyncio.fixture(scope="module")
async def hostile_http_95(recorder_95: Recorder) -> AsyncIterator[dict[HttpHostility, HostileHttpCamera]]:
    """One hostile HTTP camera per hostility on 127.95.3.N, port 8080."""
    peers = {h: HostileHttpCamera(h, http_host(h), recorder=recorder_95.url) for h in HttpHostility}
    for peer in peers.values():
        await peer.start()
    yield peers
    for peer in peers.values():
        await peer.stop()


@pytest_asyncio.fixture(scope="module")
async def hostile_snmp_95() -> AsyncIterator[dict[SnmpHostility, HostileSnmpAgent]]:
    """One hostile SNMP agent per hostility on 127.95.4.N, port 1161."""
    agents = {h: HostileSnmpAgent(h, snmp_host(h)) for h in SnmpHostility}
    for agent in agents.values():
        await agent.start()
    yield agents
    for agent in agents.values():
        await agent.stop()


@pytest.fixture
def full_backlog() -> Iterator[int]:
    """A port whose accept queue is full: the kernel drops further SYNs, so a connect hangs (a firewall's DROP)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((BACKLOG_HOST, 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    queued = []
    for _ in range(4):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            filler.connect((BACKLOG_HOST, port))
        queued.append(filler)

    def accepted() -> int:
        connected = 0
        for filler in queued:
            with contextlib.suppress(OSError):  # not connected (yet)
                filler.getpeername()
                connected += 1
        return connected

    wait_until(accepted, timeout=10, what="a connection in the accept queue, filling it")
    yield port
    for filler in queued:
        filler.close()
    listener.close()


async def test_reachability_takes_hostile_ports_as_open_and_a_dropping_port_as_down_in_time(
    collectors: Collectors, hostile_http_95: dict[HttpHostility, HostileHttpCamera], full_backlog: int
) -> None:
    # Reachability only connects: every hostile peer accepts, so each is reachable, whatever it would say next.
    open_ports = [make_target(name=h.value, host=peer.host, rtsp_port=8080) for h, peer in hostile_http_95.items()]
    dropping = make_target(name="dropping", host=BACKLOG_HOST, onvif_port=full_backlog, rtsp_port=full_backlog)
    started = time.perf_counter()
    *opened, dropped = await asyncio.gather(
        *(collectors.run(CheckKind.REACHABILITY, target) for target in [*open_ports, dropping])
    )
    for result in opened:
        assert isinstance(result.observation, ReachabilityObservation), result
        assert result.observation.onvif_port_open
    # Unreachable or its kind Timeout: the connect limit and the per-device limit are the same length.
    assert isinstance(dropped.error, Unreachable) and dropped.duration_s < DEVICE_TIMEOUT + SLACK_S
    assert time.perf_counter() - started < DEVICE_TIMEOUT + SLACK_S


# SNMPv3 answers go through pysnmp, which drops what it cannot attribute to a request it sent (garbage, a v2c
# answer, a cut-off message, a foreign request-id): the camera then simply did not answer in time.
EXPECTED_SNMP_V3: dict[SnmpHostility, type[CollectorError]] = {hostility: Timeout for hostility in SnmpHostility}


async def test_hostile_snmp_v3_agents_fail_alone(
    collectors: Collectors, hostile_snmp_95: dict[SnmpHostility, HostileSnmpAgent]
) -> None:
    v3 = SnmpCredentials(version="3", user="camfleet", auth_key="authkey-Venlo-77", priv_key="privkey-Venlo-88")
    targets = [make_target(name=h.value, host=agent.host, snmp=v3) for h, agent in hostile_snmp_95.items()]
    results = await asyncio.gather(*(collectors.run(CheckKind.SNMP, target) for target in targets))
    for hostility, result in zip(hostile_snmp_95, results, strict=True):
        assert_failed_as(result, EXPECTED_SNMP_V3[hostility])


@pytest.mark.parametrize("hostility", [HttpHostility.huge_content_length, HttpHostility.huge_chunked])
@pytest.mark.parametrize("kind", [CheckKind.ONVIF_HEALTH, CheckKind.ONVIF_IDENTITY])
async def test_a_50_mb_answer_is_refused_in_bounded_memory(
    collectors: Collectors,
    hostile_http_95: dict[HttpHostility, HostileHttpCamera],
    kind: CheckKind,
    hostility: HttpHostility,
) -> None:
    assert collectors.max_body_bytes == MAX_BODY
    target = make_target(name=hostility.value, host=hostile_http_95[hostility].host)
    tracemalloc.start()
    try:
        result = await collectors.run(kind, target)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_failed_as(result, EXPECTED_HTTP[hostility])
    assert peak < ALLOCATION_LIMIT, f"{kind} allocated {peak / 1e6:.1f} MB at its peak for a 50 MB answer"


HEALTHY_FLEET = """\
name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password,snmp_version,snmp_community
OK-1,127.95.6.1,8080,1161,8554,Axis Communications,root,onvif-pass-1,2c,comm-axis
OK-2,127.95.6.2,8080,1161,8554,Hikvision,admin,onvif-pass-2,2c,comm-hik
OK-3,127.95.6.3,8080,1161,8554,Hanwha Vision,admin,onvif-pass-3,2c,comm-han
"""
# Longer than the env fixture's 3 s: on a machine loaded several times over its two cores, parsing a hostile answer
# next to a few dozen other checks has been seen to take over 3 s, which is the machine, not the camera.
POLL_TIMEOUT_S = 6.0


@pytest_asyncio.fixture
async def healthy_fleet(tmp_path: Path) -> AsyncIterator[Path]:
    path = tmp_path / "healthy.csv"
    path.write_text(HEALTHY_FLEET)
    async with SimulatedFleet.from_csv(path, snapshot_size=(320, 180)):
        yield path


def _fleet_csv(healthy: Path, target: Path) -> None:
    """The healthy cameras, a camera per HTTP hostility (no SNMP), a camera per SNMP hostility (SNMP only)."""
    lines = healthy.read_text().splitlines()
    for hostility in HttpHostility:
        lines.append(f"H-{hostility.value},{http_host(hostility)},8080,1161,8080,,admin,Zomer2024!geheim,,")
    for hostility in SnmpHostility:
        lines.append(f"S-{hostility.value},{snmp_host(hostility)},8080,1161,8554,,,,2c,public")
    target.write_text("\n".join(lines) + "\n")


async def test_camfleet_poll_records_hostile_cameras_as_failures_and_healthy_ones_in_time(
    database: Database,
    cipher: CredentialCipher,
    env: dict[str, str],
    tmp_path: Path,
    healthy_fleet: Path,
    hostile_http_95: dict[HttpHostility, HostileHttpCamera],
    hostile_snmp_95: dict[SnmpHostility, HostileSnmpAgent],
    recorder_95: Recorder,
) -> None:
    fleet_file = tmp_path / "fleet.csv"
    _fleet_csv(healthy_fleet, fleet_file)
    await register_file(database, cipher, fleet_file)

    stdout, elapsed = await _camfleet_poll(env)
    async with database.unit_of_work() as session:
        found = {c.id: c for c in await session.scalars(select(Camera))}
        states = {(found[s.camera_id].name, s.kind): s for s in await session.scalars(select(CheckState))}
        results = (await session.scalars(select(StoredResult))).all()
    _assert_hostile_ones_failed_as_expected(states)
    _assert_healthy_ones_up(found, states)
    # Every check, hostile or healthy, within the device timeout; the whole poll within a few of them.
    assert max(r.duration_ms for r in results) < (POLL_TIMEOUT_S + SLACK_S) * 1000
    # Beyond the checks: starting the camfleet process and its database, on a machine that may be busy.
    assert elapsed < 10 * POLL_TIMEOUT_S + 30
    assert recorder_95.contacts == []
    assert b"up" in stdout.lower()


async def _camfleet_poll(env: dict[str, str]) -> tuple[bytes, float]:
    """Run `camfleet poll` once; its output and how long it took."""
    started = time.perf_counter()
    # Not run_cli: the peers live in this event loop and must keep answering while the poll runs.
    process = await asyncio.create_subprocess_exec(
        CAMFLEET,
        "poll",
        env={
            **env,
            "CAMFLEET_SCHEDULER__DEVICE_TIMEOUT": f"{POLL_TIMEOUT_S:g}s",
            "CAMFLEET_SECRET_KEY": TEST_SECRET,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), 120)
    elapsed = time.perf_counter() - started
    assert process.returncode == 0, stderr.decode()
    assert "Traceback" not in stderr.decode()
    return stdout, elapsed


def _assert_hostile_ones_failed_as_expected(states: dict[tuple[str, CheckKind], CheckState]) -> None:
    wrong: list[str] = []
    for hostility in HttpHostility:
        for kind in (CheckKind.ONVIF_HEALTH, CheckKind.ONVIF_IDENTITY):
            state = states[(f"H-{hostility.value}", kind)]
            expected = error_class(EXPECTED_HTTP[hostility](""))
            if state.last_ok is not False or state.last_error_class is not expected:
                wrong.append(
                    f"H-{hostility.value} {kind}: {state.last_error_class} ({state.last_error}), not {expected}"
                )
    for hostility in SnmpHostility:
        state = states[(f"S-{hostility.value}", CheckKind.SNMP)]
        expected = error_class(EXPECTED_SNMP[hostility](""))
        if state.last_ok is not False or state.last_error_class is not expected:
            wrong.append(f"S-{hostility.value} snmp: {state.last_error_class} ({state.last_error}), not {expected}")
    assert not wrong, "\n".join(wrong)
    assert not any(s.last_error_class is ErrorClass.INTERNAL for s in states.values())


def _assert_healthy_ones_up(found: dict[int, Camera], states: dict[tuple[str, CheckKind], CheckState]) -> None:
    """Every check of the healthy cameras passed and they are up."""
    healthy = {c.id for c in found.values() if c.name.startswith("OK-")}
    for (name, kind), state in states.items():
        if name.startswith("OK-"):
            assert state.last_ok is True, (name, kind, state.last_error)
    assert {c.status for c in found.values() if c.id in healthy} == {CameraStatus.UP}
