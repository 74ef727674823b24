"""Network devices' ports and batteries: storing what the SNMP check read, and the conditions that follow.

A registered device's `uplink_port` names the port it hangs on (`rules.match_port`: ifName, ifDescr, ifAlias or
ifIndex). Only such ports are watched: a switch's 40 unused ports never make a fault. A port fault is recorded on
the network device with the port written as the registry's `uplink_port` of the device behind it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import Camera, DeviceType, Lifecycle
from fleet.cameras.schemas import NetworkDeviceOut
from fleet.db import chunks
from fleet.faults.models import FaultKind
from fleet.health.rows import forget
from fleet.network import rules
from fleet.network.models import NetworkPort, UpsBattery
from fleet.network.schemas import NetworkDeviceDetail, NetworkPortOut, UpsBatteryOut

PORT_KINDS = (FaultKind.PORT_DOWN, FaultKind.POE_OFF)


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition of a network device to count as a check (see fleet.faults.evaluate)."""

    kind: FaultKind
    port: str | None
    bad: bool | None
    summary: str
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Reading:
    """One network device's successful SNMP check: what it read, and when."""

    device: Camera
    values: Mapping[str, Any]
    at: datetime


# The columns of a port and of a battery that each read writes.
_PORT_COLUMNS = (
    "name", "descr", "alias", "admin_up", "oper_up", "speed_mbps", "in_errors", "out_errors", "in_errors_delta",
    "out_errors_delta", "poe_enabled", "poe_status", "poe_seen_delivering", "changed_at", "seen_at",
)  # fmt: skip
_BATTERY_COLUMNS = ("on_battery", "battery_status", "minutes_remaining", "charge_percent", "seconds_on_battery")


@dataclass
class _Stored:
    """What a batch's devices had stored (ports by ifIndex, batteries) and the in-service devices behind each (name
    and uplink port, by name), as plain rows read in a query each for the whole batch and written back in an
    executemany each (new, changed, gone)."""

    ports: dict[int, dict[int, dict[str, Any]]]
    batteries: dict[int, dict[str, Any]]
    behind: dict[int, list[tuple[str, str | None]]]

    @classmethod
    async def load(cls, session: AsyncSession, readings: Sequence[Reading]) -> _Stored:
        ids = {r.device.id for r in readings}
        stored = cls({i: {} for i in ids}, {}, {i: [] for i in ids})
        port_columns = [NetworkPort.id, NetworkPort.device_id, NetworkPort.if_index]
        port_columns += [getattr(NetworkPort, name) for name in _PORT_COLUMNS]
        for chunk in chunks(ids):
            for port in await session.execute(select(*port_columns).where(NetworkPort.device_id.in_(chunk))):
                stored.ports[port.device_id][port.if_index] = dict(port._mapping)
            named = await session.execute(
                select(Camera.uplink_id, Camera.name, Camera.uplink_port)
                .where(
                    Camera.uplink_id.in_(chunk),
                    Camera.uplink_port.is_not(None),
                    Camera.lifecycle == Lifecycle.IN_SERVICE,
                )
                .order_by(Camera.name)
            )
            for uplink_id, name, uplink_port in named:
                if uplink_id is not None:  # always, by the query: for the type checker
                    stored.behind[uplink_id].append((name, uplink_port))
        battery_columns = [UpsBattery.device_id, *(getattr(UpsBattery, name) for name in _BATTERY_COLUMNS)]
        for chunk in chunks({r.device.id for r in readings if isinstance(r.values.get("ups"), Mapping)}):
            for battery in await session.execute(select(*battery_columns).where(UpsBattery.device_id.in_(chunk))):
                stored.batteries[battery.device_id] = {**battery._mapping, "new": False}
        return stored

    async def write(self, session: AsyncSession, gone: Sequence[int]) -> None:
        """Write the ports and batteries as read (``gone``: the ids of ports no longer on their device)."""
        ports = [row for rows in self.ports.values() for row in rows.values()]
        if gone:
            await session.execute(delete(NetworkPort).where(NetworkPort.id.in_(sorted(gone))))
        if new := [{k: v for k, v in row.items() if k != "id"} for row in ports if row["id"] is None]:
            await session.execute(insert(NetworkPort), new)
        if read := [{"id": row["id"], **{c: row[c] for c in _PORT_COLUMNS}} for row in ports if row["id"]]:
            await session.execute(update(NetworkPort), read)
        batteries = list(self.batteries.values())
        if new := [{k: v for k, v in row.items() if k != "new"} for row in batteries if row["new"]]:
            await session.execute(insert(UpsBattery), new)
        if read := [{k: v for k, v in row.items() if k != "new"} for row in batteries if not row["new"]]:
            await session.execute(update(UpsBattery), read)
        forget(session, NetworkPort, [(row["id"],) for row in ports if row["id"]] + [(i,) for i in gone])
        forget(session, UpsBattery, [(row["device_id"],) for row in batteries])


