"""Root causes end to end on both engines (issue 19's done-when): a simulated switch on 127.135.10.1 with 24 simulated
cameras behind it, polled by the Poller over real sockets, faults injected through the simulator's control API.
Switching the switch off gives one alert and one ticket naming the 24 cameras and no camera alert; PoE off on a
port gives that camera a fault caused by the port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest_asyncio
from sqlalchemy import select, update

from config.checks import CheckKind
from config.settings import Settings
from fleet.alerts import service as alerts
from fleet.alerts.models import Alert, AlertEvent
from fleet.alerts.schemas import ChannelIn
from fleet.cameras import service as registry
from fleet.cameras.schemas import CameraCreate, NetworkDeviceCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind
from fleet.health.claims import ensure_check_states
from fleet.health.models import CheckState
from fleet.tickets.models import RepairTicket, TicketEvent, TicketEventKind
from scheduler.polling import Poller
from tests.builders import TEST_ACTOR
from tests.peers.controlled import inject, settling_poller, simulated

CONTROL = ("127.135.10.250", 8769)
CAMERAS = [f"CAM-{n:02d}" for n in range(1, 25)]
FLEET = "name,host,onvif_port,rtsp_port,snmp_port,snmp_community,device_type,ports,uplink_device,uplink_port\n" + (
    "SW-NET,127.135.10.1,8080,8554,1161,wortel,switch,24,,\n"
    + "".join(f"{name},127.135.10.{n + 10},8080,8554,1161,,,,SW-NET,{n}\n" for n, name in enumerate(CAMERAS, 1))
)
NAMES = ["SW-NET", *CAMERAS]


@pytest_asyncio.fixture
async def control() -> AsyncIterator[aiohttp.ClientSession]:
    async with simulated(FLEET, CONTROL) as http:
        yield http


@pytest_asyncio.fixture
async def poller(
    settings: Settings, database: Database, cipher: CredentialCipher, control: aiohttp.ClientSession
) -> AsyncIterator[Poller]:
    async with database.unit_of_work() as session:
        switch = {"name": "SW-NET", "host": "127.135.10.1", "device_type": "switch", "onvif_port": 8080}
        switch |= {"snmp_port": 1161, "snmp_community": "wortel"}
        await registry.create(session, actor=TEST_ACTOR, data=NetworkDeviceCreate.model_validate(switch), cipher=cipher)
        for n, name in enumerate(CAMERAS, 1):
            fields = {"name": name, "host": f"127.135.10.{n + 10}", "onvif_port": 8080, "uplink_device": "SW-NET"}
            data = CameraCreate.model_validate({**fields, "uplink_port": str(n)})
            await registry.create(session, actor=TEST_ACTOR, data=data, cipher=cipher)
        await alerts.create_channel(
            session,
            actor=TEST_ACTOR,
            data=ChannelIn(name="control room", url="json://127.135.10.251:9/hook"),
            service="json",
            cipher=cipher,
        )
        await ensure_check_states(session, now=datetime.now(UTC))
        # Only what decides up and down (and the switch's ports): the cameras' picture and ONVIF checks wait.
        await session.execute(
            update(CheckState)
            .where(CheckState.kind.not_in([CheckKind.REACHABILITY, CheckKind.SNMP]))
            .values(next_due_at=datetime(2100, 1, 1, tzinfo=UTC))
        )
    async with settling_poller(settings, database, cipher, owner="test-roots", seed=135) as polling:
        yield polling


async def _inject(http: aiohttp.ClientSession, device: str, body: dict[str, Any]) -> None:
    await inject(http, CONTROL, device, body)


async def _rows(database: Database, model: Any) -> list[Any]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(model).order_by(model.id))).all())


async def test_a_switch_switched_off_is_one_alert_and_one_ticket_naming_its_24_cameras_and_poe_off_a_port_cause(
    poller: Poller, database: Database, control: aiohttp.ClientSession
) -> None:
    start = datetime.now(UTC)

    async def tick(minutes: int) -> None:
        # Each round far enough on for every reachability and SNMP check to be due again.
        await poller.tick(now=start + timedelta(minutes=minutes), names=NAMES)

    await tick(0)
    assert await _rows(database, Fault) == []

    await _inject(control, "SW-NET", {"offline": True})
    await tick(10)
    faults = await _rows(database, Fault)
    [root] = [f for f in faults if f.kind is FaultKind.OFFLINE and f.suppressed_by_id is None]
    cameras = [f for f in faults if f.id != root.id]
    assert len(cameras) == 24 and all(f.kind is FaultKind.OFFLINE and f.suppressed_by_id == root.id for f in cameras)
    assert root.details["behind"] == CAMERAS
    [alert] = await _rows(database, Alert)  # one alert, the switch's, and none for a camera
    assert (alert.fault_id, alert.event) == (root.id, AlertEvent.FAULT_OPENED)
    assert "SW-NET" in alert.subject and all(name in alert.body for name in CAMERAS)
    [ticket] = await _rows(database, RepairTicket)
    explained = [e for e in await _rows(database, TicketEvent) if e.kind is TicketEventKind.EXPLAINS]
    assert ticket.title.startswith("SW-NET") and [e.data["devices"] for e in explained] == [CAMERAS]

    await _inject(control, "SW-NET", {"offline": False})
    await tick(20)
    await tick(30)  # the cameras were without power: they came back after their reboot
    assert [f for f in await _rows(database, Fault) if f.closed_at is None] == []
    recoveries = [a.fault_id for a in await _rows(database, Alert) if a.event is AlertEvent.FAULT_CLOSED]
    assert recoveries == [root.id]  # only what was announced recovers

    await _inject(control, "SW-NET", {"poe_off": [5]})
    await tick(40)
    await tick(50)
    opened = [f for f in await _rows(database, Fault) if f.closed_at is None]
    [poe] = [f for f in opened if f.kind is FaultKind.POE_OFF]
    [dark] = [f for f in opened if f.kind is FaultKind.OFFLINE]
    assert poe.port == "5" and dark.suppressed_by_id == poe.id and poe.details["behind"] == ["CAM-05"]
    [link] = [f for f in opened if f.kind is FaultKind.PORT_DOWN]  # the port lost its link with its power
    assert link.port == "5" and link.suppressed_by_id == poe.id
    announced = [a for a in await _rows(database, Alert) if a.event is AlertEvent.FAULT_OPENED][1:]
    assert [a.fault_id for a in announced] == [poe.id] and "CAM-05" in announced[0].body
