"""The values a camera's SNMP agent serves: MIB-II system and ifTable, plus vendor subtrees."""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from datetime import UTC, datetime

from pyasn1.type.base import Asn1Item
from pysnmp.proto import rfc1902

from simulator.device import Device

Oid = tuple[int, ...]
Getter = Callable[[], Asn1Item]

_MIB2 = (1, 3, 6, 1, 2, 1)
_IF_ENTRY = (*_MIB2, 2, 2, 1)
_STREAM_BYTES_PER_S = 500_000  # one 4 Mbit/s main stream leaving the camera


class MibView:
    """A sorted, read-only set of OIDs whose values are computed when asked."""

    def __init__(self, getters: dict[Oid, Getter]) -> None:
        self._getters = getters
        self._oids = sorted(getters)

    def get(self, oid: Oid) -> Asn1Item | None:
        """The value at exactly `oid`."""
        getter = self._getters.get(oid)
        return getter() if getter else None

    def next(self, oid: Oid) -> tuple[Oid, Asn1Item] | None:
        """The first OID after `oid` and its value (None past the end)."""
        index = bisect.bisect_right(self._oids, oid)
        if index == len(self._oids):
            return None
        found = self._oids[index]
        return found, self._getters[found]()

    def __len__(self) -> int:
        return len(self._oids)


def _text(value: Callable[[], str]) -> Getter:
    return lambda: rfc1902.OctetString(value().encode())


def _counter(value: Callable[[], float]) -> Getter:
    return lambda: rfc1902.Counter32(int(value()) % 2**32)


def _system(device: Device) -> dict[Oid, Getter]:
    sys_object_id = device.profile.sys_object_id
    if sys_object_id is None:
        return {}
    state, spec = device.state, device.spec
    return {
        (*_MIB2, 1, 1, 0): _text(lambda: device.profile.sys_descr(device.reported)),
        (*_MIB2, 1, 2, 0): lambda: rfc1902.ObjectIdentifier(sys_object_id),
        (*_MIB2, 1, 3, 0): lambda: rfc1902.TimeTicks(int(state.uptime_s() * 100) % 2**32),
        (*_MIB2, 1, 4, 0): _text(lambda: ""),
        (*_MIB2, 1, 5, 0): _text(lambda: spec.name),
        (*_MIB2, 1, 6, 0): _text(lambda: spec.location),
        (*_MIB2, 1, 7, 0): _integer(72),
    }


def _integer(value: int) -> Getter:
    return lambda: rfc1902.Integer32(value)


def _octets(value: bytes) -> Getter:
    return lambda: rfc1902.OctetString(value)


def _interfaces(device: Device) -> dict[Oid, Getter]:
    state = device.state
    mac = bytes.fromhex(device.identity.mac.replace(":", ""))

    def traffic(share: float) -> Callable[[], float]:
        return lambda: state.uptime_s() * _STREAM_BYTES_PER_S * share

    loopback: dict[int, Getter] = {
        1: _integer(1),
        2: _octets(b"lo"),
        3: _integer(24),  # softwareLoopback
        4: _integer(65536),
        5: lambda: rfc1902.Gauge32(10_000_000),
        6: _octets(b""),
        10: _counter(traffic(0.0002)),
        14: _counter(lambda: 0),
        16: _counter(traffic(0.0002)),
    }
    ethernet: dict[int, Getter] = {
        1: _integer(2),
        2: _octets(b"eth0"),
        3: _integer(6),  # ethernetCsmacd
        4: _integer(1500),
        5: lambda: rfc1902.Gauge32(100_000_000),
        6: _octets(mac),
        10: _counter(traffic(0.025)),
        14: _counter(lambda: state.if_in_errors),
        16: _counter(traffic(1.0)),
    }
    values: dict[Oid, Getter] = {(*_MIB2, 2, 1, 0): _integer(2)}
    for index, columns in ((1, loopback), (2, ethernet)):
        columns |= {7: _integer(1), 8: _integer(1)}  # ifAdminStatus, ifOperStatus: up
        values.update({(*_IF_ENTRY, column, index): getter for column, getter in columns.items()})
    return values


def _percent(low: int, high: int) -> Getter:
    return lambda: rfc1902.OctetString(f"{random.randint(low, high)} PERCENT".encode())


def _hikvision(device: Device) -> dict[Oid, Getter]:
    # HIK-DEVICE-MIB strings as the snmpsim-data `camera/hikvision` recording serves them.
    base = (1, 3, 6, 1, 4, 1, 39165, 1)
    state, main, sub = device.state, *device.streams

    def codec(stream_codec: str) -> str:
        return "H.264" if stream_codec == "H264" else "H.265"

    return {
        (*base, 1, 0): _text(lambda: device.identity.model),
        (*base, 3, 0): _text(lambda: device.firmware),
        (*base, 4, 0): _text(lambda: device.identity.mac.replace(":", "-")),
        (*base, 6, 0): _text(lambda: "Hikvision"),
        (*base, 7, 0): _percent(18, 60),
        (*base, 8, 0): _text(lambda: "0.0 GB" if state.storage_failed else "119.1 GB"),
        (*base, 9, 0): _text(lambda: "0 PERCENT" if state.storage_failed else "37 PERCENT"),
        (*base, 10, 0): _text(lambda: "512 MB"),
        (*base, 11, 0): _percent(60, 80),
        (*base, 19, 0): _text(lambda: datetime.fromtimestamp(state.device_time(), UTC).strftime("%Y-%m-%d %H:%M:%S")),
        (*base, 21, 0): _text(lambda: codec(main.codec)),
        (*base, 22, 0): _text(lambda: codec(sub.codec)),
    }


