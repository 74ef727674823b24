"""Root causes in the network tree on both engines: a switch and the 24 cameras behind it going dark in either
order give one alert and one ticket naming the cameras; chains re-point to the furthest root; what was sent stays
sent; a camera that outlives its switch's outage goes on under a fault of its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from config.checks import CheckKind
from config.settings import Settings
from fleet.alerts import service as alerts
from fleet.alerts.models import Alert, AlertEvent, AlertStatus
from fleet.alerts.schemas import ChannelIn
from fleet.cameras import service as registry
from fleet.cameras.models import Camera
from fleet.cameras.schemas import NetworkDeviceCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults import causes, rules
from fleet.faults.models import Fault, FaultKind
from fleet.faults.service import FaultChanges, add_fault
from fleet.health.claims import ensure_check_states
from fleet.health.models import CheckState
from fleet.reports.uptime import uptime_document
from fleet.tickets import creation as tickets
from fleet.tickets import sweep as ticket_sweep
from fleet.tickets import workflow
from fleet.tickets.models import RepairTicket, TicketEvent, TicketEventKind, TicketStatus
from fleet.uptime import export
from fleet.uptime.service import GroupBy, uptime_report
from fleet.users.models import Role
from tests.builders import TEST_ACTOR, make_camera, make_user
from tests.fleet.tickets.test_service import record

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


# --- The pure walk up the tree. -----------------------------------------------------------------------------

# cam 1 on switch 10 port "1"; switch 10 on converter 20 port "2"; converter 20 on router 30 port "7".
UP: dict[int, tuple[int | None, str | None]] = {1: (10, "1"), 10: (20, "2"), 20: (30, "7"), 30: (None, None)}


@pytest.mark.parametrize(
    ("offline", "ports", "root"),
    [
        ({}, {}, None),
        ({10: "switch"}, {}, "switch"),
        ({10: "switch", 20: "converter"}, {}, "converter"),  # the furthest: the switch is down because of it
        ({10: "switch", 30: "router"}, {}, "router"),  # a converter still answering in between changes nothing
        ({}, {(10, "1"): "port 1"}, "port 1"),
        ({}, {(10, "3"): "port 3"}, None),  # another port of the same switch
        ({10: "switch"}, {(20, "2"): "converter port 2"}, "converter port 2"),  # the switch's own cause
        ({30: "router"}, {(10, "1"): "port 1"}, "port 1"),  # the nearest: a port is a cause of its own
        ({1: "itself"}, {}, None),  # a device is never its own root
    ],
)
def test_the_root_is_the_first_port_down_else_the_furthest_uplink_offline(
    offline: dict[int, str], ports: dict[tuple[int, str], str], root: str | None
) -> None:
    assert rules.nearest_root(1, UP, offline, ports) == root


def test_a_loop_in_the_tree_ends_the_walk() -> None:
    assert rules.nearest_root(1, {1: (2, None), 2: (1, None)}, {2: "two"}, {}) == "two"


@pytest.mark.parametrize(
    ("kind", "device_type", "cause"),
    [
        (FaultKind.OFFLINE, "switch", rules.Cause.NETWORK),
        (FaultKind.OFFLINE, "media_converter", rules.Cause.NETWORK),
        (FaultKind.OFFLINE, "poe_injector", rules.Cause.POWER),
        (FaultKind.OFFLINE, "ups", rules.Cause.POWER),
        (FaultKind.GROUP_OUTAGE, None, rules.Cause.SHARED),
        (FaultKind.PORT_DOWN, "switch", rules.Cause.NETWORK),
        (FaultKind.PORT_DOWN, "ups", rules.Cause.NETWORK),
        (FaultKind.POE_OFF, "switch", rules.Cause.POWER),
    ],
)
def test_what_a_root_stands_for(kind: FaultKind, device_type: str | None, cause: rules.Cause) -> None:
    assert rules.cause_of(kind, device_type) is cause


# --- A switch and its cameras, recorded as the poller records them. -----------------------------------------


@dataclass
class Street:
    router: Camera
    switch: Camera
    cameras: list[Camera]
    loose: Camera  # same site, no uplink: outside the tree


@pytest.fixture
async def street(database: Database, cipher: CredentialCipher) -> Street:
    async with database.unit_of_work() as session:

        async def device(name: str, host: str, device_type: str, **more: str) -> Camera:
            data = NetworkDeviceCreate.model_validate({"name": name, "host": host, "device_type": device_type, **more})
            return await registry.create(session, actor=TEST_ACTOR, data=data, cipher=cipher)

        router = await device("RT-CORE", "127.135.0.1", "router")
        switch = await device(
            "SW-MARKT", "127.135.0.2", "switch", uplink_device="RT-CORE", uplink_port="7", site="Markt"
        )
        cameras = [
            await make_camera(
                session,
                cipher,
                name=f"CAM-{n:02d}",
                host=f"127.135.1.{n}",
                uplink_device="SW-MARKT",
                uplink_port=str(n),
                site="Markt",
            )  # fmt: skip
            for n in range(1, 25)
        ]
        loose = await make_camera(session, cipher, name="CAM-LOOSE", host="127.135.1.99", site="Markt")
        await alerts.create_channel(
            session,
            actor=TEST_ACTOR,
            data=ChannelIn(name="control room", url="json://127.135.0.250:9/hook"),
            service="json",
            cipher=cipher,
        )
        await ensure_check_states(session, now=T0)
    return Street(router, switch, cameras, loose)


async def poll(database: Database, settings: Settings, devices: Sequence[Camera], minute: float, ok: bool) -> None:
    """One reachability result for each device, recorded as one poll batch."""
    await record(database, settings, [d.id for d in devices], minute, ok)


async def down(database: Database, settings: Settings, devices: Sequence[Camera], start: float) -> None:
    """Three failures a minute apart from ``start``: the offline fault opens with the third."""
    for step in (0, 1, 2):
        await poll(database, settings, devices, start + step, False)


async def sweeps(database: Database, settings: Settings, minute: float) -> None:
    """What the dispatcher does before it sends: held-back alerts and tickets, escalations."""
    async with database.unit_of_work() as session:
        await alerts.sweep(session, now=T0 + minute * MIN, settings=settings)
        await ticket_sweep.sweep(session, now=T0 + minute * MIN, settings=settings)


async def rows(database: Database, model: type) -> list:  # type: ignore[type-arg]
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(model).order_by(model.id))).all())


async def offline_of(database: Database, device: Camera) -> Fault:
    async with database.unit_of_work() as session:
        fault = await session.scalar(
            select(Fault).where(Fault.camera_id == device.id, Fault.kind == FaultKind.OFFLINE).order_by(Fault.id.desc())
        )
    assert fault is not None
    return fault


async def explained(database: Database, ticket: RepairTicket) -> list[str]:
    """The devices a ticket's history names as explained by its fault."""
    async with database.unit_of_work() as session:
        events = await session.scalars(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == TicketEventKind.EXPLAINS)
        )
        return sorted(name for event in events for name in event.data["devices"])


