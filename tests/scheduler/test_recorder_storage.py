"""A recorder's disks end to end on both engines: a simulated recorder on 127.131.2.x serving a Synology-shaped disk
table, its faults injected through the simulator's control API, polled by the Poller; storage_failed names the disk
and the cameras whose footage it keeps, follows the story (failed, degraded, full) and closes on recovery, and the
recording faults injected the same way open and close."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest_asyncio
from sqlalchemy import select

from config.settings import Settings
from fleet.cameras import service as registry
from fleet.cameras.schemas import CameraCreate, RecorderCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault
from scheduler.polling import Poller
from simulator.fleet import SimulatedFleet
from simulator.recording import SimRecording
from simulator.spec import parse_fleet_text
from tests.builders import TEST_ACTOR
from tests.peers.controlled import control_api, settling_poller

PASSWORD = "Schijf-2024!"
NVR, CONTROL = "127.131.2.1", ("127.131.2.250", 8767)
BASE = f"http://{CONTROL[0]}:{CONTROL[1]}/cameras/NVR-D"


@pytest_asyncio.fixture
async def control() -> AsyncIterator[aiohttp.ClientSession]:
    specs = parse_fleet_text(
        "name,host,onvif_port,rtsp_port,snmp_port,username,password,snmp_community,sim_manufacturer,sim_disks\n"
        f"NVR-D,{NVR},8080,8554,1161,admin,{PASSWORD},schijf,Hanwha,4\n"
    )
    async with SimulatedFleet(specs, snapshot_size=(64, 48)) as fleet:
        fleet.camera("NVR-D").state.recordings[:] = [
            SimRecording("REC-1", "CAM-1", "rtsp://127.131.2.11:554/1"),
            SimRecording("REC-2", "CAM-2", "rtsp://127.131.2.12:554/1"),
        ]
        async with control_api(fleet, CONTROL) as http:
            yield http


@pytest_asyncio.fixture
async def poller(
    settings: Settings, database: Database, cipher: CredentialCipher, control: aiohttp.ClientSession
) -> AsyncIterator[Poller]:
    login = {"username": "admin", "password": PASSWORD, "onvif_port": 8080}
    async with database.unit_of_work() as session:
        nvr = {"name": "NVR-D", "host": NVR, "snmp_port": 1161, "snmp_community": "schijf", **login}
        await registry.create(session, actor=TEST_ACTOR, data=RecorderCreate.model_validate(nvr), cipher=cipher)
        for name, host in (("CAM-1", "127.131.2.11"), ("CAM-2", "127.131.2.12")):
            camera = {"name": name, "host": host, "recorder": "NVR-D", **login}
            await registry.create(session, actor=TEST_ACTOR, data=CameraCreate.model_validate(camera), cipher=cipher)
    async with settling_poller(settings, database, cipher, owner="test-disks", seed=131) as polling:
        yield polling


async def _inject(http: aiohttp.ClientSession, path: str, body: dict[str, Any]) -> None:
    async with http.patch(f"{BASE}{path}", json=body) as response:
        assert response.status == 200, await response.text()


async def _open(database: Database) -> dict[str, Fault]:
    async with database.unit_of_work() as session:
        return {f.kind.value: f for f in await session.scalars(select(Fault).where(Fault.closed_at.is_(None)))}


def _disks(fault: Fault) -> list[tuple[str, str]]:
    return [(d["name"], d["state"]) for d in fault.details["disks"]]


async def test_disk_stories_and_recording_faults_from_the_control_api(
    poller: Poller, database: Database, control: aiohttp.ClientSession
) -> None:
    await poller.tick(everything=True, names=["NVR-D"])
    assert await _open(database) == {}

    await _inject(control, "", {"disks": "failed"})
    await poller.tick(everything=True, names=["NVR-D"])
    fault = (await _open(database))["storage_failed"]
    assert _disks(fault) == [("Drive 2", "failed"), ("Volume 1", "degraded")]
    assert fault.details["cameras"] == ["CAM-1", "CAM-2"]
    assert fault.summary == "NVR-D: storage failed; footage at risk: Drive 2 failed, Volume 1 degraded (CAM-1, CAM-2)"

    await _inject(control, "", {"disks": "full"})
    await poller.tick(everything=True, names=["NVR-D"])
    followed = (await _open(database))["storage_failed"]
    assert followed.id == fault.id and _disks(followed) == [("Volume 1", "full")]

    # A recording stopped and one kept too long, injected through the control API; the disks recover.
    await _inject(control, "", {"disks": "normal"})
    await _inject(control, "/recordings/REC-1", {"job_state": "Idle", "stopped_for_s": 7200})
    await _inject(control, "/recordings/REC-2", {"kept_days": 45})
    await poller.tick(everything=True, names=["NVR-D"])
    opened = await _open(database)
    assert set(opened) == {"recording_stopped", "retention_exceeded"}
    assert (opened["recording_stopped"].details["cameras"], opened["retention_exceeded"].details["cameras"]) == (
        ["CAM-1"],
        ["CAM-2"],
    )

    await _inject(control, "/recordings/REC-1", {"job_state": "Active", "stopped_for_s": 0})
    await _inject(control, "/recordings/REC-2", {"kept_days": 3})
    await poller.tick(everything=True, names=["NVR-D"])
    assert set(await _open(database)) == {"retention_short"}
