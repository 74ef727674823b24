"""Network devices' ports end to end on both engines: a simulated switch and UPS on 127.134.4.x polled by the Poller,
faults injected through the simulator's control API. Only ports with a registered device behind them make faults,
named as the registry writes the port; the ports' latest state is kept and served by the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import pytest_asyncio
from sqlalchemy import select

from config.settings import Settings
from fleet.cameras import service as registry
from fleet.cameras.models import Camera
from fleet.cameras.schemas import CameraCreate, NetworkDeviceCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault
from fleet.network.models import NetworkPort
from fleet.users.models import Role
from scheduler.polling import Poller
from tests.builders import TEST_ACTOR, make_user
from tests.peers.controlled import inject, settling_poller, simulated

CONTROL = ("127.134.4.250", 8768)
FLEET = """name,host,onvif_port,rtsp_port,snmp_port,snmp_community,device_type,ports,uplink_device,uplink_port
SW-1,127.134.4.1,8080,8554,1161,poort,switch,8,,
UPS-1,127.134.4.2,8080,8554,1161,poort,ups,,,
CAM-1,127.134.4.11,8080,8554,1161,poort,,,SW-1,1
CAM-2,127.134.4.12,8080,8554,1161,poort,,,SW-1,2
CAM-3,127.134.4.13,8080,8554,1161,poort,,,SW-1,5
CAM-4,127.134.4.14,8080,8554,1161,poort,,,SW-1,7
"""
# How the registry names the ports: ifDescr, ifName, ifIndex and ifAlias (the simulator labels a port with the name of
# the device behind it).
UPLINK_PORTS = {"CAM-1": "GigabitEthernet1/0/1", "CAM-2": "Gi1/0/2", "CAM-3": "5", "CAM-4": "cam-4"}
NAMES = ["SW-1", "UPS-1"]


@pytest_asyncio.fixture
async def control() -> AsyncIterator[aiohttp.ClientSession]:
    async with simulated(FLEET, CONTROL) as http:
        yield http


@pytest_asyncio.fixture
async def poller(
    settings: Settings, database: Database, cipher: CredentialCipher, control: aiohttp.ClientSession
) -> AsyncIterator[Poller]:
    common = {"onvif_port": 8080, "snmp_port": 1161, "snmp_community": "poort"}
    async with database.unit_of_work() as session:
        for name, host, kind in (("SW-1", "127.134.4.1", "switch"), ("UPS-1", "127.134.4.2", "ups")):
            device = NetworkDeviceCreate.model_validate({"name": name, "host": host, "device_type": kind, **common})
            await registry.create(session, actor=TEST_ACTOR, data=device, cipher=cipher)
        for number, (name, port) in enumerate(UPLINK_PORTS.items(), start=11):
            fields = {"name": name, "host": f"127.134.4.{number}", "uplink_device": "SW-1", "uplink_port": port}
            await registry.create(session, actor=TEST_ACTOR, data=CameraCreate.model_validate(fields), cipher=cipher)
    async with settling_poller(settings, database, cipher, owner="test-ports", seed=134) as polling:
        yield polling


async def _inject(http: aiohttp.ClientSession, device: str, body: dict[str, Any]) -> None:
    await inject(http, CONTROL, device, body)


async def _open(database: Database) -> dict[tuple[str, str | None], Fault]:
    async with database.unit_of_work() as session:
        faults = await session.scalars(select(Fault).where(Fault.closed_at.is_(None)))
        return {(f.kind.value, f.port): f for f in faults}


async def test_port_and_battery_faults_from_the_control_api(
    poller: Poller, database: Database, control: aiohttp.ClientSession, client: httpx.AsyncClient
) -> None:
    await poller.tick(everything=True, names=NAMES)
    assert await _open(database) == {}
    async with database.unit_of_work() as session:
        switch = await session.scalar(select(Camera.id).where(Camera.name == "SW-1"))
        ports = {
            p.if_index: p for p in await session.scalars(select(NetworkPort).where(NetworkPort.device_id == switch))
        }
    assert sorted(ports) == list(range(1, 9)) and ports[7].alias == "CAM-4" and ports[7].name == "Gi1/0/7"
    assert [i for i, p in ports.items() if p.oper_up] == [1, 2, 5, 7]
    assert ports[2].poe_status == "delivering" and ports[3].poe_status == "searching"

    # PoE off on port 2: the camera loses its power, so its link goes down too; a cut cable on port 5.
    await _inject(control, "SW-1", {"poe_off": [2], "ports_down": [5]})
    await poller.tick(everything=True, names=NAMES)
    opened = await _open(database)
    assert set(opened) == {("poe_off", "Gi1/0/2"), ("port_down", "Gi1/0/2"), ("port_down", "5")}
    fault = opened[("port_down", "5")]
    assert fault.summary == "SW-1 port 5: link down (CAM-3)" and fault.details["devices"] == ["CAM-3"]
    assert fault.details["if_name"] == "Gi1/0/5" and fault.severity.value == "critical"

    # A port nobody hangs on going down is nobody's fault; the injected ones recover.
    await _inject(control, "SW-1", {"poe_off": [], "ports_down": [3, 4]})
    await _inject(control, "UPS-1", {"on_battery": True, "battery_charge": 20})
    await poller.tick(everything=True, names=NAMES)
    assert set(await _open(database)) == {("ups_on_battery", None), ("ups_battery_low", None)}

    await _inject(control, "UPS-1", {"on_battery": False, "battery_charge": 100})
    await _inject(control, "SW-1", {"ports_down": [7]})
    await poller.tick(everything=True, names=NAMES)
    assert set(await _open(database)) == {("port_down", "cam-4")}
    # A switch reboot (sysUpTime back to zero) is the rebooted fault every device gets; its ports come back up.
    async with control.post(f"http://{CONTROL[0]}:{CONTROL[1]}/cameras/SW-1/reboot", json={}) as rebooted:
        assert rebooted.status == 200
    await poller.tick(everything=True, names=NAMES)
    assert set(await _open(database)) == {("port_down", "cam-4"), ("rebooted", None)}
    async with database.unit_of_work() as session:
        _, token = await make_user(session, Role.VIEWER)
    response = await client.get(f"/api/v1/network-devices/{switch}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    body = response.json()
    port = next(p for p in body["ports"] if p["if_index"] == 7)
    assert port["name"] == "Gi1/0/7" and port["oper_up"] is False and port["devices"] == ["CAM-4"]
    assert body["ups"] is None and body["name"] == "SW-1"
