"""Network devices' ports and batteries recorded in a poll batch on both engines: what a batch of SNMP results
stores and opens, in the same statements whatever the number of devices in it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, select

from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind
from fleet.health.claims import ensure_check_states
from fleet.health.recording import Outcome, record
from fleet.network.models import NetworkPort, UpsBattery
from tests.builders import make_camera, make_network_device

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def _quick(settings: Settings) -> Settings:
    """One bad read opens, one good read closes."""
    return settings.model_copy(
        update={"faults": settings.faults.model_copy(update={"failures_to_open": 1, "successes_to_close": 1})}
    )


async def _switches(database: Database, cipher: CredentialCipher, count: int) -> list[Camera]:
    """Switches with SNMP, each with a camera on its ports 1 and 2 (port 3 has nobody behind it)."""
    async with database.unit_of_work() as session:
        switches = [await make_network_device(session, cipher, snmp_community="public") for _ in range(count)]
        for switch in switches:
            for port in ("1", "2"):
                await make_camera(session, cipher, uplink_device=switch.name, uplink_port=port)
        await ensure_check_states(session, now=T0)
    return switches


def _read(switch: Camera, minute: int, port_2_up: bool) -> Outcome:
    """A switch's SNMP check: three ports (port 2 up or down) and its UPS-MIB battery."""
    at = T0 + minute * MIN

    def port(index: int, up: bool) -> dict[str, Any]:
        return {"index": index, "name": f"Gi1/0/{index}", "admin_up": True, "oper_up": up, "in_errors": minute}

    ports = [port(1, True), port(2, port_2_up), port(3, False)]
    ups = {"on_battery": False, "battery_status": "normal", "minutes_remaining": 60, "charge_percent": 100}
    return Outcome(
        camera_id=switch.id,
        kind=CheckKind.SNMP,
        at=at,
        ok=True,
        duration_s=0.01,
        next_due_at=at + MIN,
        values={"ports": ports, "ups": ups},
    )


async def _statements(database: Database, settings: Settings, outcomes: Sequence[Outcome]) -> int:
    """Record one batch; how many statements it took."""
    count = 0

    def executed(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(database.engine.sync_engine, "before_cursor_execute", executed)
    try:
        async with database.unit_of_work() as session:
            await record(session, outcomes, settings=settings)
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", executed)
    return count


async def test_a_batch_of_network_devices_is_stored_and_judged_in_the_same_statements_whatever_its_size(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    quick = _quick(settings)
    switches = await _switches(database, cipher, 10)
    few, many = switches[:2], switches[2:]
    # First read (every port new) with port 2 down, then port 2 back up: per batch, 2 devices or 8.
    for minute, port_2_up in ((1, False), (2, True)):
        alone = await _statements(database, quick, [_read(s, minute, port_2_up) for s in few])
        together = await _statements(database, quick, [_read(s, minute, port_2_up) for s in many])
        assert together == alone
        async with database.unit_of_work() as session:
            faults = (await session.scalars(select(Fault).where(Fault.kind == FaultKind.PORT_DOWN))).all()
        assert sorted((f.camera_id, f.port, f.closed_at is None) for f in faults) == sorted(
            (s.id, "2", not port_2_up) for s in switches
        )
    async with database.unit_of_work() as session:
        ports = (await session.scalars(select(NetworkPort))).all()
        batteries = (await session.scalars(select(UpsBattery))).all()
    assert sorted((p.device_id, p.if_index) for p in ports) == sorted((s.id, i) for s in switches for i in (1, 2, 3))
    assert {p.in_errors_delta for p in ports} == {1}
    assert {p.changed_at for p in ports if p.if_index == 2} == {T0 + 2 * MIN}
    assert sorted(b.device_id for b in batteries) == sorted(s.id for s in switches)
