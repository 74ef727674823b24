"""linkDown and linkUp between polls (issue 21): a simulated switch on 127.134.5.x sends them when a port's link is
cut and comes back; the collector maps the trap's ifIndex to the port a registered camera names and runs that
camera's checks, and the switch's own SNMP check, at once; the camera on another port is left alone; both engines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras import service as registry
from fleet.cameras.models import Camera
from fleet.cameras.schemas import CameraCreate, NetworkDeviceCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault
from fleet.health.models import CheckState
from scheduler.jobs import running_scheduler
from simulator.fleet import SimulatedFleet
from simulator.spec import parse_fleet_text
from tests.builders import TEST_ACTOR
from tests.waiting import eventually

RECEIVER = ("127.134.5.250", 1162)
FLEET = """name,host,onvif_port,rtsp_port,snmp_port,snmp_community,device_type,ports,uplink_device,uplink_port
SW-L,127.134.5.1,8080,8554,1161,link-c0mm,switch,8,,
CAM-L1,127.134.5.11,8080,8554,1161,,,,SW-L,3
CAM-L2,127.134.5.12,8080,8554,1161,,,,SW-L,4
"""
DEADLINE = 60.0


@pytest_asyncio.fixture
async def fleet() -> AsyncIterator[SimulatedFleet]:
    async with SimulatedFleet(parse_fleet_text(FLEET), snapshot_size=(64, 36)) as simulated:
        await simulated.camera("SW-L").update(trap_to=f"{RECEIVER[0]}:{RECEIVER[1]}")
        yield simulated


async def _runs(database: Database) -> dict[tuple[str, CheckKind], Any]:
    async with database.unit_of_work() as session:
        rows = await session.execute(
            select(Camera.name, CheckState.kind, CheckState.last_run_at).join(Camera, Camera.id == CheckState.camera_id)
        )
        return {(name, kind): at for name, kind, at in rows}


async def _open(database: Database) -> set[tuple[str, str | None]]:
    async with database.unit_of_work() as session:
        return {(f.kind.value, f.port) for f in await session.scalars(select(Fault).where(Fault.closed_at.is_(None)))}


async def test_a_link_trap_runs_the_checks_behind_the_port_at_once(
    settings: Settings, database: Database, cipher: CredentialCipher, fleet: SimulatedFleet
) -> None:
    async with database.unit_of_work() as session:
        switch = {"name": "SW-L", "host": "127.134.5.1", "device_type": "switch", "onvif_port": 8080}
        switch |= {"snmp_port": 1161, "snmp_community": "link-c0mm"}
        await registry.create(session, actor=TEST_ACTOR, data=NetworkDeviceCreate.model_validate(switch), cipher=cipher)
        for name, host, port in (("CAM-L1", "127.134.5.11", "Gi1/0/3"), ("CAM-L2", "127.134.5.12", "4")):
            camera = {"name": name, "host": host, "onvif_port": 8080, "uplink_device": "SW-L", "uplink_port": port}
            await registry.create(session, actor=TEST_ACTOR, data=CameraCreate.model_validate(camera), cipher=cipher)
    # Polls an hour apart: whatever runs again within the test runs because of a trap.
    hour = timedelta(hours=1)
    scheduler = settings.scheduler.model_copy(
        update={"reachability_interval": hour, "health_interval": hour, "tick": timedelta(seconds=1)}
    )
    # Two bad results open a fault, one good one closes it: the trap must hurry the check twice in a row.
    faults = settings.faults.model_copy(update={"failures_to_open": 2, "successes_to_close": 1})
    quiet = settings.model_copy(update={"scheduler": scheduler, "faults": faults})
    async with running_scheduler(quiet, database, cipher, poller_group=None, traps=RECEIVER):
        first = await eventually(
            lambda: _runs(database),
            lambda runs: (
                all(runs.get((n, CheckKind.REACHABILITY)) for n in ("SW-L", "CAM-L1", "CAM-L2"))
                and runs.get(("SW-L", CheckKind.SNMP)) is not None
            ),
            timeout=DEADLINE,
            what="the first checks",
        )
        cut_at = datetime.now(UTC)
        await fleet.camera("SW-L").update(ports_down=[3])  # linkDown for ifIndex 3, CAM-L1's port
        await eventually(
            lambda: _open(database),
            lambda found: {("offline", None), ("port_down", "Gi1/0/3")} <= found,
            timeout=DEADLINE,
            what="CAM-L1 offline and port Gi1/0/3 down, from the trap's hurried checks",
        )
        runs = await _runs(database)
        assert runs[("CAM-L1", CheckKind.REACHABILITY)] > cut_at and runs[("SW-L", CheckKind.SNMP)] > cut_at
        assert runs[("CAM-L2", CheckKind.REACHABILITY)] == first[("CAM-L2", CheckKind.REACHABILITY)]
        await fleet.camera("SW-L").update(ports_down=[])  # linkUp: the camera's recovery is seen at once too
        await eventually(lambda: _open(database), lambda found: not found, timeout=DEADLINE, what="recovery")