def _hanwha(device: Device) -> dict[Oid, Getter]:
    # Shaped after the snmpsim-data `camera/samsung-ipolis` recording (product arc 36849.1.2.64).
    base = (1, 3, 6, 1, 4, 1, 36849, 1, 2, 64)
    state = device.state

    def clock() -> str:
        t = datetime.fromtimestamp(state.device_time(), UTC)
        return f"{t.year}-{t.month}-{t.day} {t.hour}:{t.minute:02d}:{t.second:02d}"

    return {
        (*base, 1, 0): _text(lambda: device.identity.model),
        (*base, 2, 1, 1, 0): _text(lambda: device.firmware),
        (*base, 2, 1, 2, 0): _text(clock),
        (*base, 2, 1, 3, 0): _text(lambda: "OK"),
        (*base, 2, 3, 1, 0): _text(lambda: device.identity.mac.upper()),
        (*base, 4, 1, 0): _text(lambda: "Install"),
        (*base, 4, 2, 0): _text(lambda: "Full"),
        (*base, 4, 3, 0): _text(lambda: "Fail" if state.storage_failed else "Normal"),
        (*base, 4, 4, 0): _text(lambda: "Error" if state.storage_failed else "OK"),
    }


def _axis(device: Device) -> dict[Oid, Getter]:
    # AXIS-VIDEO-MIB tempSensorTable, index (type=1 common, id=1): status ok(1)/outOfBoundary(3), value in °C.
    entry = (1, 3, 6, 1, 4, 1, 368, 4, 1, 3, 1)
    state = device.state
    return {
        (*entry, 3, 1, 1): lambda: rfc1902.Integer32(1 if state.temperature_c < 70 else 3),
        (*entry, 4, 1, 1): lambda: rfc1902.Integer32(round(state.temperature_c)),
    }


def _dahua(device: Device) -> dict[Oid, Getter]:
    # DAHUA-SNMP-MIB cpuUsage (.1004849.2.1.3), the object LibreNMS reads.
    return {(1, 3, 6, 1, 4, 1, 1004849, 2, 1, 3, 0): lambda: rfc1902.Integer32(random.randint(10, 45))}


# SYNOLOGY-DISK-MIB diskEntry and SYNOLOGY-RAID-MIB raidEntry (as LibreNMS ships them in mibs/synology/): what a
# Synology recorder serves; here any simulated recorder with sim_disks > 0, whatever its vendor.
_DISK_ENTRY = (1, 3, 6, 1, 4, 1, 6574, 2, 1, 1)
_RAID_ENTRY = (1, 3, 6, 1, 4, 1, 6574, 3, 1, 1)
_DISK_BYTES = 8 * 10**12
# The disk table's stories (DeviceState.disks).
DISK_STORIES = ("normal", "failed", "degraded", "full")


def _disk_table(device: Device) -> dict[Oid, Getter]:
    state, count = device.state, device.spec.sim_disks
    # The story's disk is the second (the first when there is one): diskStatus Crashed(5), diskHealthStatus
    # Failing(4); its volume is then Degrade(11), as a RAID that tolerates one failure is.
    broken = min(1, count - 1)

    def disk_status(index: int) -> Getter:
        return lambda: rfc1902.Integer32(5 if state.disks == "failed" and index == broken else 1)

    def health(index: int) -> Getter:
        return lambda: rfc1902.Integer32(4 if state.disks == "failed" and index == broken else 1)

    def raid_status() -> Asn1Item:
        return rfc1902.Integer32({"failed": 11, "degraded": 11}.get(state.disks, 1))

    total = _DISK_BYTES * max(1, count - 1)
    values: dict[Oid, Getter] = {}
    for index in range(count):
        values |= {
            (*_DISK_ENTRY, 1, index): _integer(index),
            (*_DISK_ENTRY, 2, index): _octets(f"Disk {index + 1}".encode()),
            (*_DISK_ENTRY, 3, index): _octets(b"WD80PURZ-85YNPY0"),
            (*_DISK_ENTRY, 4, index): _octets(b"SATA"),
            (*_DISK_ENTRY, 5, index): disk_status(index),
            (*_DISK_ENTRY, 6, index): _integer(36),
            (*_DISK_ENTRY, 12, index): _octets(f"Drive {index + 1}".encode()),
            (*_DISK_ENTRY, 13, index): health(index),
        }
    return values | {
        (*_RAID_ENTRY, 2, 0): _text(lambda: "Volume 1"),
        (*_RAID_ENTRY, 3, 0): raid_status,
        (*_RAID_ENTRY, 4, 0): lambda: rfc1902.Counter64(total // 100 if state.disks == "full" else total * 2 // 5),
        (*_RAID_ENTRY, 5, 0): lambda: rfc1902.Counter64(total),
    }


_VENDOR_TREES: dict[str, Callable[[Device], dict[Oid, Getter]]] = {
    "hikvision": _hikvision,
    "hanwha": _hanwha,
    "axis": _axis,
    "dahua": _dahua,
}


def build_mib(device: Device) -> MibView:
    """Every OID this camera answers."""
    values = _system(device) | _interfaces(device)
    vendor = _VENDOR_TREES.get(device.profile.key)
    if vendor is not None:
        values |= vendor(device)
    if device.spec.sim_disks:
        values |= _disk_table(device)
    return MibView(values)
