"""A network device's ports from IF-MIB (RFC 2863), their PoE from POWER-ETHERNET-MIB (RFC 3621), and a UPS's
battery from UPS-MIB (RFC 1628): the tables walked, the scalars read, every value checked for its type.

PoE ports are indexed (pethPsePortGroupIndex, pethPsePortIndex) with no standard link to ifIndex; as on single-unit
switches (and as LibreNMS and most managers assume), pethPsePortIndex is taken as the port's ifIndex. A stack whose
units number their PoE ports per group would be mapped wrongly: such a device's PoE is read from group 1 only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from collectors.base import PortSeen, UpsSeen
from collectors.ber import COUNTER32, COUNTER64, GAUGE32, OCTET_STRING, Value, integer, printable
from collectors.snmp_walk import column

_IF_ENTRY = "1.3.6.1.2.1.2.2.1"
_IFX_ENTRY = "1.3.6.1.2.1.31.1.1.1"
_PETH_PORT_ENTRY = "1.3.6.1.2.1.105.1.1.1"
IF_DESCR, IF_SPEED, IF_ADMIN, IF_OPER, IF_IN_ERRORS, IF_OUT_ERRORS = (
    f"{_IF_ENTRY}.{arc}" for arc in (2, 5, 7, 8, 14, 20)
)
IF_NAME, IF_HIGH_SPEED, IF_ALIAS = (f"{_IFX_ENTRY}.{arc}" for arc in (1, 15, 18))
PETH_ADMIN, PETH_DETECTION = f"{_PETH_PORT_ENTRY}.3", f"{_PETH_PORT_ENTRY}.6"
# The columns walked together, one cursor each.
ROOTS = (IF_DESCR, IF_SPEED, IF_ADMIN, IF_OPER, IF_IN_ERRORS, IF_OUT_ERRORS, IF_NAME, IF_HIGH_SPEED, IF_ALIAS)
POE_ROOTS = (PETH_ADMIN, PETH_DETECTION)
# A chassis with many line cards has a few hundred interfaces; more than this is an agent to stop listening to.
MAX_PORTS = 1024

_UPS = "1.3.6.1.2.1.33.1"
UPS_BATTERY_STATUS, UPS_SECONDS_ON_BATTERY, UPS_MINUTES, UPS_CHARGE = (f"{_UPS}.2.{c}.0" for c in (1, 2, 3, 4))
UPS_OUTPUT_SOURCE = f"{_UPS}.4.1.0"
UPS_OIDS = (UPS_BATTERY_STATUS, UPS_SECONDS_ON_BATTERY, UPS_MINUTES, UPS_CHARGE, UPS_OUTPUT_SOURCE)

_POE_STATUS = {1: "disabled", 2: "searching", 3: "delivering", 4: "fault", 5: "test", 6: "other_fault"}
_BATTERY_STATUS = {1: "unknown", 2: "normal", 3: "low", 4: "depleted"}
_ON_BATTERY = 5  # upsOutputSource battery(5)
_MAX_TEXT = 255


def _text(value: Value | None) -> str | None:
    return printable(value.value, _MAX_TEXT) if value is not None and value.tag == OCTET_STRING else None


def _status(value: Value | None) -> bool | None:
    number = integer(value)
    return None if number is None else number == 1  # up(1) / true(1); everything else is not


def _arcs(values: Mapping[tuple[int, ...], Value], arcs: int) -> dict[tuple[int, ...], Value]:
    # A table's index has this many numbers; a row with another is not of the table.
    return {index: value for index, value in values.items() if len(index) == arcs}


def ports_of(tables: Mapping[str, Sequence[tuple[str, Value]]]) -> tuple[PortSeen, ...]:
    """Every interface the walked IF-MIB and POWER-ETHERNET-MIB columns name, by ifIndex."""
    columns = {root: _arcs(column(tables.get(root, ()), root), 1) for root in ROOTS}
    poe = {root: _arcs(column(tables.get(root, ()), root), 2) for root in POE_ROOTS}
    indexes = sorted({index for values in columns.values() for index in values})[:MAX_PORTS]
    ports: list[PortSeen] = []
    for (index,) in indexes:
        key = (index,)
        high = integer(columns[IF_HIGH_SPEED].get(key), (GAUGE32,))
        speed = integer(columns[IF_SPEED].get(key), (GAUGE32,))
        detection = integer(poe[PETH_DETECTION].get((1, index)))
        ports.append(
            PortSeen(
                index=index,
                name=_text(columns[IF_NAME].get(key)),
                descr=_text(columns[IF_DESCR].get(key)),
                alias=_text(columns[IF_ALIAS].get(key)),
                admin_up=_status(columns[IF_ADMIN].get(key)),
                oper_up=_status(columns[IF_OPER].get(key)),
                speed_mbps=high if high else (speed // 1_000_000 if speed is not None else high),
                in_errors=integer(columns[IF_IN_ERRORS].get(key), (COUNTER32, COUNTER64)),
                out_errors=integer(columns[IF_OUT_ERRORS].get(key), (COUNTER32, COUNTER64)),
                poe_enabled=_status(poe[PETH_ADMIN].get((1, index))),
                poe_status=_POE_STATUS.get(detection) if detection is not None else None,
            )
        )
    return tuple(ports)


def ups_of(values: Mapping[str, Value]) -> UpsSeen | None:
    """The UPS's battery from the UPS-MIB scalars read (None: the device has no UPS-MIB)."""
    source = integer(values.get(UPS_OUTPUT_SOURCE))
    status = integer(values.get(UPS_BATTERY_STATUS))
    if source is None and status is None:
        return None
    return UpsSeen(
        on_battery=None if source is None else source == _ON_BATTERY,
        battery_status=_BATTERY_STATUS.get(status) if status is not None else None,
        minutes_remaining=integer(values.get(UPS_MINUTES)),
        charge_percent=integer(values.get(UPS_CHARGE)),
        seconds_on_battery=integer(values.get(UPS_SECONDS_ON_BATTERY)),
    )
