"""Which network device a device hangs on: the uplink columns resolved against the registry, kept a tree."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras import references
from fleet.cameras.models import NETWORK_DEVICE_TYPES, Camera
from fleet.errors import ImportRejected, InvalidInput, Problem

_Row = TypeVar("_Row")
# A tree deeper than this is a loop the registry did not see, never a real network.
MAX_DEPTH = 64


def _unknown(name: str) -> str:
    return f"no network device named {name!r} (import it with `camfleet network-devices import`)"


async def resolve(session: AsyncSession, device: Camera | None, name: str | None, port: str | None) -> dict[str, Any]:
    """The device columns for an uplink's name and port; InvalidInput for an unknown name or a loop.

    ``device``: the device being changed (None when it is new, which no other device can hang on yet).
    """
    if name is None:
        if port is not None:
            raise InvalidInput("uplink_port", "a port needs its uplink_device")
        return {"uplink_id": None, "uplink_port": None}
    found = await session.scalar(
        select(Camera.id).where(Camera.name == name, Camera.device_type.in_(NETWORK_DEVICE_TYPES))
    )
    if found is None:
        raise InvalidInput("uplink_device", _unknown(name))
    if device is not None:
        await _refuse_loop(session, device, found)
    return {"uplink_id": found, "uplink_port": port}


async def _refuse_loop(session: AsyncSession, device: Camera, uplink_id: int) -> None:
    # Walk up from the new uplink; meeting the device itself would make it its own uplink.
    seen: list[str] = []
    current: int | None = uplink_id
    for _ in range(MAX_DEPTH):
        if current is None:
            return
        if current == device.id:
            path = " → ".join([device.name, *seen, device.name])
            raise InvalidInput("uplink_device", f"would make a loop: {path}")
        row = (await session.execute(select(Camera.name, Camera.uplink_id).where(Camera.id == current))).one()
        seen.append(row.name)
        current = row.uplink_id
    raise InvalidInput("uplink_device", f"the uplinks above it are more than {MAX_DEPTH} deep")


async def check_names(
    session: AsyncSession, named: Sequence[tuple[int, str, str | None]], *, network_devices: bool
) -> None:
    """ImportRejected naming every (line, device, uplink) whose uplink is not a registered network device (nor, in
    a file of ``network_devices``, one of the same file), or whose uplinks in the file go round in a loop; nothing
    is written."""
    in_file = {name for _, name, _ in named} if network_devices else set()
    wanted = [(line, uplink) for line, _, uplink in named if uplink is not None and uplink not in in_file]
    problems = await references.unregistered(
        session, wanted, NETWORK_DEVICE_TYPES, column="uplink_device", unknown=_unknown
    )
    if network_devices:
        problems.extend(_loops(named))
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.line))


def _loops(named: Sequence[tuple[int, str, str | None]]) -> list[Problem]:
    # Within one file: follow each row's uplinks through the file's own rows.
    up = {name: uplink for _, name, uplink in named}
    problems = []
    for line, name, _ in named:
        path = [name]
        current = up.get(name)
        while current is not None and current in up and current not in path:
            path.append(current)
            current = up[current]
        if current == name:
            loop = " → ".join([*path, name])
            problems.append(Problem(line, "uplink_device", f"the uplinks go round in a loop: {loop}"))
    return problems


def order_parents_first(named: Sequence[tuple[str, str | None, _Row]]) -> list[_Row]:
    """The rows of one file in an order where a device's uplink in the same file comes before it (no loops)."""
    by_name = {name: (uplink, row) for name, uplink, row in named}
    placed: set[str] = set()
    ordered: list[_Row] = []

    def place(name: str) -> None:
        stack = []
        current: str | None = name
        while current is not None and current in by_name and current not in placed and current not in stack:
            stack.append(current)
            current = by_name[current][0]
        for each in reversed(stack):
            placed.add(each)
            ordered.append(by_name[each][1])

    for name, _, _ in named:
        place(name)
    return ordered


def name_of(device: Camera) -> str | None:
    """The uplink column: the name of the network device it hangs on, or None."""
    return device.uplink.name if device.uplink_id is not None and device.uplink is not None else None


async def ensure_nothing_behind(session: AsyncSession, device: Camera) -> None:
    """Conflict when devices still hang on this one: their place in the network would be lost."""
    await references.refuse_while_named(
        session,
        Camera.uplink_id,
        device,
        lambda shown: f"{shown} still hang on {device.name}; change their uplink_device first",
    )