NAMES = [f"CAM-{n:02d}" for n in range(1, 25)]


async def test_a_switch_going_dark_after_its_cameras_gives_one_alert_and_one_ticket_naming_them(
    database: Database, settings: Settings, street: Street
) -> None:
    everything = [street.router, street.switch, *street.cameras, street.loose]
    await poll(database, settings, everything, 0, True)
    # The cameras' checks ran first: their faults open before the switch's, with nothing above them down yet.
    await down(database, settings, street.cameras, 1)
    async with database.unit_of_work() as session:
        hurried = await session.scalar(
            select(CheckState.hurry_runs).where(
                CheckState.camera_id == street.switch.id, CheckState.kind == CheckKind.REACHABILITY
            )
        )
    assert hurried == settings.faults.failures_to_open  # the switch is asked at once
    assert len(await rows(database, RepairTicket)) == 0  # held for the grouping window, as the alerts are
    await down(database, settings, [street.switch], 1.5)
    switch_fault = await offline_of(database, street.switch)
    assert switch_fault.details["behind"] == NAMES
    for camera in street.cameras:
        assert (await offline_of(database, camera)).suppressed_by_id == switch_fault.id
    assert not [f for f in await rows(database, Fault) if f.kind is FaultKind.GROUP_OUTAGE]  # the tree knows better
    await sweeps(database, settings, 10)
    [alert] = await rows(database, Alert)
    assert (alert.fault_id, alert.event) == (switch_fault.id, AlertEvent.FAULT_OPENED)
    assert all(name in alert.body for name in NAMES) and "(24)" in alert.body
    [ticket] = await rows(database, RepairTicket)
    assert await explained(database, ticket) == NAMES
    # Recoveries: the switch's goes out (it was announced); the cameras', never announced, do not.
    await poll(database, settings, [street.switch], 20, True)
    await poll(database, settings, [street.switch, *street.cameras], 21, True)
    await poll(database, settings, street.cameras, 22, True)
    assert all(f.closed_at is not None for f in await rows(database, Fault))
    assert [(a.fault_id, a.event) for a in await rows(database, Alert)] == [
        (switch_fault.id, AlertEvent.FAULT_OPENED),
        (switch_fault.id, AlertEvent.FAULT_CLOSED),
    ]
    assert len(await rows(database, RepairTicket)) == 1


