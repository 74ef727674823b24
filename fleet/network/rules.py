"""Pure rules for network ports: which port a registered device's `uplink_port` names, and what is bad on it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# A PoE port that says so: PoE switched off, or a power fault. "searching" (enabled, nothing drawing power) is not:
# a device with its own power supply on a PoE port always shows it.
_POE_BAD = frozenset({"disabled", "fault", "other_fault"})
_BATTERY_LOW = frozenset({"low", "depleted"})


def match_port(uplink_port: str, ports: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The port a registry's `uplink_port` names: by ifName, then ifDescr, then ifAlias (case-insensitive, exact),
    then ifIndex when it is a number; None when no port of the device has it."""
    wanted = uplink_port.strip().casefold()
    if not wanted:
        return None
    for field in ("name", "descr", "alias"):
        for port in ports:
            value = port.get(field)
            if isinstance(value, str) and value.casefold() == wanted:
                return port
    if wanted.isdigit():
        return next((port for port in ports if port.get("index") == int(wanted)), None)
    return None


def port_down(port: Mapping[str, Any]) -> bool | None:
    """Whether the link is down (None: the device did not say)."""
    up = port.get("oper_up")
    return None if up is None else not up


def poe_off(port: Mapping[str, Any], seen_delivering: bool) -> bool | None:
    """Whether a port that once powered its device no longer does (None: no PoE on it, or never seen powering)."""
    status, enabled = port.get("poe_status"), port.get("poe_enabled")
    if not seen_delivering or (status is None and enabled is None):
        return None
    return enabled is False or status in _POE_BAD


def delta(before: int | None, now: int | None) -> int | None:
    """How much a counter grew (None after a wrap, a reset or without a reading before)."""
    if before is None or now is None or now < before:
        return None
    return now - before


def on_battery(ups: Mapping[str, Any] | None) -> bool | None:
    """Whether a UPS runs on its battery."""
    return None if ups is None else ups.get("on_battery")


def battery_low(ups: Mapping[str, Any] | None) -> bool | None:
    """Whether a UPS's battery is low or depleted."""
    if ups is None or ups.get("battery_status") in (None, "unknown"):
        return None
    return ups.get("battery_status") in _BATTERY_LOW
