"""Simulated switches, a router and a UPS: their tables follow the cameras behind their ports, and fault injection
(port down, PoE off, switch off, switch reboot, battery empty) darkens, powers off and reboots what is behind."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from pyasn1.codec.ber import decoder
from pysnmp.proto.api import v2c

from collectors import Collectors, SnmpCredentials, Target
from simulator.fleet import SimulatedFleet
from simulator.spec import CameraSpec, FleetFileError, parse_fleet_text

FLEET = """name,host,snmp_port,device_type,ports,uplink_device,uplink_port,snmp_community
UPS-1,127.134.3.3,1161,ups,,,,net-c0mm
RT-1,127.134.3.2,1161,router,,UPS-1,1,net-c0mm
SW-1,127.134.3.1,1161,switch,8,RT-1,1,net-c0mm
CAM-1,127.134.3.11,1161,,,SW-1,1,net-c0mm
CAM-2,127.134.3.12,1161,,,SW-1,Gi1/0/2,net-c0mm
CAM-3,127.134.3.13,1161,,,SW-1,GigabitEthernet1/0/5,net-c0mm
"""
IF_OPER, IF_ALIAS = "1.3.6.1.2.1.2.2.1.8", "1.3.6.1.2.1.31.1.1.1.18"
PETH_DETECTION, PETH_ADMIN = "1.3.6.1.2.1.105.1.1.1.6", "1.3.6.1.2.1.105.1.1.1.3"
FDB_PORT, QFDB_PORT = "1.3.6.1.2.1.17.4.3.1.2", "1.3.6.1.2.1.17.7.1.2.2.1.2"
ARP_MAC = "1.3.6.1.2.1.4.35.1.4"
UPS_BATTERY, UPS_CHARGE, UPS_SOURCE = "1.3.6.1.2.1.33.1.2.1", "1.3.6.1.2.1.33.1.2.4", "1.3.6.1.2.1.33.1.4.1"
TRAPS_AT = ("127.134.3.100", 1162)
LINK_DOWN, LINK_UP, COLD_START = "1.3.6.1.6.3.1.1.5.3", "1.3.6.1.6.3.1.1.5.4", "1.3.6.1.6.3.1.1.5.1"


class _Traps(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict[str, int]]] = []

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        message, _ = decoder.decode(data, asn1Spec=v2c.Message())
        binds = {str(oid): value for oid, value in v2c.apiPDU.get_varbinds(v2c.apiMessage.get_pdu(message))}
        trap = str(binds.pop("1.3.6.1.6.3.1.1.4.1.0"))
        numbers = {oid: int(value) for oid, value in binds.items() if oid.startswith("1.3.6.1.2.1.2.2.1.")}
        self.received.append((addr[0], trap, numbers))


@pytest_asyncio.fixture
async def network() -> AsyncIterator[tuple[SimulatedFleet, _Traps]]:
    """The fleet above, every device sending its traps to one listener."""
    traps = _Traps()
    transport, _ = await asyncio.get_running_loop().create_datagram_endpoint(lambda: traps, local_addr=TRAPS_AT)
    async with SimulatedFleet(parse_fleet_text(FLEET), snapshot_size=(160, 90)) as fleet:
        for camera in fleet.cameras.values():
            await camera.update(trap_to=f"{TRAPS_AT[0]}:{TRAPS_AT[1]}")
        yield fleet, traps
    transport.close()


@pytest_asyncio.fixture(scope="module")
async def collectors() -> AsyncIterator[Collectors]:
    """The real collectors, to read the agents as camfleet does."""
    async with Collectors(device_timeout=1.0) as shared:
        yield shared


def _target(fleet: SimulatedFleet, name: str) -> Target:
    spec = fleet.camera(name).device.spec
    return Target(0, name, spec.host, 80, 554, spec.snmp_port, snmp=SnmpCredentials("2c", "net-c0mm"))


async def _column(collectors: Collectors, fleet: SimulatedFleet, name: str, root: str) -> dict[str, object]:
    rows = (await collectors.walk(_target(fleet, name), [root]))[root]
    return {oid[len(root) + 1 :]: value.value for oid, value in rows}


async def test_tables_follow_the_devices_behind_each_port(
    network: tuple[SimulatedFleet, _Traps], collectors: Collectors
) -> None:
    fleet, _ = network
    oper = await _column(collectors, fleet, "SW-1", IF_OPER)
    assert oper == {str(i): 1 if i in (1, 2, 5) else 2 for i in range(1, 9)}
    assert (await _column(collectors, fleet, "SW-1", IF_ALIAS))["5"] == b"CAM-3"
    assert (await _column(collectors, fleet, "SW-1", PETH_DETECTION)) == {
        f"1.{i}": 3 if i in (1, 2, 5) else 2 for i in range(1, 9)
    }
    macs = {n: fleet.camera(n).device.identity.mac for n in ("CAM-1", "CAM-2", "CAM-3", "SW-1")}
    fdb = await _column(collectors, fleet, "SW-1", FDB_PORT)
    as_index = {n: ".".join(str(int(part, 16)) for part in mac.split(":")) for n, mac in macs.items()}
    assert fdb == {as_index["CAM-1"]: 1, as_index["CAM-2"]: 2, as_index["CAM-3"]: 5}
    assert await _column(collectors, fleet, "SW-1", QFDB_PORT) == {f"1.{k}": v for k, v in fdb.items()}
    # The router resolved the switch and the cameras behind it, all on its port 1.
    arp = await _column(collectors, fleet, "RT-1", ARP_MAC)
    assert arp[f"1.1.4.{fleet.camera('CAM-2').device.spec.host}"] == bytes.fromhex(macs["CAM-2"].replace(":", ""))
    assert len(arp) == 4
    assert await _column(collectors, fleet, "UPS-1", UPS_SOURCE) == {"0": 3}


async def test_poe_off_powers_the_camera_down_and_back_up_with_a_reboot(
    network: tuple[SimulatedFleet, _Traps], collectors: Collectors
) -> None:
    fleet, traps = network
    switch, camera = fleet.camera("SW-1"), fleet.camera("CAM-2")
    await switch.update(poe_off=[2])
    assert camera.state.dark and camera.state.unpowered
    assert (await _column(collectors, fleet, "SW-1", PETH_ADMIN))["1.2"] == 2
    assert (await _column(collectors, fleet, "SW-1", PETH_DETECTION))["1.2"] == 1
    assert (await _column(collectors, fleet, "SW-1", IF_OPER))["2"] == 2
    await switch.update(poe_off=[])
    assert not camera.state.dark and camera.state.boots == 2
    assert (await _column(collectors, fleet, "SW-1", IF_OPER))["2"] == 1
    await asyncio.sleep(0.05)
    link = [(t, n["1.3.6.1.2.1.2.2.1.1.2"]) for host, t, n in traps.received if host == "127.134.3.1"]
    assert link == [(LINK_DOWN, 2), (LINK_UP, 2)]
    assert ("127.134.3.12", COLD_START, {}) in traps.received


async def test_port_down_cuts_the_link_without_a_reboot(network: tuple[SimulatedFleet, _Traps]) -> None:
    fleet, _ = network
    await fleet.camera("SW-1").update(ports_down=[5])
    camera = fleet.camera("CAM-3")
    assert camera.state.dark and not camera.state.unpowered
    await fleet.camera("SW-1").update(ports_down=[])
    assert not camera.state.dark and camera.state.boots == 1


async def test_switching_the_switch_off_darkens_everything_behind_it(network: tuple[SimulatedFleet, _Traps]) -> None:
    fleet, _ = network
    cameras = [fleet.camera(n) for n in ("CAM-1", "CAM-2", "CAM-3")]
    await fleet.camera("SW-1").update(offline=True)
    assert all(c.state.dark for c in cameras) and not fleet.camera("RT-1").state.dark
    await fleet.camera("SW-1").update(offline=False)
    assert [c.state.boots for c in cameras] == [2, 2, 2] and not any(c.state.dark for c in cameras)


async def test_a_switch_reboot_flaps_its_ports(network: tuple[SimulatedFleet, _Traps]) -> None:
    fleet, traps = network
    await fleet.camera("SW-1").reboot()
    await asyncio.sleep(0.05)
    from_switch = [t for host, t, _ in traps.received if host == "127.134.3.1"]
    assert from_switch[0] == COLD_START and from_switch.count(LINK_DOWN) == from_switch.count(LINK_UP) == 3
    assert [fleet.camera(n).state.boots for n in ("CAM-1", "CAM-2", "CAM-3")] == [2, 2, 2]


async def test_an_empty_battery_darkens_everything_behind_the_ups(
    network: tuple[SimulatedFleet, _Traps], collectors: Collectors
) -> None:
    fleet, _ = network
    ups = fleet.camera("UPS-1")
    await ups.update(on_battery=True, battery_charge=20)
    assert await _column(collectors, fleet, "UPS-1", UPS_BATTERY) == {"0": 3}
    assert await _column(collectors, fleet, "UPS-1", UPS_CHARGE) == {"0": 20}
    assert not fleet.camera("CAM-1").state.dark
    await ups.update(battery_charge=0)
    assert all(fleet.camera(n).state.dark for n in ("RT-1", "SW-1", "CAM-1", "CAM-2", "CAM-3"))


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("CAM-9,127.134.3.19,1161,,,SW-1,9,x", "has no port '9'"),
        ("CAM-9,127.134.3.19,1161,,,SW-1,Gi1/0/1,x", "port 1 of SW-1 is CAM-1's"),
        ("CAM-9,127.134.3.19,1161,,,CAM-1,1,x", "no network device here"),
    ],
)
def test_bad_uplinks_are_file_errors(row: str, words: str) -> None:
    with pytest.raises(FleetFileError, match=words):
        SimulatedFleet(parse_fleet_text(FLEET + row + "\n"))


def test_a_switch_spec_has_ports_by_default() -> None:
    assert CameraSpec(name="S", host="127.134.3.50", device_type="switch").port_count == 24
