"""The SNMP agents read with pysnmp's client hlapi: v2c communities, v3 authPriv, vendor conventions, reboots."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    UdpTransportTarget,
    UsmUserData,
    bulk_cmd,
    get_cmd,
    usmAesCfb128Protocol,
    usmHMACSHAAuthProtocol,
)
from pysnmp.proto.rfc1905 import EndOfMibView, NoSuchInstance, NoSuchObject

from simulator.fleet import SimulatedFleet

SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME = "1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0", "1.3.6.1.2.1.1.3.0"
IF_PHYS_ADDRESS_ETH0, IF_OPER_STATUS_ETH0 = "1.3.6.1.2.1.2.2.1.6.2", "1.3.6.1.2.1.2.2.1.8.2"


@pytest_asyncio.fixture(scope="module")
async def engine() -> AsyncIterator[SnmpEngine]:
    """One client engine for the module (loading its MIBs is the slow part)."""
    snmp = SnmpEngine()
    yield snmp
    snmp.close_dispatcher()


async def _get(engine: SnmpEngine, host: str, auth: Any, *oids: str) -> tuple[Any, list[tuple[str, Any]]]:
    target = await UdpTransportTarget.create((host, 1161), timeout=0.5, retries=0)
    error, status, _, binds = await get_cmd(
        engine, auth, target, ContextData(), *(ObjectType(ObjectIdentity(o)) for o in oids), lookupMib=False
    )
    assert not status
    return error, [(str(name), value) for name, value in binds]


def _absent(value: Any) -> bool:
    return isinstance(value, NoSuchObject | NoSuchInstance | EndOfMibView)


def _v3(fleet: SimulatedFleet, auth_key: str | None = None) -> UsmUserData:
    spec = fleet.camera("DAH-1").device.spec
    return UsmUserData(
        spec.snmp_user,
        auth_key or spec.snmp_auth_key,
        spec.snmp_priv_key,
        authProtocol=usmHMACSHAAuthProtocol,
        privProtocol=usmAesCfb128Protocol,
    )


async def test_v2c_right_community_answers(fleet: SimulatedFleet, engine: SnmpEngine) -> None:
    error, binds = await _get(
        engine, "127.40.1.4", CommunityData("public"), SYS_OBJECT_ID, SYS_DESCR, IF_OPER_STATUS_ETH0
    )
    assert error is None
    assert str(binds[0][1]) == "1.3.6.1.4.1.36849.1.2.64"
    assert "QNV-6082R" in str(binds[1][1])
    assert int(binds[2][1]) == 1
    assert fleet.camera("HAN-1").device.counters.snmp == 1


async def test_v2c_wrong_community_gets_no_answer(fleet: SimulatedFleet, engine: SnmpEngine) -> None:
    error, _ = await _get(engine, "127.40.1.2", CommunityData("public"), SYS_DESCR)
    assert "timeout" in str(error).lower()
    assert fleet.camera("HIK-1").device.counters.snmp_rejected == 1


async def test_hikvision_has_no_system_group_but_its_own_mib(fleet: SimulatedFleet, engine: SnmpEngine) -> None:
    cpu, model, mac = "1.3.6.1.4.1.39165.1.7.0", "1.3.6.1.4.1.39165.1.1.0", "1.3.6.1.4.1.39165.1.4.0"
    error, binds = await _get(
        engine, "127.40.1.2", CommunityData("c0mmunity"), SYS_OBJECT_ID, SYS_DESCR, cpu, model, mac
    )
    assert error is None
    values = dict(binds)
    assert _absent(values[SYS_OBJECT_ID]) and _absent(values[SYS_DESCR])
    assert str(values[cpu]).endswith(" PERCENT")
    assert str(values[model]) == "DS-2CD2T47G2-L"
    assert str(values[mac]) == fleet.camera("HIK-1").device.identity.mac.replace(":", "-")


async def test_v3_auth_priv_answers_and_dahua_uses_its_unregistered_arc(
    fleet: SimulatedFleet, engine: SnmpEngine
) -> None:
    error, binds = await _get(engine, "127.40.1.3", _v3(fleet), SYS_OBJECT_ID, IF_PHYS_ADDRESS_ETH0)
    assert error is None
    assert str(binds[0][1]).startswith("1.3.6.1.4.1.1004849.")
    assert bytes(binds[1][1]).hex(":") == fleet.camera("DAH-1").device.identity.mac


async def test_v3_wrong_key_and_v2c_get_no_data(fleet: SimulatedFleet, engine: SnmpEngine) -> None:
    error, binds = await _get(engine, "127.40.1.3", _v3(fleet, auth_key="not-the-key"), SYS_OBJECT_ID)
    assert error is not None and not binds
    error, binds = await _get(engine, "127.40.1.3", CommunityData("public"), SYS_OBJECT_ID)
    assert error is not None and not binds
    assert fleet.camera("DAH-1").device.counters.snmp == 0


async def test_uptime_advances_and_resets_on_reboot(fleet: SimulatedFleet, engine: SnmpEngine) -> None:
    camera = fleet.camera("HAN-1")
    camera.state.booted_at -= 1000  # pretend it has been up a while
    _, first = await _get(engine, "127.40.1.4", CommunityData("public"), SYS_UPTIME)
    await asyncio.sleep(0.05)  # five hundredths: sysUpTime counts them, so the second answer must be later
    _, second = await _get(engine, "127.40.1.4", CommunityData("public"), SYS_UPTIME)
    assert 100_000 <= int(first[0][1]) < int(second[0][1])
    await camera.reboot()
    _, third = await _get(engine, "127.40.1.4", CommunityData("public"), SYS_UPTIME)
    assert int(third[0][1]) < 100


async def test_v3_survives_a_reboot(fleet: SimulatedFleet, engine: SnmpEngine) -> None:
    await _get(engine, "127.40.1.3", _v3(fleet), SYS_UPTIME)
    await fleet.camera("DAH-1").reboot()
    error, binds = await _get(engine, "127.40.1.3", _v3(fleet), SYS_UPTIME)
    assert error is None and int(binds[0][1]) < 100


async def test_getbulk_walks_the_interface_table(fleet: SimulatedFleet, engine: SnmpEngine) -> None:
    target = await UdpTransportTarget.create(("127.40.1.5", 1161), timeout=0.5, retries=0)
    error, _, _, binds = await bulk_cmd(
        engine,
        CommunityData("public"),
        target,
        ContextData(),
        0,
        40,
        ObjectType(ObjectIdentity("1.3.6.1.2.1.2.2.1.2")),
        lookupMib=False,
    )
    assert error is None
    names = [str(name) for name, _ in binds]
    assert names[:2] == ["1.3.6.1.2.1.2.2.1.2.1", "1.3.6.1.2.1.2.2.1.2.2"]
    assert "1.3.6.1.2.1.2.2.1.14.2" in names  # ifInErrors
    assert names == sorted(names, key=lambda n: tuple(int(p) for p in n.split(".")))


@pytest.mark.parametrize(
    ("changes", "oid", "expected"),
    [
        ({"storage_failed": True}, "1.3.6.1.4.1.36849.1.2.64.4.3.0", "Fail"),
        ({"if_in_errors": 42}, "1.3.6.1.2.1.2.2.1.14.2", "42"),
    ],
)
async def test_injected_faults_show_in_snmp(
    fleet: SimulatedFleet, engine: SnmpEngine, changes: dict[str, Any], oid: str, expected: str
) -> None:
    await fleet.camera("HAN-1").update(**changes)
    _, binds = await _get(engine, "127.40.1.4", CommunityData("public"), oid)
    assert str(binds[0][1]) == expected


async def test_axis_reports_temperature_and_firmware_changes(fleet: SimulatedFleet, engine: SnmpEngine) -> None:
    await fleet.camera("AX-1").update(temperature_c=81.0, firmware="11.11.99")
    temperature, status = "1.3.6.1.4.1.368.4.1.3.1.4.1.1", "1.3.6.1.4.1.368.4.1.3.1.3.1.1"
    _, binds = await _get(engine, "127.40.1.1", CommunityData("public"), temperature, status, SYS_DESCR)
    assert [str(v) for _, v in binds] == ["81", "3", "AXIS P3245-LVE Network Camera 11.11.99"]
