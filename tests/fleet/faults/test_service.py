"""Faults from recorded outcomes on both engines: open for real, close on recovery, events, groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from config.checks import CheckKind
from config.settings import Settings
from fleet.audit.service import Actor
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults import service as faults
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.health.claims import ensure_check_states
from fleet.health.models import ErrorClass
from fleet.health.recording import Outcome, RecordSummary, record
from tests.builders import make_camera, make_network_device

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


class Feed:
    """Records outcomes minute by minute, as the poller would."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings

    async def __call__(
        self,
        camera_id: int,
        kind: CheckKind,
        minute: float,
        ok: bool,
        error: ErrorClass | None = None,
        **values: Any,
    ) -> RecordSummary:
        at = T0 + minute * MIN
        outcome = Outcome(
            camera_id=camera_id,
            kind=kind,
            at=at,
            ok=ok,
            duration_s=0.01,
            next_due_at=at + MIN,
            error_class=None if ok else (error or ErrorClass.UNREACHABLE),
            error=None if ok else "no answer",
            values=values,
        )
        async with self.database.unit_of_work() as session:
            await ensure_check_states(session, now=T0)
            return await record(session, [outcome], settings=self.settings)


@pytest.fixture
def feed(database: Database, settings: Settings) -> Feed:
    return Feed(database, settings)


async def _faults(database: Database) -> list[Fault]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(Fault).order_by(Fault.id))).all())


async def test_offline_opens_after_three_failures_and_closes_with_duration(
    database: Database, cipher: CredentialCipher, feed: Feed
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    reach = CheckKind.REACHABILITY
    await feed(camera.id, reach, 0, True)
    for minute in (1, 2):
        await feed(camera.id, reach, minute, False)
        await feed(camera.id, CheckKind.ONVIF_HEALTH, minute, False)
    assert await _faults(database) == []  # two failures: a lost packet or two, not a fault
    summary = await feed(camera.id, reach, 3, False)
    [opened] = summary.faults.opened
    assert (opened.kind, opened.severity, opened.opened_at) == (FaultKind.OFFLINE, Severity.CRITICAL, T0 + MIN)
    await feed(camera.id, reach, 4, False)  # still offline: no twin
    await feed(camera.id, reach, 5, True)
    summary = await feed(camera.id, reach, 6, True)
    [closed] = summary.faults.closed
    assert closed.closed_at == T0 + 5 * MIN and closed.duration_s == 240
    assert len(await _faults(database)) == 1


async def test_only_offline_when_the_whole_camera_is_gone(
    database: Database, cipher: CredentialCipher, feed: Feed
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, snmp_community="public")
    for minute in range(3):
        for kind in (CheckKind.REACHABILITY, CheckKind.ONVIF_HEALTH, CheckKind.SNMP):
            await feed(camera.id, kind, minute, False)
    assert [f.kind for f in await _faults(database)] == [FaultKind.OFFLINE]


async def test_auth_failure_and_snmp_are_their_own_faults(
    database: Database, cipher: CredentialCipher, feed: Feed
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, snmp_community="public")
    for minute in range(3):
        await feed(camera.id, CheckKind.REACHABILITY, minute, True)
        await feed(camera.id, CheckKind.ONVIF_HEALTH, minute, False, ErrorClass.AUTH_FAILED)
        await feed(camera.id, CheckKind.SNMP, minute, False, ErrorClass.TIMEOUT)
    assert sorted(f.kind for f in await _faults(database)) == [FaultKind.ONVIF_AUTH_FAILED, FaultKind.SNMP_UNREACHABLE]


async def test_clock_drift_opens_when_it_persists(database: Database, cipher: CredentialCipher, feed: Feed) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    await feed(camera.id, CheckKind.ONVIF_HEALTH, 0, True, clock_drift_s=0.3)
    await feed(camera.id, CheckKind.ONVIF_HEALTH, 1, True, clock_drift_s=42.0)
    await feed(camera.id, CheckKind.ONVIF_HEALTH, 2, True, clock_drift_s=41.0)
    assert await _faults(database) == []
    summary = await feed(camera.id, CheckKind.ONVIF_HEALTH, 3, True, clock_drift_s=43.0)
    [fault] = summary.faults.opened
    assert fault.kind is FaultKind.CLOCK_DRIFT and fault.opened_at == T0 + MIN
    assert fault.summary.endswith("clock off by +43.0 s")
    await feed(camera.id, CheckKind.ONVIF_HEALTH, 4, True, clock_drift_s=0.1)
    summary = await feed(camera.id, CheckKind.ONVIF_HEALTH, 5, True, clock_drift_s=0.2)
    assert [f.kind for f in summary.faults.closed] == [FaultKind.CLOCK_DRIFT]


async def test_temperature_and_storage(database: Database, cipher: CredentialCipher, feed: Feed) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, snmp_community="public")
    for minute in range(3):
        await feed(
            camera.id, CheckKind.SNMP, minute, True, uptime_s=100 + minute * 60, temperature_c=81, storage_ok=False
        )
    kinds = sorted(f.kind for f in await _faults(database))
    assert kinds == [FaultKind.STORAGE_FAILURE, FaultKind.TEMPERATURE_HIGH]


