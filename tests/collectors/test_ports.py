"""IF-MIB, POWER-ETHERNET-MIB and UPS-MIB values read into ports and a battery: wrong types are unknown, not errors."""

from __future__ import annotations

from collectors.ber import COUNTER32, GAUGE32, INTEGER, OBJECT_IDENTIFIER, OCTET_STRING, Value
from collectors.ports import (
    IF_ALIAS,
    IF_DESCR,
    IF_HIGH_SPEED,
    IF_IN_ERRORS,
    IF_NAME,
    IF_OPER,
    IF_SPEED,
    PETH_ADMIN,
    PETH_DETECTION,
    UPS_BATTERY_STATUS,
    UPS_CHARGE,
    UPS_OUTPUT_SOURCE,
    ports_of,
    ups_of,
)


def test_ports_from_the_walked_columns() -> None:
    tables = {
        IF_DESCR: [
            (f"{IF_DESCR}.1", Value(OCTET_STRING, b"GigabitEthernet1/0/1")),
            (f"{IF_DESCR}.2", Value(OCTET_STRING, b"x")),
        ],
        IF_NAME: [(f"{IF_NAME}.1", Value(OCTET_STRING, b"Gi1/0/1\x00"))],
        IF_ALIAS: [(f"{IF_ALIAS}.1", Value(OCTET_STRING, b""))],
        IF_OPER: [(f"{IF_OPER}.1", Value(INTEGER, 1)), (f"{IF_OPER}.2", Value(OCTET_STRING, b"up"))],
        IF_SPEED: [(f"{IF_SPEED}.2", Value(GAUGE32, 100_000_000))],
        IF_HIGH_SPEED: [(f"{IF_HIGH_SPEED}.1", Value(GAUGE32, 1000))],
        IF_IN_ERRORS: [
            (f"{IF_IN_ERRORS}.1", Value(COUNTER32, 7)),
            (f"{IF_IN_ERRORS}.2", Value(OBJECT_IDENTIFIER, "1.3")),
        ],
        PETH_ADMIN: [(f"{PETH_ADMIN}.1.1", Value(INTEGER, 2)), (f"{PETH_ADMIN}.1", Value(INTEGER, 1))],
        PETH_DETECTION: [(f"{PETH_DETECTION}.1.1", Value(INTEGER, 1)), (f"{PETH_DETECTION}.1.2", Value(INTEGER, 99))],
    }
    first, second = ports_of(tables)
    assert (first.index, first.name, first.descr, first.alias) == (1, "Gi1/0/1", "GigabitEthernet1/0/1", None)
    assert (first.oper_up, first.speed_mbps, first.in_errors) == (True, 1000, 7)
    assert (first.poe_enabled, first.poe_status) == (False, "disabled")
    # A status that is not an INTEGER, a counter that is an OID, an unknown PoE state: unknown, the rest still read.
    assert (second.oper_up, second.in_errors, second.speed_mbps, second.poe_status) == (None, None, 100, None)


def test_ups_battery() -> None:
    assert ups_of({}) is None
    battery = ups_of(
        {UPS_OUTPUT_SOURCE: Value(INTEGER, 5), UPS_BATTERY_STATUS: Value(INTEGER, 3), UPS_CHARGE: Value(INTEGER, 20)}
    )
    assert battery is not None
    assert (battery.on_battery, battery.battery_status, battery.charge_percent, battery.minutes_remaining) == (
        True,
        "low",
        20,
        None,
    )
