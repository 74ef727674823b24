"""One evaluation's view of its cameras' open faults and the soft/hard states of their reported values, each
loaded in one query, opened, closed and written for the whole batch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from fleet.cameras.models import Camera
from fleet.db import Base, chunks
from fleet.faults.models import ConditionState, Fault, FaultKind
from fleet.faults.service import FaultChanges, add_fault, end_fault
from fleet.network import service as network

# An open fault's place: (camera, kind, port); the port is None for a fault of the whole device.
FaultKey = tuple[int, FaultKind, str | None]
# A condition state's key: (camera, condition, port); the port is "" for the whole device.
ConditionKey = tuple[int, FaultKind, str]
_CONDITION_STATE = ("hard_ok", "hard_since", "streak", "streak_ok", "streak_started_at")


@dataclass(slots=True)
class _ConditionRow:
    """The soft/hard state of a reported value as its ``condition_states`` row holds it (``loaded``: the state as
    read, None for a row not written yet): read and written for the whole batch in a statement or so."""

    hard_ok: bool | None = None
    hard_since: datetime | None = None
    streak: int = 0
    streak_ok: bool | None = None
    streak_started_at: datetime | None = None
    loaded: tuple[Any, ...] | None = field(default=None, kw_only=True)

    def state(self) -> tuple[Any, ...]:
        """The state's columns, in ``_CONDITION_STATE`` order."""
        return (self.hard_ok, self.hard_since, self.streak, self.streak_ok, self.streak_started_at)

    def values(self) -> dict[str, Any]:
        """The state's columns by name."""
        return dict(zip(_CONDITION_STATE, self.state(), strict=True))


class Batch:
    """One evaluation's view of the open faults and condition states of its cameras, each loaded in one query."""

    def __init__(
        self,
        session: AsyncSession,
        changes: FaultChanges,
        open_faults: dict[FaultKey, Fault],
        conditions: dict[ConditionKey, _ConditionRow],
    ) -> None:
        self.session = session
        self.changes = changes
        self.open_faults = open_faults
        self.conditions = conditions
        # The open port faults of each network device (kind and port), in the order open_faults holds them.
        self._ports: dict[int, dict[tuple[FaultKind, str | None], None]] = defaultdict(dict)
        for camera_id, kind, port in open_faults:
            if kind in network.PORT_KINDS:
                self._ports[camera_id][(kind, port)] = None

    @classmethod
    async def load(cls, session: AsyncSession, changes: FaultChanges, camera_ids: Sequence[int]) -> Batch:
        """Everything the rules need about these cameras."""
        ids = sorted(camera_ids)
        open_faults = {
            (f.camera_id, f.kind, f.port): f
            for f in await session.scalars(select(Fault).where(Fault.camera_id.in_(ids), Fault.closed_at.is_(None)))
            if f.camera_id is not None
        }
        columns = [getattr(ConditionState, name) for name in _CONDITION_STATE]
        conditions: dict[ConditionKey, _ConditionRow] = {}
        for chunk in chunks(ids):
            query = select(ConditionState.camera_id, ConditionState.condition, ConditionState.port, *columns)
            for row in await session.execute(query.where(ConditionState.camera_id.in_(chunk))):
                state = tuple(row[3:])
                conditions[(row.camera_id, row.condition, row.port)] = _ConditionRow(*state, loaded=state)
        return cls(session, changes, open_faults, conditions)

    def is_open(self, camera_id: int, kind: FaultKind, port: str | None = None) -> bool:
        """Whether the camera has an open fault of that kind (on that port)."""
        return (camera_id, kind, port) in self.open_faults

    def open_ports(self, camera_id: int) -> list[tuple[FaultKind, str | None]]:
        """The network device's open port faults: kind and port."""
        return list(self._ports.get(camera_id, ()))

    async def open(
        self,
        camera: Camera,
        kind: FaultKind,
        *,
        at: datetime,
        summary: str,
        details: dict[str, Any] | None = None,
        port: str | None = None,
    ) -> Fault:
        """The open fault of that kind (on that port), opened now if there is none (this batch's open faults of its
        cameras were loaded at its start, so no query asks again; the new ones are written together when the batch
        flushes)."""
        fault = self.open_faults.get((camera.id, kind, port))
        if fault is None:
            fault = add_fault(
                self.session, self.changes, camera_id=camera.id, kind=kind, at=at, summary=summary, details=details,
                port=port,
            )  # fmt: skip
            self.open_faults[(camera.id, kind, port)] = fault
            if kind in network.PORT_KINDS:
                self._ports[camera.id][(kind, port)] = None
        return fault

    async def close(self, camera_id: int, kind: FaultKind, at: datetime, port: str | None = None) -> None:
        """Close the camera's open fault of that kind (on that port), if it has one (written when the batch
        flushes)."""
        fault = self.open_faults.pop((camera_id, kind, port), None)
        if fault is not None:
            self._ports.get(camera_id, {}).pop((kind, port), None)
            end_fault(self.changes, fault, at)

    def condition(self, camera_id: int, kind: FaultKind, port: str | None = None) -> _ConditionRow:
        """The soft/hard state of a reported value (of a port), created at its first observation."""
        key = (camera_id, kind, port or "")
        state = self.conditions.get(key)
        if state is None:
            state = self.conditions[key] = _ConditionRow()
        return state

    async def write_conditions(self) -> None:
        """Write the condition states observed for the first time and those that changed: an executemany each."""
        new: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        for (camera_id, kind, port), state in sorted(self.conditions.items()):
            if state.loaded is None:
                new.append({"camera_id": camera_id, "condition": kind, "port": port, **state.values()})
            elif state.state() != state.loaded:
                changed.append({"key_camera_id": camera_id, "key_condition": kind, "key_port": port, **state.values()})
        table = Base.metadata.tables[ConditionState.__tablename__]
        if new:
            await self.session.execute(insert(table), new)
        if changed:
            statement = (
                update(table)
                .where(
                    table.c.camera_id == bindparam("key_camera_id"),
                    table.c.condition == bindparam("key_condition"),
                    table.c.port == bindparam("key_port"),
                )
                .values({name: bindparam(name) for name in _CONDITION_STATE})
            )
            await self.session.execute(statement, changed)
