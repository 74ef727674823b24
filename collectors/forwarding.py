"""A network device's tables of who is on the network: the MAC addresses a switch learned per port (BRIDGE-MIB,
Q-BRIDGE-MIB where present) and the addresses a router resolved (IP-MIB ipNetToPhysicalTable, else RFC 1213
ipNetToMediaTable).

Only learned forwarding entries count: the switch's own addresses (status self), management and invalid entries
are not devices behind a port. A bridge port is mapped to its ifIndex (dot1dBasePortIfIndex) and the interface's
name (ifName), so a port is known as people wrote it in the registry. Every table is walked under the walk's bounds
(collectors/snmp_walk.py); an index or value that is not what the MIB defines is the device's problem (BadResponse).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from collectors.ber import INTEGER, OCTET_STRING, printable
from collectors.errors import BadResponse
from collectors.ports import IF_NAME
from collectors.snmp_walk import Row, column

BASE_PORT_IF_INDEX = "1.3.6.1.2.1.17.1.4.1.2"
FDB_PORT = "1.3.6.1.2.1.17.4.3.1.2"
FDB_STATUS = "1.3.6.1.2.1.17.4.3.1.3"
QFDB_PORT = "1.3.6.1.2.1.17.7.1.2.2.1.2"
QFDB_STATUS = "1.3.6.1.2.1.17.7.1.2.2.1.3"
NET_TO_PHYSICAL_ADDRESS = "1.3.6.1.2.1.4.35.1.4"
NET_TO_PHYSICAL_TYPE = "1.3.6.1.2.1.4.35.1.6"
NET_TO_MEDIA_ADDRESS = "1.3.6.1.2.1.4.22.1.2"
NET_TO_MEDIA_TYPE = "1.3.6.1.2.1.4.22.1.4"
FORWARDING_ROOTS = (BASE_PORT_IF_INDEX, FDB_PORT, FDB_STATUS, QFDB_PORT, QFDB_STATUS, IF_NAME)
NEIGHBOUR_ROOTS = (NET_TO_PHYSICAL_ADDRESS, NET_TO_PHYSICAL_TYPE)
OLD_NEIGHBOUR_ROOTS = (NET_TO_MEDIA_ADDRESS, NET_TO_MEDIA_TYPE)
_LEARNED = 3  # dot1dTpFdbStatus / dot1qTpFdbStatus learned(3); other(1), invalid(2), self(4), mgmt(5)
_INVALID = 2  # ipNetToPhysicalType / ipNetToMediaType invalid(2)
_IPV4, _IPV6 = 1, 2  # InetAddressType
_MAX_NAME = 64


@dataclass(frozen=True, slots=True)
class ForwardingEntry:
    """A MAC address learned behind a port."""

    mac: str
    if_index: int | None
    port: str | None  # ifName
    vlan: int | None


@dataclass(frozen=True, slots=True)
class NeighbourEntry:
    """An IP address a router resolved to a MAC address, on an interface."""

    ip: str
    mac: str
    if_index: int | None


Walk = Callable[[Sequence[str]], Awaitable[dict[str, list[Row]]]]


def _column(rows: Mapping[str, list[Row]], root: str, tag: int) -> dict[tuple[int, ...], object]:
    """The column's values by index; a value of another type is the agent's fault."""
    found = column(rows.get(root, []), root)
    if any(value.tag != tag for value in found.values()):
        raise BadResponse(f"SNMP value of an unexpected type under {root}")
    return {index: value.value for index, value in found.items()}


def _mac(octets: Sequence[int] | bytes, where: str) -> str:
    if len(octets) != 6 or any(not 0 <= part <= 255 for part in octets):
        raise BadResponse(f"{where} is not a MAC address")
    return ":".join(f"{part:02x}" for part in octets)


def forwarding_entries(rows: Mapping[str, list[Row]]) -> list[ForwardingEntry]:
    """The learned entries of the Q-BRIDGE-MIB table (with VLANs) where the switch has one, else the BRIDGE-MIB's."""
    if_index = {i[0]: v for i, v in _column(rows, BASE_PORT_IF_INDEX, INTEGER).items() if len(i) == 1}
    names = {i[0]: printable(v, _MAX_NAME) for i, v in _column(rows, IF_NAME, OCTET_STRING).items() if len(i) == 1}
    q_ports = _column(rows, QFDB_PORT, INTEGER)
    if q_ports:
        ports, statuses, width = q_ports, _column(rows, QFDB_STATUS, INTEGER), 7
    else:
        ports, statuses, width = _column(rows, FDB_PORT, INTEGER), _column(rows, FDB_STATUS, INTEGER), 6
    entries = []
    for index, bridge_port in sorted(ports.items()):
        if len(index) != width:
            raise BadResponse("forwarding table index is not a (VLAN,) MAC address")
        if statuses.get(index, _LEARNED) != _LEARNED:
            continue
        mac = _mac(index[-6:], "forwarding table index")
        interface = if_index.get(int(str(bridge_port)))
        number = int(str(interface)) if interface is not None else None
        vlan = index[0] if width == 7 else None
        entries.append(ForwardingEntry(mac, number, names.get(number) if number is not None else None, vlan))
    return entries


def _address(index: tuple[int, ...]) -> tuple[int, str]:
    """(ifIndex, IP) of an ipNetToPhysicalTable index: ifIndex, InetAddressType, length, octets."""
    if len(index) < 3 or index[1] not in (_IPV4, _IPV6) or index[2] != len(index) - 3 or len(index) - 3 not in (4, 16):
        raise BadResponse("neighbour table index is not an interface and an IP address")
    try:
        return index[0], str(ipaddress.ip_address(bytes(index[3:])))
    except ValueError as exc:
        raise BadResponse("neighbour table index is not an interface and an IP address") from exc


def neighbour_entries(rows: Mapping[str, list[Row]], *, old: bool = False) -> list[NeighbourEntry]:
    """The valid entries of ipNetToPhysicalTable, or with ``old`` of ipNetToMediaTable (IPv4: ifIndex, 4 octets)."""
    address_root, type_root = OLD_NEIGHBOUR_ROOTS if old else NEIGHBOUR_ROOTS
    types = _column(rows, type_root, INTEGER)
    entries = []
    for index, physical in sorted(_column(rows, address_root, OCTET_STRING).items()):
        if types.get(index) == _INVALID:
            continue
        if old:
            if len(index) != 5:
                raise BadResponse("neighbour table index is not an interface and an IPv4 address")
            if_index, ip = index[0], _address((index[0], _IPV4, 4, *index[1:]))[1]
        else:
            if_index, ip = _address(index)
        if not isinstance(physical, bytes) or not physical:
            continue  # an incomplete entry: resolution under way
        entries.append(NeighbourEntry(ip, _mac(physical, "neighbour's physical address"), if_index))
    return entries


async def read_tables(walk: Walk) -> tuple[list[ForwardingEntry], list[NeighbourEntry]]:
    """Walk a device's forwarding and neighbour tables together; RFC 1213's table only when IP-MIB's is empty."""
    rows = await walk((*FORWARDING_ROOTS, *NEIGHBOUR_ROOTS))
    forwarding, neighbours = forwarding_entries(rows), neighbour_entries(rows)
    if not rows.get(NET_TO_PHYSICAL_ADDRESS):
        neighbours = neighbour_entries(await walk(OLD_NEIGHBOUR_ROOTS), old=True)
    return forwarding, neighbours