async def observe(session: AsyncSession, readings: Sequence[Reading]) -> list[list[Condition]]:
    """Store the ports and batteries read, in the readings' order; return each reading's conditions (of its watched
    ports and of a UPS). What the devices had stored is read and written in a few statements for the whole batch."""
    stored = await _Stored.load(session, readings)
    gone: list[int] = []
    conditions = [_observe(stored, gone, r.device, r.values, r.at) for r in readings]
    await stored.write(session, gone)
    return conditions


def _observe(
    stored: _Stored, gone: list[int], device: Camera, values: Mapping[str, Any], at: datetime
) -> list[Condition]:
    ports: list[Mapping[str, Any]] = [p for p in values.get("ports") or () if isinstance(p, Mapping)]
    rows = _store_ports(stored.ports[device.id], gone, device.id, ports, at)
    conditions = _port_conditions(device, ports, rows, stored.behind[device.id])
    ups = values.get("ups")
    if isinstance(ups, Mapping):
        _store_ups(stored.batteries, device.id, ups, at)
    if device.device_type is DeviceType.UPS or isinstance(ups, Mapping):
        battery = ups if isinstance(ups, Mapping) else None
        minutes = battery.get("minutes_remaining") if battery else None
        details = {"charge_percent": battery.get("charge_percent") if battery else None, "minutes_remaining": minutes}
        conditions += [
            Condition(
                FaultKind.UPS_ON_BATTERY, None, rules.on_battery(battery),
                f"{device.name}: running on battery ({minutes} minutes left)", details,
            ),
            Condition(
                FaultKind.UPS_BATTERY_LOW, None, rules.battery_low(battery),
                f"{device.name}: battery {battery.get('battery_status') if battery else None}", details,
            ),
        ]  # fmt: skip
    return conditions


def _store_ports(
    rows: dict[int, dict[str, Any]], gone: list[int], device_id: int, ports: Sequence[Mapping[str, Any]], at: datetime
) -> dict[int, dict[str, Any]]:
    """Update a device's stored ports (by ifIndex, changed in place) with the ports read; the ids of the ones gone
    from the device go to ``gone``."""
    for port in ports:
        index = port.get("index")
        if not isinstance(index, int):
            continue
        row = rows.get(index)
        if row is None:
            row = rows[index] = dict.fromkeys(_PORT_COLUMNS, None)
            row |= {"id": None, "device_id": device_id, "if_index": index, "poe_seen_delivering": False}
        if row["oper_up"] is not None and row["oper_up"] != port.get("oper_up"):
            row["changed_at"] = at
        row["in_errors_delta"] = rules.delta(row["in_errors"], port.get("in_errors"))
        row["out_errors_delta"] = rules.delta(row["out_errors"], port.get("out_errors"))
        for column in ("name", "descr", "alias", "admin_up", "oper_up", "speed_mbps", "in_errors", "out_errors"):
            row[column] = port.get(column)
        row["poe_enabled"], row["poe_status"] = port.get("poe_enabled"), port.get("poe_status")
        row["poe_seen_delivering"] = bool(row["poe_seen_delivering"]) or port.get("poe_status") == "delivering"
        row["seen_at"] = at
    # Interfaces gone from the device (a line card pulled, a stack member gone) are forgotten.
    seen = {port.get("index") for port in ports}
    for index, row in list(rows.items()):
        if index not in seen:
            if row["id"] is not None:
                gone.append(row["id"])
            del rows[index]
    return rows


