"""A recorder's disks end to end on both engines: a simulated recorder on 127.131.2.x serving a Synology-shaped disk
table, its faults injected through the simulator's control API, polled by the Poller; storage_failed names the disk
and the cameras whose footage it keeps, follows the story (failed, degraded, full) and closes on recovery, and the
recording faults injected the same way open and close."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest_asyncio
from sqlalchemy import select

from collectors.base import Target
from collectors.events import PullPointClient
from collectors.registry import Collectors
from config.settings import Settings
from fleet.cameras import service as registry
from fleet.cameras.schemas import CameraCreate, RecorderCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.events.service import Batch, Received, record
from fleet.faults.models import Fault
from scheduler.polling import Poller
from simulator.control import ControlServer
from simulator.fleet import SimulatedFleet
from simulator.recording import SimRecording
from simulator.spec import parse_fleet_text
from tests.builders import TEST_ACTOR

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
        server = ControlServer(fleet, *CONTROL)
        await server.start()
        try:
            async with aiohttp.ClientSession() as http:
                yield http
        finally:
            await server.stop()


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
    fast = settings.model_copy(
        update={"faults": settings.faults.model_copy(update={"failures_to_open": 1, "successes_to_close": 1})}
    )
    async with Collectors.for_settings(fast) as collectors:
        yield Poller(database, fast, collectors, cipher, owner="test-disks", rng=random.Random(131))


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


async def test_onvif_storage_failure_of_the_recorder_opens_and_closes_storage_failed(
    poller: Poller, database: Database, settings: Settings, control: aiohttp.ClientSession
) -> None:
    """The simulator's StorageFailure notification (ONVIF Core: Source Token, Data Failed), pulled and read by the
    PullPoint client, recorded as events are."""
    async with database.unit_of_work() as session:
        recorder = await registry.get_by_name(session, "NVR-D")
    assert recorder is not None
    target = Target(recorder.id, "NVR-D", NVR, 8080, 8554, 1161, "admin", PASSWORD)
    client = PullPointClient(1024 * 1024, timedelta(seconds=5))
    point = await client.subscribe(target, await client.events_path(target), timedelta(minutes=5))

    async def pulled_and_recorded() -> None:
        notifications = (await client.pull(target, point, timedelta(seconds=5), 10)).notifications
        now = datetime.now(UTC)
        events = [Received(recorder.id, n.topic, n.source, n.state, now, n.device_time) for n in notifications]
        async with database.unit_of_work() as session:
            await record(session, Batch(kept=events), now=now, settings=settings)

    await _inject(control, "", {"storage_failed": True})
    await pulled_and_recorded()
    fault = (await _open(database))["storage_failed"]
    assert fault.details["cameras"] == ["CAM-1", "CAM-2"] and _disks(fault) == [("SD_DISK", "failed")]
    assert fault.details["topic"] == "tns1:Device/HardwareFailure/StorageFailure"
    await _inject(control, "", {"storage_failed": False})
    await pulled_and_recorded()
    assert "storage_failed" not in await _open(database)
