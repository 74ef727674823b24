"""Is there footage? The recording check end to end on both engines: a simulated recorder and an edge-recording
camera on 127.118.5.x, polled by the Poller; each recording fault opens with its ticket on the device that records,
naming the cameras whose footage it concerns, and closes when the recording is repaired."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest_asyncio
from sqlalchemy import select

from collectors.registry import Collectors
from config.settings import Settings
from fleet.cameras import references
from fleet.cameras import service as registry
from fleet.cameras.models import Camera
from fleet.cameras.schemas import CameraCreate, RecorderCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault
from fleet.tickets.models import TicketFault
from scheduler.polling import Poller
from simulator.fleet import SimulatedFleet
from simulator.recording import SimRecording
from simulator.spec import parse_fleet_text
from tests.builders import TEST_ACTOR

PASSWORD = "Opname-2024!"
RECORDING_KINDS = {"recording_stopped", "recording_gap", "retention_short", "retention_exceeded", "storage_failed"}


def _healthy() -> list[SimRecording]:
    # CAM-A is matched by its name as the source, CAM-B by its address in the source's RTSP URI.
    return [
        SimRecording("REC-A", "CAM-A", "rtsp://127.118.5.11:554/stream1", kept_days=14.0),
        SimRecording("REC-B", "channel 2", "rtsp://admin@127.118.5.12:554/Streaming/Channels/201", kept_days=14.0),
    ]


@pytest_asyncio.fixture
async def simulated() -> AsyncIterator[SimulatedFleet]:
    specs = parse_fleet_text(
        "name,host,onvif_port,rtsp_port,snmp_port,username,password,snmp_community,sim_manufacturer\n"
        f"NVR-1,127.118.5.1,8080,8554,1161,admin,{PASSWORD},opname,Hanwha\n"
        f"CAM-E,127.118.5.13,8080,8554,1161,admin,{PASSWORD},,Axis\n"
    )
    async with SimulatedFleet(specs, snapshot_size=(64, 48)) as fleet:
        fleet.camera("NVR-1").state.recordings[:] = _healthy()
        fleet.camera("CAM-E").state.recordings[:] = [SimRecording("SD", "CAM-E", "", kept_days=10.0)]
        yield fleet


@pytest_asyncio.fixture
async def poller(
    settings: Settings, database: Database, cipher: CredentialCipher, simulated: SimulatedFleet
) -> AsyncIterator[Poller]:
    login = {"username": "admin", "password": PASSWORD, "onvif_port": 8080}
    async with database.unit_of_work() as session:
        nvr = {"name": "NVR-1", "host": "127.118.5.1", "snmp_port": 1161, "snmp_community": "opname", **login}
        recorder = RecorderCreate.model_validate(nvr)
        await registry.create(session, actor=TEST_ACTOR, data=recorder, cipher=cipher)
        for name, host, recorded in (
            ("CAM-A", "127.118.5.11", "NVR-1"),
            ("CAM-B", "127.118.5.12", "NVR-1"),
            ("CAM-E", "127.118.5.13", "edge"),
        ):
            data = CameraCreate.model_validate(
                {"name": name, "host": host, "recorder": recorded, "rtsp_port": 8554, **login}
            )
            await registry.create(session, actor=TEST_ACTOR, data=data, cipher=cipher)
    fast = settings.model_copy(
        update={
            "faults": settings.faults.model_copy(update={"failures_to_open": 1, "successes_to_close": 1}),
            "scheduler": settings.scheduler.model_copy(update={"device_timeout": timedelta(seconds=10)}),
        }
    )
    async with Collectors.for_settings(fast) as collectors:
        yield Poller(database, fast, collectors, cipher, owner="test-recording", rng=random.Random(18))


async def _open(database: Database) -> dict[tuple[str, str], Fault]:
    async with database.unit_of_work() as session:
        names = dict((await session.execute(select(registry.Camera.id, registry.Camera.name))).all())
        return {
            (names[f.camera_id], f.kind.value): f
            for f in await session.scalars(select(Fault).where(Fault.closed_at.is_(None)))
            if f.kind.value in RECORDING_KINDS
        }


async def test_each_recording_fault_opens_with_its_cameras_and_closes(
    poller: Poller, database: Database, simulated: SimulatedFleet
) -> None:
    await poller.tick(everything=True, names=["NVR-1", "CAM-E"])
    assert await _open(database) == {}

    now = datetime.now(UTC)
    nvr = simulated.camera("NVR-1").state.recordings
    nvr[0].job_state, nvr[0].stopped_for = "Idle", timedelta(hours=2)  # CAM-A: job stopped two hours ago
    nvr[1].kept_days = 3.0  # CAM-B: footage reaches back 3 days, the minimum is 7
    nvr[1].gaps = [(now - timedelta(hours=3), now - timedelta(hours=2, minutes=30))]  # and a 30-minute gap
    simulated.camera("CAM-E").state.recordings[0].kept_days = 40.0  # the SD card keeps 40 days: beyond 28 + 1
    await simulated.camera("NVR-1").update(storage_failed=True)  # its disk (Hanwha storage state over SNMP)
    await poller.tick(everything=True, names=["NVR-1", "CAM-E"])

    opened = await _open(database)
    assert set(opened) == {
        ("NVR-1", "recording_stopped"),
        ("NVR-1", "recording_gap"),
        ("NVR-1", "retention_short"),
        ("CAM-E", "retention_exceeded"),
        ("NVR-1", "storage_failed"),
    }
    assert opened[("NVR-1", "storage_failed")].details["cameras"] == ["CAM-A", "CAM-B"]
    assert opened[("NVR-1", "recording_stopped")].details["cameras"] == ["CAM-A"]
    assert opened[("NVR-1", "recording_gap")].details["cameras"] == ["CAM-B"]
    assert opened[("NVR-1", "retention_short")].details["cameras"] == ["CAM-B"]
    assert "CAM-A" in opened[("NVR-1", "recording_stopped")].summary
    async with database.unit_of_work() as session:
        ticketed = set(await session.scalars(select(TicketFault.fault_id)))
    assert {f.id for f in opened.values()} <= ticketed

    simulated.camera("NVR-1").state.recordings[:] = _healthy()
    simulated.camera("CAM-E").state.recordings[0].kept_days = 27.0
    await simulated.camera("NVR-1").update(storage_failed=False)
    await poller.tick(everything=True, names=["NVR-1", "CAM-E"])
    assert await _open(database) == {}
    async with database.unit_of_work() as session:
        assert await references.counts(session, Camera.recorder_id, [opened[("NVR-1", "recording_gap")].camera_id]) == {
            opened[("NVR-1", "recording_gap")].camera_id: 2
        }