async def test_cameras_going_dark_after_their_switch_are_attached_as_they_open(
    database: Database, settings: Settings, street: Street
) -> None:
    await poll(database, settings, [street.router, street.switch, *street.cameras], 0, True)
    await down(database, settings, [street.switch], 1)
    switch_fault = await offline_of(database, street.switch)
    async with database.unit_of_work() as session:
        hurried = (
            await session.scalars(
                select(CheckState.hurry_runs).where(
                    CheckState.camera_id.in_([c.id for c in street.cameras]),
                    CheckState.kind == CheckKind.REACHABILITY,
                )
            )
        ).all()
    assert hurried == [settings.faults.failures_to_open] * 24  # everything behind it is asked at once
    await down(database, settings, street.cameras[:10], 3.1)
    await down(database, settings, street.cameras[10:], 3.2)
    [alert] = await rows(database, Alert)  # still waiting in its grouping window: it now names all of them
    assert alert.fault_id == switch_fault.id and all(name in alert.body for name in NAMES)
    await sweeps(database, settings, 30)  # the switch hangs on the router: its ticket waited for the window
    [ticket] = await rows(database, RepairTicket)
    assert ticket.camera_id == street.switch.id and await explained(database, ticket) == NAMES
    assert len(await rows(database, Alert)) == 1


async def test_a_router_found_down_last_takes_over_the_switch_and_its_cameras(
    database: Database, settings: Settings, street: Street
) -> None:
    await poll(database, settings, [street.router, street.switch, *street.cameras], 0, True)
    await down(database, settings, [street.switch, *street.cameras], 1)
    assert await rows(database, RepairTicket) == []  # the switch hangs on the router: its ticket waits too
    await down(database, settings, [street.router], 1.5)
    router_fault = await offline_of(database, street.router)
    for device in [street.switch, *street.cameras]:
        assert (await offline_of(database, device)).suppressed_by_id == router_fault.id
    assert router_fault.details["behind"] == sorted([*NAMES, "SW-MARKT"])
    [alert] = await rows(database, Alert)  # the switch's alert, still held by its window, is withdrawn
    assert alert.fault_id == router_fault.id and "SW-MARKT" in alert.body and "CAM-24" in alert.body
    [ticket] = await rows(database, RepairTicket)
    assert await explained(database, ticket) == sorted([*NAMES, "SW-MARKT"])
    await sweeps(database, settings, 30)
    assert len(await rows(database, Alert)) == 1 and len(await rows(database, RepairTicket)) == 1


