"""What a simulated network device's SNMP agent serves: its ports (IF-MIB), PoE (POWER-ETHERNET-MIB), learned MACs
(BRIDGE-MIB, Q-BRIDGE-MIB), a router's neighbours (IP-MIB) and a UPS's battery (UPS-MIB).

The tables follow the devices behind each port (simulator/network.py) and are rebuilt whenever one changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pysnmp.proto import rfc1902

from simulator.device import Device
from simulator.mib import Getter, MibView, Oid

_MIB2 = (1, 3, 6, 1, 2, 1)
IF_ENTRY = (*_MIB2, 2, 2, 1)
IFX_ENTRY = (*_MIB2, 31, 1, 1, 1)
PETH_PORT_ENTRY = (*_MIB2, 105, 1, 1, 1)
DOT1D_BASE_PORT_ENTRY = (*_MIB2, 17, 1, 4, 1)
DOT1D_TP_FDB_ENTRY = (*_MIB2, 17, 4, 3, 1)
DOT1Q_TP_FDB_ENTRY = (*_MIB2, 17, 7, 1, 2, 2, 1)
IP_NET_TO_PHYSICAL_ENTRY = (*_MIB2, 4, 35, 1)
UPS_MIB = (*_MIB2, 33, 1)
_NET_SNMP_LINUX = (1, 3, 6, 1, 4, 1, 8072, 3, 2, 10)
_POE_TYPES = frozenset({"switch", "poe_injector"})
_LEARNED, _VLAN = 3, 1


@dataclass(frozen=True, slots=True)
class Port:
    """One port as the agent shows it now."""

    index: int
    up: bool
    poe: bool  # PoE enabled on the port
    powering: bool  # delivering power to a device
    alias: str  # the name of the device behind it, as operators label ports
    in_errors: int
    macs: Sequence[str]  # learned on this port: the device behind it and every device behind that one


@dataclass(frozen=True, slots=True)
class Neighbour:
    """An IPv4 neighbour a router has resolved, and the port it is on."""

    index: int
    address: str
    mac: str


def port_name(index: int) -> str:
    """ifName of a port."""
    return f"Gi1/0/{index}"


def port_descr(index: int) -> str:
    """ifDescr of a port."""
    return f"GigabitEthernet1/0/{index}"


def _mac_bytes(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", ""))


def _int(value: int) -> Getter:
    return lambda: rfc1902.Integer32(value)


def _octets(value: bytes) -> Getter:
    return lambda: rfc1902.OctetString(value)


def _counter(value: int) -> Getter:
    return lambda: rfc1902.Counter32(value % 2**32)


def _gauge(value: int) -> Getter:
    return lambda: rfc1902.Gauge32(value)


def _system(device: Device) -> dict[Oid, Getter]:
    state, spec = device.state, device.spec
    return {
        (*_MIB2, 1, 1, 0): _octets(f"Simulated {spec.device_type.replace('_', ' ')} {spec.declared_model}".encode()),
        (*_MIB2, 1, 2, 0): lambda: rfc1902.ObjectIdentifier(_NET_SNMP_LINUX),
        (*_MIB2, 1, 3, 0): lambda: rfc1902.TimeTicks(int(state.uptime_s() * 100) % 2**32),
        (*_MIB2, 1, 5, 0): _octets(spec.name.encode()),
        (*_MIB2, 1, 6, 0): _octets(spec.location.encode()),
    }


def _interfaces(device: Device, ports: Sequence[Port]) -> dict[Oid, Getter]:
    base_mac = int(device.identity.mac.replace(":", ""), 16)
    values: dict[Oid, Getter] = {(*_MIB2, 2, 1, 0): _int(len(ports))}
    for port in ports:
        i = port.index
        columns: dict[Oid, Getter] = {
            (*IF_ENTRY, 1, i): _int(i),
            (*IF_ENTRY, 2, i): _octets(port_descr(i).encode()),
            (*IF_ENTRY, 3, i): _int(6),  # ethernetCsmacd
            (*IF_ENTRY, 4, i): _int(1500),
            (*IF_ENTRY, 5, i): _gauge(1_000_000_000 if port.up else 0),
            (*IF_ENTRY, 6, i): _octets(((base_mac + i) % 2**48).to_bytes(6, "big")),
            (*IF_ENTRY, 7, i): _int(1),  # ifAdminStatus up: a fault cuts the link, nobody shut the port
            (*IF_ENTRY, 8, i): _int(1 if port.up else 2),
            (*IF_ENTRY, 14, i): _counter(port.in_errors),
            (*IF_ENTRY, 20, i): lambda: rfc1902.Counter32(0),
            (*IFX_ENTRY, 1, i): _octets(port_name(i).encode()),
            (*IFX_ENTRY, 15, i): _gauge(1000 if port.up else 0),
            (*IFX_ENTRY, 18, i): _octets(port.alias.encode()),
        }
        values |= columns
    return values


def _poe(ports: Sequence[Port]) -> dict[Oid, Getter]:
    values: dict[Oid, Getter] = {}
    for port in ports:  # index (pethPsePortGroupIndex 1, pethPsePortIndex = the port's ifIndex)
        detection = 3 if port.powering else (1 if not port.poe else 2)  # deliveringPower, disabled, searching
        values[(*PETH_PORT_ENTRY, 3, 1, port.index)] = _int(1 if port.poe else 2)
        values[(*PETH_PORT_ENTRY, 6, 1, port.index)] = _int(detection)
    return values


def _bridge(ports: Sequence[Port]) -> dict[Oid, Getter]:
    values: dict[Oid, Getter] = {}
    for port in ports:
        values[(*DOT1D_BASE_PORT_ENTRY, 1, port.index)] = _int(port.index)
        values[(*DOT1D_BASE_PORT_ENTRY, 2, port.index)] = _int(port.index)
        for mac in port.macs:
            arcs = tuple(_mac_bytes(mac))
            values[(*DOT1D_TP_FDB_ENTRY, 1, *arcs)] = _octets(_mac_bytes(mac))
            values[(*DOT1D_TP_FDB_ENTRY, 2, *arcs)] = _int(port.index)
            values[(*DOT1D_TP_FDB_ENTRY, 3, *arcs)] = _int(_LEARNED)
            values[(*DOT1Q_TP_FDB_ENTRY, 2, _VLAN, *arcs)] = _int(port.index)
            values[(*DOT1Q_TP_FDB_ENTRY, 3, _VLAN, *arcs)] = _int(_LEARNED)
    return values


def _neighbours(neighbours: Sequence[Neighbour]) -> dict[Oid, Getter]:
    values: dict[Oid, Getter] = {}
    for neighbour in neighbours:
        index = (neighbour.index, 1, 4, *(int(part) for part in neighbour.address.split(".")))
        values[(*IP_NET_TO_PHYSICAL_ENTRY, 4, *index)] = _octets(_mac_bytes(neighbour.mac))
        values[(*IP_NET_TO_PHYSICAL_ENTRY, 6, *index)] = _int(3)  # dynamic
        values[(*IP_NET_TO_PHYSICAL_ENTRY, 7, *index)] = _int(1)  # reachable
    return values


def _ups(device: Device) -> dict[Oid, Getter]:
    state = device.state

    def battery_status() -> int:  # batteryNormal, batteryLow, batteryDepleted
        return 4 if state.battery_charge == 0 else (3 if state.battery_charge <= 25 else 2)

    def integer(value: Callable[[], int]) -> Getter:
        return lambda: rfc1902.Integer32(value())

    return {
        (*UPS_MIB, 2, 1, 0): integer(battery_status),
        (*UPS_MIB, 2, 2, 0): integer(lambda: 60 if state.on_battery else 0),
        (*UPS_MIB, 2, 3, 0): integer(lambda: state.battery_charge * 45 // 100),
        (*UPS_MIB, 2, 4, 0): integer(lambda: state.battery_charge),
        (*UPS_MIB, 4, 1, 0): integer(lambda: 5 if state.on_battery else 3),  # battery, normal
    }


def build_network_mib(device: Device, ports: Sequence[Port], neighbours: Sequence[Neighbour]) -> MibView:
    """Every OID a network device answers, for its ports as they are now."""
    values = _system(device) | _interfaces(device, ports)
    kind = device.spec.device_type
    if kind in _POE_TYPES:
        values |= _poe(ports)
    if kind == "switch":
        values |= _bridge(ports)
    if kind == "router":
        values |= _neighbours(neighbours)
    if kind == "ups":
        values |= _ups(device)
    return MibView(values)