def _port_conditions(
    device: Camera,
    ports: Sequence[Mapping[str, Any]],
    rows: Mapping[int, Mapping[str, Any]],
    behind: Sequence[tuple[str, str | None]],
) -> list[Condition]:
    # One physical port may be named by several devices (or twice, differently): the first name by device wins.
    watched: dict[int, tuple[str, list[str]]] = {}
    names: dict[int, Mapping[str, Any]] = {}
    for name, uplink_port in behind:
        port = rules.match_port(uplink_port or "", ports)
        if port is None:
            continue
        label, devices = watched.setdefault(port["index"], (uplink_port or "", []))
        devices.append(name)
        names[port["index"]] = port
    conditions: list[Condition] = []
    for index, (label, devices) in watched.items():
        port = names[index]
        row = rows.get(index)
        details = {"port": label, "if_index": index, "if_name": port.get("name"), "devices": devices}
        who = ", ".join(devices)
        conditions.append(
            Condition(
                FaultKind.PORT_DOWN,
                label,
                rules.port_down(port),
                f"{device.name} port {label}: link down ({who})",
                details,
            )
        )
        seen_delivering = bool(row is not None and row["poe_seen_delivering"])
        conditions.append(
            Condition(
                FaultKind.POE_OFF, label, rules.poe_off(port, seen_delivering),
                f"{device.name} port {label}: no PoE power ({who})", details,
            )
        )  # fmt: skip
    return conditions


def _store_ups(batteries: dict[int, dict[str, Any]], device_id: int, ups: Mapping[str, Any], at: datetime) -> None:
    row = batteries.setdefault(device_id, {"device_id": device_id, "new": True})
    row.update({column: ups.get(column) for column in _BATTERY_COLUMNS}, seen_at=at)


async def ports_of(session: AsyncSession, device_id: int) -> tuple[list[NetworkPort], dict[int, list[str]]]:
    """A network device's ports as last read, by ifIndex, and the registered devices behind each (by name)."""
    ports = list(
        await session.scalars(
            select(NetworkPort).where(NetworkPort.device_id == device_id).order_by(NetworkPort.if_index)
        )
    )
    behind: dict[int, list[str]] = defaultdict(list)
    listed = [{"index": p.if_index, "name": p.name, "descr": p.descr, "alias": p.alias} for p in ports]
    rows = await session.execute(
        select(Camera.name, Camera.uplink_port).where(Camera.uplink_id == device_id, Camera.uplink_port.is_not(None))
    )
    for name, uplink_port in rows:
        port = rules.match_port(uplink_port or "", listed)
        if port is not None:
            behind[port["index"]].append(name)
    return ports, {index: sorted(names) for index, names in behind.items()}


async def battery_of(session: AsyncSession, device_id: int) -> UpsBattery | None:
    """A UPS's battery as last read (None: never read, or no UPS-MIB)."""
    return await session.get(UpsBattery, device_id)


async def detail(session: AsyncSession, device: NetworkDeviceOut) -> NetworkDeviceDetail:
    """A network device with its ports (and the devices behind each) and its battery."""
    ports, behind = await ports_of(session, device.id)
    battery = await battery_of(session, device.id)
    return NetworkDeviceDetail(
        **device.model_dump(),
        ports=[NetworkPortOut.of(port, behind.get(port.if_index, [])) for port in ports],
        ups=UpsBatteryOut.of(battery) if battery is not None else None,
    )


async def behind_port(session: AsyncSession, device_id: int, if_index: int) -> list[int]:
    """The registered devices behind a network device's port (named by its ifIndex), and every device behind those
    in turn: the port's names come from its last read (ifName, ifDescr, ifAlias), else the ifIndex alone."""
    row = await session.scalar(
        select(NetworkPort).where(NetworkPort.device_id == device_id, NetworkPort.if_index == if_index)
    )
    port = {"index": if_index, "name": row.name, "descr": row.descr, "alias": row.alias} if row else {"index": if_index}
    named = await session.execute(
        select(Camera.id, Camera.uplink_port).where(Camera.uplink_id == device_id, Camera.uplink_port.is_not(None))
    )
    found = [camera_id for camera_id, uplink_port in named if rules.match_port(uplink_port or "", [port])]
    level = found
    while level:
        level = list(await session.scalars(select(Camera.id).where(Camera.uplink_id.in_(level))))
        level = [camera_id for camera_id in level if camera_id not in found]
        found += level
    return found