async def test_what_was_sent_stays_sent_and_a_worked_ticket_stays_with_its_technician(
    database: Database, settings: Settings, cipher: CredentialCipher, street: Street
) -> None:
    first, second = street.cameras[:2]
    await poll(database, settings, [street.switch, first, second], 0, True)
    await down(database, settings, [first, second], 1)
    await sweeps(database, settings, 6)  # the grouping window has passed: the alerts are due, the tickets made
    async with database.unit_of_work() as session:
        for alert in await session.scalars(select(Alert)):
            alert.status = AlertStatus.DELIVERED  # as the dispatcher records it
        technician, _token = await make_user(session, Role.TECHNICIAN)
    worked, unworked = await rows(database, RepairTicket)
    async with database.unit_of_work() as session:
        await workflow.assign(
            session, actor=TEST_ACTOR, ticket_id=worked.id, assignee_id=technician.id, now=T0 + 7 * MIN,
            settings=settings,
        )  # fmt: skip
    await down(database, settings, [street.switch], 8)
    switch_fault = await offline_of(database, street.switch)
    assert (await offline_of(database, first)).suppressed_by_id == switch_fault.id
    sent = [a for a in await rows(database, Alert) if a.status is AlertStatus.DELIVERED]
    assert len(sent) == 2  # nothing already sent is taken back
    tickets = {t.id: t for t in await rows(database, RepairTicket)}
    assert tickets[worked.id].status is TicketStatus.ASSIGNED
    assert tickets[unworked.id].status is TicketStatus.RESOLVED
    async with database.unit_of_work() as session:
        note = await session.scalar(
            select(TicketEvent.text).where(
                TicketEvent.ticket_id == unworked.id, TicketEvent.to_value == TicketStatus.RESOLVED.value
            )
        )
    assert note == f"caused by fault #{switch_fault.id}, SW-MARKT: offline (connection refused)"
    await sweeps(database, settings, 13)  # the switch's own ticket, after its window: it names them
    switch_ticket = (await rows(database, RepairTicket))[-1]
    assert switch_ticket.camera_id == street.switch.id
    assert await explained(database, switch_ticket) == [first.name, second.name]
    await poll(database, settings, [street.switch], 20, True)
    await poll(database, settings, [street.switch, first, second], 21, True)
    await poll(database, settings, [first, second], 22, True)
    recovered = [a.camera_id for a in await rows(database, Alert) if a.event is AlertEvent.FAULT_CLOSED]
    assert sorted(recovered) == sorted([street.switch.id, first.id, second.id])  # their recoveries still go out


async def test_a_camera_still_down_after_its_switch_came_back_gets_its_own_alert_and_ticket(
    database: Database, settings: Settings, street: Street
) -> None:
    broken, *others = street.cameras
    await poll(database, settings, [street.switch, *street.cameras], 0, True)
    await down(database, settings, [street.switch, *street.cameras], 1)
    caused = await offline_of(database, broken)
    await sweeps(database, settings, 10)  # the switch's ticket, after its window
    await poll(database, settings, [street.switch, *others], 20, True)
    await poll(database, settings, [street.switch, *others], 21, True)  # the switch's fault ends at 20
    await poll(database, settings, [broken], 22, False)  # still booting, perhaps: within the grace
    assert (await offline_of(database, broken)).id == caused.id
    await poll(database, settings, [broken], 25.5, False)
    own = await offline_of(database, broken)
    assert own.id != caused.id and own.suppressed_by_id is None and own.opened_at == T0 + 20 * MIN
    caused = next(f for f in await rows(database, Fault) if f.id == caused.id)
    assert caused.closed_at == T0 + 20 * MIN
    await sweeps(database, settings, 30)
    mine = [a for a in await rows(database, Alert) if a.camera_id == broken.id]
    assert [(a.fault_id, a.event) for a in mine] == [(own.id, AlertEvent.FAULT_OPENED)]  # no false "recovered"
    assert "still after" in mine[0].body
    assert [t.camera_id for t in await rows(database, RepairTicket)] == [street.switch.id, broken.id]
    assert not [a for a in await rows(database, Alert) if a.camera_id in {c.id for c in others}]


async def test_cameras_outside_the_tree_still_make_a_group_outage(
    database: Database, settings: Settings, cipher: CredentialCipher, street: Street
) -> None:
    async with database.unit_of_work() as session:
        ring = [await make_camera(session, cipher, host=f"127.135.2.{n}", poller_group="ring") for n in range(1, 5)]
        await ensure_check_states(session, now=T0)
    await poll(database, settings, ring, 0, True)
    await down(database, settings, ring, 1)
    [group] = [f for f in await rows(database, Fault) if f.kind is FaultKind.GROUP_OUTAGE]
    assert group.details["cameras"] == sorted(c.name for c in ring)


async def port_fault(
    database: Database, settings: Settings, switch: Camera, port: str, kind: FaultKind, minute: float
) -> Fault:
    """A port's fault opened as the switch's SNMP check opens it: attributed, announced and ticketed in its batch."""
    at = T0 + minute * MIN
    async with database.unit_of_work() as session:
        changes = FaultChanges()
        fault = add_fault(
            session,
            changes,
            camera_id=switch.id,
            kind=kind,
            at=at,
            summary=f"{switch.name} port {port}: {kind.value}",
            port=port,
        )
        await session.flush()
        await causes.attribute(session, changes, now=at, grace=settings.faults.cause_grace, attached=[], runs=3)
        await alerts.on_fault_changes(session, changes, now=at, settings=settings)
        await tickets.on_fault_changes(session, changes, now=at, settings=settings)
    return fault


