"""Forwarding and neighbour tables from walked rows: learned entries only, bridge ports to interfaces, Q-BRIDGE
where present, RFC 1213's ARP table as the fallback, and rows no MIB allows refused as the device's problem."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from collectors import forwarding as fw
from collectors.ber import INTEGER, OCTET_STRING, Value
from collectors.errors import BadResponse
from collectors.forwarding import ForwardingEntry, NeighbourEntry
from collectors.snmp_walk import Row

CAMERA, SELF = (0, 0x40, 0x8C, 1, 2, 3), (0, 0x40, 0x8C, 9, 9, 9)


def _oid(root: str, *index: int) -> str:
    return ".".join([root, *map(str, index)])


def _bridge() -> dict[str, list[Row]]:
    return {
        fw.BASE_PORT_IF_INDEX: [(_oid(fw.BASE_PORT_IF_INDEX, 3), Value(INTEGER, 10003))],
        fw.IF_NAME: [(_oid(fw.IF_NAME, 10003), Value(OCTET_STRING, b"ge-0/0/3\x00"))],
        fw.FDB_PORT: [(_oid(fw.FDB_PORT, *m), Value(INTEGER, 3)) for m in (CAMERA, SELF)],
        fw.FDB_STATUS: [
            (_oid(fw.FDB_STATUS, *CAMERA), Value(INTEGER, 3)),
            (_oid(fw.FDB_STATUS, *SELF), Value(INTEGER, 4)),
        ],
    }


def test_learned_bridge_entries_with_their_interface_and_name_not_the_switchs_own() -> None:
    assert fw.forwarding_entries(_bridge()) == [ForwardingEntry("00:40:8c:01:02:03", 10003, "ge-0/0/3", None)]


def test_q_bridge_entries_carry_their_vlan_and_win_over_bridge_mibs() -> None:
    rows = _bridge() | {
        fw.QFDB_PORT: [(_oid(fw.QFDB_PORT, 20, *CAMERA), Value(INTEGER, 3))],
        fw.QFDB_STATUS: [(_oid(fw.QFDB_STATUS, 20, *CAMERA), Value(INTEGER, 3))],
    }
    assert fw.forwarding_entries(rows) == [ForwardingEntry("00:40:8c:01:02:03", 10003, "ge-0/0/3", 20)]


def test_a_bridge_port_without_an_interface_is_kept_without_one() -> None:
    rows = {fw.FDB_PORT: [(_oid(fw.FDB_PORT, *CAMERA), Value(INTEGER, 7))]}
    assert fw.forwarding_entries(rows) == [ForwardingEntry("00:40:8c:01:02:03", None, None, None)]


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ({fw.FDB_PORT: [(_oid(fw.FDB_PORT, 1, 2, 3), Value(INTEGER, 1))]}, "not a \\(VLAN,\\) MAC"),
        ({fw.FDB_PORT: [(_oid(fw.FDB_PORT, 1, 2, 3, 4, 5, 999), Value(INTEGER, 1))]}, "not a MAC address"),
        ({fw.FDB_PORT: [(_oid(fw.FDB_PORT, *CAMERA), Value(OCTET_STRING, b"3"))]}, "unexpected type"),
        (
            {fw.NET_TO_PHYSICAL_ADDRESS: [(_oid(fw.NET_TO_PHYSICAL_ADDRESS, 1, 1, 9, 1), Value(OCTET_STRING, b""))]},
            "not an interface and an IP",
        ),
    ],
)
def test_rows_no_mib_allows_are_the_devices_problem(rows: dict[str, list[Row]], reason: str) -> None:
    with pytest.raises(BadResponse, match=reason):
        fw.forwarding_entries(rows)
        fw.neighbour_entries(rows)


def _arp(root: str, type_root: str, entries: Sequence[tuple[tuple[int, ...], bytes, int]]) -> dict[str, list[Row]]:
    return {
        root: [(_oid(root, *index), Value(OCTET_STRING, mac)) for index, mac, _ in entries],
        type_root: [(_oid(type_root, *index), Value(INTEGER, kind)) for index, _, kind in entries],
    }


async def test_neighbours_from_ip_mib_else_rfc1213_invalid_and_incomplete_ones_left_out() -> None:
    mac = bytes(CAMERA)
    ip_mib = _arp(
        fw.NET_TO_PHYSICAL_ADDRESS,
        fw.NET_TO_PHYSICAL_TYPE,
        [((2, 1, 4, 10, 0, 0, 5), mac, 3), ((2, 1, 4, 10, 0, 0, 6), mac, 2), ((2, 1, 4, 10, 0, 0, 7), b"", 3)],
    )
    assert fw.neighbour_entries(ip_mib) == [NeighbourEntry("10.0.0.5", "00:40:8c:01:02:03", 2)]
    old = _arp(fw.NET_TO_MEDIA_ADDRESS, fw.NET_TO_MEDIA_TYPE, [((4, 10, 0, 0, 8), mac, 3)])
    walked: list[tuple[str, ...]] = []

    async def walk(roots: Sequence[str]) -> dict[str, list[Row]]:
        walked.append(tuple(roots))
        return old if fw.NET_TO_MEDIA_ADDRESS in roots else _bridge()

    forwarding, neighbours = await fw.read_tables(walk)
    assert len(forwarding) == 1 and neighbours == [NeighbourEntry("10.0.0.8", "00:40:8c:01:02:03", 4)]
    assert walked[1] == fw.OLD_NEIGHBOUR_ROOTS
