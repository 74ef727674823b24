"""Real peers on 127.50.x.y for the collector tests: snmpsim, ONVIF replay and hostile servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from collectors import Collectors, SnmpCredentials, Target
from tests.peers.hostile import HostileHttpCamera, HostileSnmpAgent, HttpHostility, Recorder, SnmpHostility
from tests.peers.onvif_replay import OnvifReplayCamera
from tests.peers.snmpsim import SnmpSim

DEVICE_TIMEOUT = 1.5
PASSWORD = "Zomer2024!geheim"
V3_AUTH_KEY = "authkey-Venlo-77"
V3_PRIV_KEY = "privkey-Venlo-88"
CLOCK_OFFSET = timedelta(seconds=42)

AXIS_HOST = "127.50.2.1"
PELCO_HOST = "127.50.2.2"
SNMPSIM_HOST = "127.50.1.1"
SNMPSIM_PORT = 1161
CLOSED_HOST = "127.50.9.1"
RECORDER_HOST = "127.50.5.1"


def make_target(**overrides: Any) -> Target:
    """A camera target on loopback; override any field."""
    base = Target(
        camera_id=1,
        name="cam-test",
        host=AXIS_HOST,
        onvif_port=8080,
        rtsp_port=8554,
        snmp_port=SNMPSIM_PORT,
        username="admin",
        password=PASSWORD,
        snmp=None,
    )
    return replace(base, **overrides)


def v2c(community: str) -> SnmpCredentials:
    """SNMP v2c credentials."""
    return SnmpCredentials(version="2c", community=community, user=None, auth_key=None, priv_key=None)


@pytest.fixture(scope="session")
def captures(test_data: Path) -> Path:
    """The real ONVIF captures."""
    return test_data / "onvif-captures"


@pytest_asyncio.fixture(scope="session")
async def collectors() -> AsyncIterator[Collectors]:
    """One Collectors for the session, as the scheduler holds one."""
    async with Collectors(device_timeout=DEVICE_TIMEOUT) as shared:
        yield shared


@pytest_asyncio.fixture(scope="session")
async def axis(captures: Path) -> AsyncIterator[OnvifReplayCamera]:
    """The Axis M5525-E: credentials on every call, clock 42 s ahead."""
    camera = OnvifReplayCamera(
        captures / "axis-m5525-e",
        AXIS_HOST,
        clock_offset=CLOCK_OFFSET,
        username="admin",
        password=PASSWORD,
        auth_for_clock=True,
    )
    await camera.start()
    yield camera
    await camera.stop()


@pytest_asyncio.fixture(scope="session")
async def pelco(captures: Path) -> AsyncIterator[OnvifReplayCamera]:
    """The Pelco IMP321-1ES: no credentials asked."""
    camera = OnvifReplayCamera(captures / "pelco-imp321-1es", PELCO_HOST)
    await camera.start()
    yield camera
    await camera.stop()


@pytest.fixture(scope="session")
def snmpsim() -> Iterator[SnmpSim]:
    """snmpsim serving the Samsung iPOLIS and Hikvision recordings, with an SNMPv3 user."""
    agent = SnmpSim(
        addresses=[(SNMPSIM_HOST, SNMPSIM_PORT)],
        recordings=["camera/samsung-ipolis", "camera/hikvision"],
        v3_user="camfleet",
        v3_auth_key=V3_AUTH_KEY,
        v3_priv_key=V3_PRIV_KEY,
    )
    agent.start()
    yield agent
    agent.stop()


@pytest_asyncio.fixture(scope="session")
async def recorder() -> AsyncIterator[Recorder]:
    """The listener hostile answers point at (entities, DTDs, redirects): it must never be contacted."""
    listener = Recorder(RECORDER_HOST)
    await listener.start()
    yield listener
    await listener.stop()


@pytest_asyncio.fixture(scope="session")
async def hostile_http(recorder: Recorder) -> AsyncIterator[dict[HttpHostility, HostileHttpCamera]]:
    """One hostile HTTP camera per hostility, on 127.50.3.N."""
    cameras = {
        h: HostileHttpCamera(h, f"127.50.3.{n}", recorder=recorder.url) for n, h in enumerate(HttpHostility, start=1)
    }
    for camera in cameras.values():
        await camera.start()
    yield cameras
    for camera in cameras.values():
        await camera.stop()


@pytest_asyncio.fixture(scope="session")
async def hostile_snmp() -> AsyncIterator[dict[SnmpHostility, HostileSnmpAgent]]:
    """One hostile SNMP agent per hostility, on 127.50.4.N."""
    agents = {h: HostileSnmpAgent(h, f"127.50.4.{n}") for n, h in enumerate(SnmpHostility, start=1)}
    for agent in agents.values():
        await agent.start()
    yield agents
    for agent in agents.values():
        await agent.stop()