@pytest.mark.parametrize("camera_first", [True, False])
async def test_a_camera_on_a_port_without_poe_has_its_fault_caused_by_the_port(
    database: Database, settings: Settings, street: Street, camera_first: bool
) -> None:
    dark, neighbour = street.cameras[4], street.cameras[5]
    await poll(database, settings, [street.switch, dark, neighbour], 0, True)
    if camera_first:
        await down(database, settings, [dark], 1)
        poe = await port_fault(database, settings, street.switch, "5", FaultKind.POE_OFF, 3.5)
    else:
        poe = await port_fault(database, settings, street.switch, "5", FaultKind.POE_OFF, 0.5)
        async with database.unit_of_work() as session:
            hurried = await session.scalar(
                select(CheckState.hurry_runs).where(
                    CheckState.camera_id == dark.id, CheckState.kind == CheckKind.REACHABILITY
                )
            )
        assert hurried == 3  # the camera on that port is asked at once
        await down(database, settings, [dark], 1)
    await poll(database, settings, [street.switch, neighbour], 4, True)
    assert (await offline_of(database, dark)).suppressed_by_id == poe.id
    poe = next(f for f in await rows(database, Fault) if f.id == poe.id)
    assert poe.details["behind"] == ["CAM-05"]
    [alert] = await rows(database, Alert)
    assert alert.fault_id == poe.id and "CAM-05" in alert.body
    await sweeps(database, settings, 10)
    assert [t.camera_id for t in await rows(database, RepairTicket)] == [street.switch.id]
    # Another port of the same switch going down explains nothing of CAM-05's.
    other = await port_fault(database, settings, street.switch, "6", FaultKind.PORT_DOWN, 11)
    assert (await offline_of(database, dark)).suppressed_by_id == poe.id
    assert other.id != poe.id


async def test_the_uptime_report_puts_downtime_down_to_the_network_power_or_the_camera(
    database: Database, settings: Settings, street: Street
) -> None:
    broken, fine, on_poe = street.cameras[0], street.cameras[1], street.cameras[4]
    await poll(database, settings, [street.switch, broken, fine, on_poe], 0, True)
    await down(database, settings, [street.switch, broken, fine], 1)  # down from minute 1
    await poll(database, settings, [street.switch, fine], 20, True)
    await poll(database, settings, [street.switch, fine], 21, True)  # the switch back at 20, and so is `fine`
    await poll(database, settings, [broken], 26, False)  # `broken` goes on alone from 20
    await port_fault(database, settings, street.switch, "5", FaultKind.POE_OFF, 30)
    await down(database, settings, [on_poe], 30)
    await poll(database, settings, [broken, on_poe], 40, True)
    await poll(database, settings, [broken, on_poe], 41, True)  # both back at 40
    period, now = (T0, T0 + 60 * MIN), T0 + 60 * MIN
    async with database.unit_of_work() as session:
        found = await uptime_report(session, period=period, by=GroupBy.CAMERA, now=now)
        document = await uptime_document(session, period=period, by=GroupBy.CAMERA, now=now, language="nl")
    rows = {row.key: row for row in found}
    parts = {
        name: (row.downtime_network_s / 60, row.downtime_power_s / 60, row.downtime_camera_s / 60)
        for name, row in rows.items()
        if row.downtime_s
    }
    assert parts == {fine.name: (19, 0, 0), broken.name: (19, 0, 20), on_poe.name: (0, 10, 0)}
    for row in rows.values():
        together = row.downtime_network_s + row.downtime_power_s + row.downtime_shared_s + row.downtime_camera_s
        assert together == pytest.approx(row.downtime_s)
    header = export.to_csv(found).decode("utf-8-sig").splitlines()[0].split(",")
    assert header[-4:] == ["downtime_network_s", "downtime_power_s", "downtime_shared_s", "downtime_camera_s"]
    assert "Uitval naar oorzaak" in document.html and "stroom (PoE uit, PoE-injector, UPS)" in document.html
