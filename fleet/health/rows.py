"""Check states and camera columns as plain rows: read and written for a whole batch in set-based statements.

Recording a batch reads every check state and camera it is about in one statement each and writes them back in one
executemany each, instead of building, tracking and flushing an ORM object per row. Objects of those rows that the
caller's session already holds are expired, so they read the new values when next used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.util import identity_key

from config.checks import CheckKind
from fleet.cameras.models import Camera
from fleet.db import Base, chunks
from fleet.health.models import CheckState, ErrorClass

# Ids per statement where a list of them goes into IN (…).
CHUNK = 1000


@dataclass(slots=True)
class StateRow:
    """The columns of one check state that recording reads and writes."""

    camera_id: int
    kind: CheckKind
    lease_owner: str | None
    last_ok: bool | None
    last_error_class: ErrorClass | None
    last_error: str | None
    last_recorded_at: datetime | None
    hard_ok: bool | None
    hard_since: datetime | None
    streak: int
    streak_ok: bool | None
    streak_started_at: datetime | None
    failures_in_a_row: int
    flap_history: str
    flapping: bool
    hurry_runs: int
    # Written, never read: every result recording applies sets them (``_WRITE_ONLY``).
    next_due_at: datetime | None = None
    last_run_at: datetime | None = None
    lease_expires_at: datetime | None = None
    # The columns read, as read (but the key), to write back only the ones that changed.
    loaded: tuple[Any, ...] = field(default=(), repr=False, compare=False, kw_only=True)


_WRITE_ONLY = ("next_due_at", "last_run_at", "lease_expires_at")
_STATE_READ = tuple(f.name for f in fields(StateRow) if f.name not in ("loaded", *_WRITE_ONLY))
_STATE_COMPARED = _STATE_READ[2:]  # all but the key (camera_id, kind)
# What a camera's row gives recording: its status, when it was last seen, what it reported, its declared identity.
CAMERA_COLUMNS = (
    "id",
    "status",
    "last_seen_at",
    "declared_manufacturer",
    "declared_model",
    "observed_manufacturer",
    "observed_model",
    "observed_firmware",
    "observed_serial",
    "observed_hardware_id",
    "observed_mac",
    "observed_snmp_enterprise",
    "observed_sys_descr",
    "observed_clock_drift_s",
    "observed_time_zone",
    "observed_uptime_s",
    "observed_at",
)


async def load_states(
    session: AsyncSession, keys: Collection[tuple[int, CheckKind]]
) -> dict[tuple[int, CheckKind], StateRow]:
    """The check states of these (camera, kind) keys that exist (the columns recording reads)."""
    columns = [getattr(CheckState, name) for name in _STATE_READ]
    found: dict[tuple[int, CheckKind], StateRow] = {}
    for chunk in chunks(keys, CHUNK):
        rows = await session.execute(select(*columns).where(tuple_(CheckState.camera_id, CheckState.kind).in_(chunk)))
        for row in rows:
            state = StateRow(*row, loaded=tuple(row[2:]))
            found[(state.camera_id, state.kind)] = state
    return found


async def write_states(session: AsyncSession, states: Iterable[StateRow]) -> None:
    """Write the states back in one executemany, in key order (collectors sharing rows lock them in one order): the
    columns set for every result and those that changed in any of the states (in a steady batch the run, the next
    due time and the claim; not the hard state, the streak or the last error)."""
    ordered = sorted(states, key=lambda s: (s.camera_id, s.kind))
    if not ordered:
        return
    changed = set(_WRITE_ONLY)
    for state in ordered:
        now = [getattr(state, name) for name in _STATE_COMPARED]
        changed.update(name for name, new, old in zip(_STATE_COMPARED, now, state.loaded, strict=True) if new != old)
    names = [name for name in (*_STATE_COMPARED, *_WRITE_ONLY) if name in changed]
    params = [
        {"key_camera_id": s.camera_id, "key_kind": s.kind, **{name: getattr(s, name) for name in names}}
        for s in ordered
    ]
    table = Base.metadata.tables[CheckState.__tablename__]
    statement = (
        update(table)
        .where(table.c.camera_id == bindparam("key_camera_id"), table.c.kind == bindparam("key_kind"))
        .values({name: bindparam(name) for name in names})
    )
    await session.execute(statement, params)
    forget(session, CheckState, [(p["key_camera_id"], p["key_kind"]) for p in params])


async def load_cameras(session: AsyncSession, camera_ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """The recording columns of these cameras (the ones that exist), by id."""
    columns = [getattr(Camera, name) for name in CAMERA_COLUMNS]
    found: dict[int, dict[str, Any]] = {}
    for chunk in chunks(camera_ids, CHUNK):
        for row in await session.execute(select(*columns).where(Camera.id.in_(chunk))):
            found[row.id] = dict(row._mapping)
    return found


async def write_cameras(session: AsyncSession, changes: Mapping[int, Mapping[str, Any]]) -> None:
    """Write each camera's changed columns: one executemany per set of columns changed (``updated_at`` as the ORM
    would set it), in id order."""
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for camera_id in sorted(changes):
        values = changes[camera_id]
        if values:
            by_columns[tuple(sorted(values))].append({"key_id": camera_id, **values})
    table = Base.metadata.tables[Camera.__tablename__]
    for names, params in by_columns.items():
        statement = (
            update(table).where(table.c.id == bindparam("key_id")).values({name: bindparam(name) for name in names})
        )
        await session.execute(statement, params)
    forget(session, Camera, [(camera_id,) for camera_id, values in changes.items() if values])


def forget(session: AsyncSession, entity: type[Any], keys: Iterable[tuple[Any, ...]]) -> None:
    """Expire the objects of these primary keys that the session holds: a set-based statement changed their rows."""
    held = session.sync_session.identity_map
    if not len(held):
        return
    for key in keys:
        instance = held.get(identity_key(entity, key))
        if instance is not None:
            session.expire(instance)
