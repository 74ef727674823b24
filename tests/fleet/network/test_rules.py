"""Which port a registry's uplink_port names, and what is bad on a port or a UPS: the whole tables."""

from __future__ import annotations

from typing import Any

import pytest

from fleet.network import rules

PORTS = [
    {"index": 1, "name": "Gi1/0/1", "descr": "GigabitEthernet1/0/1", "alias": "cam-markt-1"},
    {"index": 2, "name": "Gi1/0/2", "descr": "GigabitEthernet1/0/2", "alias": "3"},
    {"index": 3, "name": "Gi1/0/3", "descr": "GigabitEthernet1/0/3", "alias": None},
]


@pytest.mark.parametrize(
    ("uplink_port", "index"),
    [
        ("Gi1/0/1", 1),
        ("gi1/0/1", 1),
        ("GigabitEthernet1/0/2", 2),
        ("CAM-MARKT-1", 1),
        ("1", 1),
        # A label wins over an ifIndex: port 2 is labelled "3".
        ("3", 2),
        ("Gi1/0/9", None),
        ("9", None),
        ("", None),
        ("  ", None),
    ],
)
def test_match_port_by_name_descr_alias_then_index(uplink_port: str, index: int | None) -> None:
    found = rules.match_port(uplink_port, PORTS)
    assert (found["index"] if found else None) == index


@pytest.mark.parametrize(
    ("port", "seen_delivering", "bad"),
    [
        ({"poe_enabled": True, "poe_status": "delivering"}, True, False),
        ({"poe_enabled": True, "poe_status": "searching"}, True, False),
        ({"poe_enabled": False, "poe_status": "disabled"}, True, True),
        ({"poe_enabled": True, "poe_status": "fault"}, True, True),
        ({"poe_enabled": True, "poe_status": "other_fault"}, True, True),
        ({"poe_enabled": False, "poe_status": "disabled"}, False, None),  # never powered anything: not watched
        ({"poe_enabled": None, "poe_status": None}, True, None),  # no PoE table
    ],
)
def test_poe_off(port: dict[str, Any], seen_delivering: bool, bad: bool | None) -> None:
    assert rules.poe_off(port, seen_delivering) is bad


@pytest.mark.parametrize(("oper_up", "bad"), [(True, False), (False, True), (None, None)])
def test_port_down(oper_up: bool | None, bad: bool | None) -> None:
    assert rules.port_down({"oper_up": oper_up}) is bad


@pytest.mark.parametrize(
    ("before", "now", "grew"), [(5, 9, 4), (9, 9, 0), (9, 2, None), (None, 2, None), (3, None, None)]
)
def test_counter_delta(before: int | None, now: int | None, grew: int | None) -> None:
    assert rules.delta(before, now) == grew


@pytest.mark.parametrize(
    ("ups", "on_battery", "low"),
    [
        (None, None, None),
        ({"on_battery": False, "battery_status": "normal"}, False, False),
        ({"on_battery": True, "battery_status": "low"}, True, True),
        ({"on_battery": True, "battery_status": "depleted"}, True, True),
        ({"on_battery": None, "battery_status": "unknown"}, None, None),
    ],
)
def test_ups(ups: dict[str, Any] | None, on_battery: bool | None, low: bool | None) -> None:
    assert (rules.on_battery(ups), rules.battery_low(ups)) == (on_battery, low)
