"""Devices that other devices name in a column of their own: the recorder that keeps a camera's footage
(``recorder_id``), the network device a device hangs on (``uplink_id``). Names checked against the registry, the
devices naming each counted, and a delete refused while any still names it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from fleet.cameras.models import Camera, DeviceType
from fleet.db import chunks
from fleet.errors import Conflict, Problem

# A refused delete names this many of the devices that still name the device.
NAMES_SHOWN = 5


async def unregistered(
    session: AsyncSession,
    named: Sequence[tuple[int, str]],
    types: Collection[DeviceType],
    *,
    column: str,
    unknown: Callable[[str], str],
) -> list[Problem]:
    """A problem for every (line, name) that no registered device of these types has, in the order given."""
    known = await _registered(session, (name for _line, name in named), types)
    return [Problem(line, column, unknown(name)) for line, name in named if name not in known]


async def _registered(session: AsyncSession, names: Iterable[str], types: Collection[DeviceType]) -> set[str]:
    known: set[str] = set()
    for chunk in chunks(names):
        query = select(Camera.name).where(Camera.name.in_(chunk), Camera.device_type.in_(types))
        known.update(await session.scalars(query))
    return known


async def counts(
    session: AsyncSession, column: InstrumentedAttribute[int | None], ids: Iterable[int]
) -> dict[int, int]:
    """How many devices name each of these devices in ``column`` (``Camera.recorder_id``, ``Camera.uplink_id``)."""
    found: dict[int, int] = {}
    for chunk in chunks(ids):
        query = select(column, func.count(Camera.id)).where(column.in_(chunk)).group_by(column)
        found.update({int(i): int(n) for i, n in await session.execute(query) if i is not None})
    return found


async def refuse_while_named(
    session: AsyncSession,
    column: InstrumentedAttribute[int | None],
    device: Camera,
    refusal: Callable[[str], str],
) -> None:
    """Conflict, in ``refusal``'s words about the first few names, while devices name this one in ``column``."""
    query = select(Camera.name).where(column == device.id).order_by(Camera.name).limit(NAMES_SHOWN + 1)
    names = (await session.scalars(query)).all()
    if names:
        raise Conflict(refusal(", ".join(names[:NAMES_SHOWN]) + (", …" if len(names) > NAMES_SHOWN else "")))