async def test_reboots_and_reboot_loop(database: Database, cipher: CredentialCipher, feed: Feed) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, snmp_community="public")
    snmp = CheckKind.SNMP
    await feed(camera.id, snmp, 0, True, uptime_s=50_000)
    summary = await feed(camera.id, snmp, 60, True, uptime_s=30)
    assert [f.kind for f in summary.faults.opened] == [FaultKind.REBOOTED]
    summary = await feed(camera.id, snmp, 65, True, uptime_s=330)
    assert [f.kind for f in summary.faults.closed] == [FaultKind.REBOOTED]
    await feed(camera.id, snmp, 120, True, uptime_s=20)
    await feed(camera.id, snmp, 125, True, uptime_s=320)
    summary = await feed(camera.id, snmp, 180, True, uptime_s=10)
    assert [f.kind for f in summary.faults.opened] == [FaultKind.REBOOTED, FaultKind.REBOOT_LOOP]
    summary = await feed(camera.id, snmp, 60 * 30, True, uptime_s=60_000)  # a calm day later
    assert sorted(f.kind for f in summary.faults.closed) == [FaultKind.REBOOT_LOOP, FaultKind.REBOOTED]


async def test_firmware_and_identity_changes_close_when_acknowledged(
    database: Database, cipher: CredentialCipher, feed: Feed
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    identity = CheckKind.ONVIF_IDENTITY
    await feed(camera.id, identity, 0, True, firmware="V5.7.3", serial="DS-1", mac="44:19:b6:00:00:01")
    await feed(camera.id, identity, 1, True, firmware="V5.7.3", serial="DS-1", mac="44:19:b6:00:00:01")
    summary = await feed(camera.id, identity, 2, True, firmware="V5.7.15", serial="AX-9", mac="ac:cc:8e:00:00:09")
    opened = {f.kind: f for f in summary.faults.opened}
    assert set(opened) == {FaultKind.FIRMWARE_CHANGED, FaultKind.IDENTITY_CHANGED}
    assert opened[FaultKind.FIRMWARE_CHANGED].details == {"from": "V5.7.3", "to": "V5.7.15"}
    assert opened[FaultKind.IDENTITY_CHANGED].details["changed"] == ["serial", "mac"]
    async with database.unit_of_work() as session:
        fault = await faults.acknowledge(
            session, actor=Actor("anna"), fault_id=opened[FaultKind.FIRMWARE_CHANGED].id, at=T0 + 3 * MIN
        )
    assert fault.closed_at == T0 + 3 * MIN and fault.acknowledged_by == "anna"


async def test_a_dead_switch_is_one_group_fault(database: Database, cipher: CredentialCipher, feed: Feed) -> None:
    async with database.unit_of_work() as session:
        ring = [await make_camera(session, cipher, poller_group="ring-a") for _ in range(6)]
        other = await make_camera(session, cipher, poller_group="ring-b")
    reach = CheckKind.REACHABILITY
    for camera in [*ring, other]:
        await feed(camera.id, reach, 0, True)
    for minute in (1, 2, 3):
        for camera in ring[:4]:
            await feed(camera.id, reach, minute, False)
    found = await _faults(database)
    group = [f for f in found if f.kind is FaultKind.GROUP_OUTAGE]
    assert len(group) == 1 and group[0].scope == "poller_group:ring-a"
    assert group[0].details["cameras"] == sorted(c.name for c in ring[:4])
    offline = [f for f in found if f.kind is FaultKind.OFFLINE]
    assert len(offline) == 4 and all(f.suppressed_by_id == group[0].id for f in offline)
    for minute in (4, 5):
        for camera in ring[:4]:
            await feed(camera.id, reach, minute, True)
    assert all(f.closed_at is not None for f in await _faults(database))


async def test_one_open_fault_per_device_kind_and_port_on_both_engines(
    database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        switch = await make_network_device(session, cipher)
    changes = faults.FaultChanges()
    async with database.unit_of_work() as session:
        opened = [
            await faults.open_fault(session, changes, camera=switch, kind=FaultKind.PORT_DOWN, at=T0, summary=p, port=p)
            for p in ("Gi0/1", "Gi0/2", "Gi0/1")
        ]
        whole = await faults.open_fault(session, changes, camera=switch, kind=FaultKind.PORT_DOWN, at=T0, summary="x")
    # The third is the first again; the port-less one is a fault of its own.
    assert opened[0].id == opened[2].id != opened[1].id and whole.id not in {f.id for f in opened}
    assert [f.port for f in opened] == ["Gi0/1", "Gi0/2", "Gi0/1"] and whole.port is None
    assert changes.opened[0].severity is Severity.CRITICAL
    for port in ("Gi0/2", None):
        with pytest.raises(IntegrityError):
            async with database.unit_of_work() as session:
                session.add(
                    Fault(camera_id=switch.id, kind=FaultKind.PORT_DOWN, port=port, severity=Severity.CRITICAL,
                          summary="twin", opened_at=T0 + MIN)
                )  # fmt: skip


async def test_one_open_fault_per_camera_and_kind_is_enforced_by_the_database(
    database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    twin = {"camera_id": camera.id, "kind": FaultKind.OFFLINE, "severity": Severity.CRITICAL, "summary": "x"}
    async with database.unit_of_work() as session:
        session.add(Fault(**twin, opened_at=T0))
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as session:
            session.add(Fault(**twin, opened_at=T0 + MIN))
    async with database.unit_of_work() as session:
        session.add(Fault(**twin, opened_at=T0 - MIN, closed_at=T0))  # closed ones may repeat
