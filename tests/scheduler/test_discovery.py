"""End to end against simulated switches (both engines): their forwarding tables and a router's neighbours read over
SNMP, kept, and the reconciliation finding an unregistered device on a port, a missing camera, a swapped one and a
moved one; a switch that does not answer is its own recorded problem."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio
from sqlalchemy import select, update

from collectors import Collectors
from config.discovery import DiscoverySettings
from config.settings import Settings
from fleet.cameras.models import Camera, RiskLevel
from fleet.crypto import CredentialCipher
from fleet.db import Database, utcnow
from fleet.discovery import report
from fleet.discovery.models import MacSighting
from scheduler.discovery import read_network_tables
from simulator.fleet import SimulatedFleet
from simulator.spec import parse_fleet_text
from tests.fleet.discovery.network import HIKVISION, import_devices

# On the street: CAM-1 at port 1, CAM-3's replacement at port 3, CAM-4 moved to port 6, a camera nobody registered
# (CAM-X) at port 5; port 2, where the registry has CAM-2, is empty.
SIMULATED = """name,host,snmp_port,device_type,ports,uplink_device,uplink_port,snmp_community
RT-1,127.136.8.1,1161,router,,,,net-c0mm
SW-1,127.136.8.2,1161,switch,8,RT-1,1,net-c0mm
CAM-1,127.136.8.11,1161,,,SW-1,1,net-c0mm
CAM-3,127.136.8.13,1161,,,SW-1,Gi1/0/3,net-c0mm
CAM-4,127.136.8.14,1161,,,SW-1,6,net-c0mm
CAM-X,127.136.8.20,1161,,,SW-1,5,net-c0mm
"""
# The registry: the same router and switch, a second switch with no agent at all, and CAM-1..4 where they were put.
NETWORK = (
    "name,host,device_type,uplink_device,uplink_port,snmp_port,snmp_version,snmp_community\n"
    "RT-1,127.136.8.1,router,,,1161,2c,net-c0mm\n"
    "SW-1,127.136.8.2,switch,RT-1,1,1161,2c,net-c0mm\n"
    "SW-SILENT,127.136.8.3,switch,RT-1,2,1161,2c,net-c0mm\n"
)
CAMERAS = (
    "name,host,uplink_device,uplink_port\n"
    "CAM-1,127.136.8.11,SW-1,Gi1/0/1\n"
    "CAM-2,127.136.8.12,SW-1,2\n"
    "CAM-3,127.136.8.13,SW-1,3\n"
    "CAM-4,127.136.8.14,SW-1,4\n"
)


@pytest_asyncio.fixture
async def street() -> AsyncIterator[SimulatedFleet]:
    async with SimulatedFleet(parse_fleet_text(SIMULATED), snapshot_size=(160, 90)) as fleet:
        yield fleet


async def test_the_reconciliation_finds_what_the_switches_say_is_wrong(
    database: Database, cipher: CredentialCipher, settings: Settings, street: SimulatedFleet
) -> None:
    await import_devices(database, cipher, NETWORK, CAMERAS)
    mac = {name: street.camera(name).device.identity.mac for name in ("CAM-1", "CAM-3", "CAM-4", "CAM-X")}
    async with database.unit_of_work() as session:
        for name in ("CAM-1", "CAM-4"):
            await session.execute(update(Camera).where(Camera.name == name).values(observed_mac=mac[name]))
        # Polled before it was changed: the registry remembers the camera that used to be at port 3.
        await session.execute(update(Camera).where(Camera.name == "CAM-3").values(observed_mac=HIKVISION[3]))
    quick = settings.model_copy(update={"discovery": DiscoverySettings(table_timeout=timedelta(seconds=3))})
    async with Collectors(device_timeout=1.0) as collectors:
        done = await read_network_tables(database, quick, collectors, cipher)
    assert done.read == 2 and list(done.failed) == ["SW-SILENT"] and done.failed["SW-SILENT"].startswith("Timeout")

    async with database.unit_of_work() as session:
        found = await report.build(session, quick, now=utcnow())
        learned = (await session.execute(select(MacSighting.mac, MacSighting.port, MacSighting.vlan))).all()
    assert (mac["CAM-X"], "Gi1/0/5", 1) in learned
    assert [(m.name, m.uplink_port) for m in found.missing] == [("CAM-2", "2")]
    assert [(s.name, s.expected_mac, s.found_mac) for s in found.swapped] == [("CAM-3", HIKVISION[3], mac["CAM-3"])]
    assert [(m.name, m.found_device, m.found_port) for m in found.moved] == [("CAM-4", "SW-1", "Gi1/0/6")]
    assert [(u.mac, u.ip, u.switch, u.port, u.seen_by) for u in found.unregistered] == [
        (mac["CAM-X"], "127.136.8.20", "SW-1", "Gi1/0/5", ["forwarding", "neighbour"])
    ]
    assert found.unregistered[0].risk_level in set(RiskLevel)
    silent = next(r for r in found.reads if r.device == "SW-SILENT")
    assert silent.read_at is None and silent.problem is not None
