"""Recorded time end to end on both engines: a simulated recorder on 127.130.5.x, polled by the Poller; what its
recording history showed becomes the cameras' footage coverage, reported beside availability."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest_asyncio

from collectors.registry import Collectors
from config.settings import Settings
from fleet.cameras import service as registry
from fleet.cameras.schemas import CameraCreate, RecorderCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.uptime.service import GroupBy, uptime_report
from scheduler.polling import Poller
from simulator.fleet import SimulatedFleet
from simulator.recording import SimRecording
from simulator.spec import parse_fleet_text
from tests.builders import TEST_ACTOR

PASSWORD = "Opname-2024!"
GAP = timedelta(minutes=30)


@pytest_asyncio.fixture
async def poller(settings: Settings, database: Database, cipher: CredentialCipher) -> AsyncIterator[Poller]:
    specs = parse_fleet_text(
        "name,host,onvif_port,rtsp_port,snmp_port,username,password,sim_manufacturer\n"
        f"NVR-1,127.130.5.1,8080,8554,1161,admin,{PASSWORD},Hanwha\n"
    )
    login = {"username": "admin", "password": PASSWORD, "onvif_port": 8080}
    async with SimulatedFleet(specs, snapshot_size=(64, 48)) as fleet:
        now = datetime.now(UTC)
        fleet.camera("NVR-1").state.recordings[:] = [
            SimRecording("REC-A", "CAM-A", "", kept_days=14.0),
            SimRecording("REC-B", "CAM-B", "", kept_days=14.0, gaps=[(now - timedelta(hours=3), now - 3 * GAP)]),
        ]
        async with database.unit_of_work() as session:
            nvr = RecorderCreate.model_validate({"name": "NVR-1", "host": "127.130.5.1", **login})
            await registry.create(session, actor=TEST_ACTOR, data=nvr, cipher=cipher)
            for name, host in (("CAM-A", "127.130.5.11"), ("CAM-B", "127.130.5.12")):
                data = CameraCreate.model_validate({"name": name, "host": host, "recorder": "NVR-1", **login})
                await registry.create(session, actor=TEST_ACTOR, data=data, cipher=cipher)
        fast = settings.model_copy(
            update={"scheduler": settings.scheduler.model_copy(update={"device_timeout": timedelta(seconds=10)})}
        )
        async with Collectors.for_settings(fast) as collectors:
            yield Poller(database, fast, collectors, cipher, owner="test-footage", rng=random.Random(18))


async def test_a_poll_keeps_the_last_days_footage_and_its_gap(poller: Poller, database: Database) -> None:
    await poller.tick(everything=True, names=["NVR-1"])
    now = datetime.now(UTC)
    async with database.unit_of_work() as session:
        period = (now - timedelta(hours=12), now)
        rows = {r.key: r for r in await uptime_report(session, period=period, by=GroupBy.CAMERA, now=now)}
    a, b = rows["CAM-A"], rows["CAM-B"]
    # Seen from the recorder's answer up to the moment it was asked: the last seconds since are not seen.
    assert a.footage_missing_s == 0.0 and a.footage_gaps == 0
    assert a.footage_observed is not None and a.footage_observed > 0.999
    assert b.footage_gaps == 1 and b.footage_missing_s is not None
    assert 3 * GAP.total_seconds() - 1 <= b.footage_missing_s <= 3 * GAP.total_seconds() + 1
    assert b.recorded is not None and b.recorded < a.recorded  # type: ignore[operator]
