"""Opening and closing faults from what polling saw, in the same transaction as the results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from fleet.audit.service import Actor, record
from fleet.cameras.models import Camera, Lifecycle
from fleet.errors import Conflict, NotFound
from fleet.faults import rules
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.pagination import SortKey

_Query = TypeVar("_Query", bound=Select[*tuple[Any, ...]])


@dataclass
class FaultChanges:
    """What one batch did to faults: the alert outbox and the ticket policy read this."""

    opened: list[Fault] = field(default_factory=list)
    closed: list[Fault] = field(default_factory=list)
    # Faults now explained by a group fault: their undelivered alerts are withdrawn.
    suppressed: list[Fault] = field(default_factory=list)


async def open_fault(
    session: AsyncSession,
    changes: FaultChanges,
    *,
    camera: Camera | None,
    kind: FaultKind,
    at: datetime,
    summary: str,
    details: dict[str, Any] | None = None,
    scope: str | None = None,
    port: str | None = None,
) -> Fault:
    """Open a fault unless one of that kind (on that port) is open already (then return that one)."""
    query = select(Fault).where(Fault.kind == kind, Fault.closed_at.is_(None))
    if camera is not None:
        query = query.where(Fault.camera_id == camera.id, Fault.port.is_(None) if port is None else Fault.port == port)
    else:
        query = query.where(Fault.scope == scope)
    existing: Fault | None = await session.scalar(query)
    if existing is not None:
        return existing
    fault = add_fault(
        session, changes, camera_id=camera.id if camera is not None else None, kind=kind, at=at, summary=summary,
        details=details, scope=scope, port=port,
    )  # fmt: skip
    await session.flush()
    return fault


def add_fault(
    session: AsyncSession,
    changes: FaultChanges,
    *,
    camera_id: int | None,
    kind: FaultKind,
    at: datetime,
    summary: str,
    details: dict[str, Any] | None = None,
    scope: str | None = None,
    port: str | None = None,
) -> Fault:
    """Add a new open fault, written with the session's next flush (one statement for all a batch adds); for a
    caller that already knows none of that kind is open."""
    fault = Fault(
        camera_id=camera_id,
        scope=scope,
        port=port,
        kind=kind,
        severity=rules.SEVERITY[kind],
        summary=summary,
        details=details or {},
        opened_at=at,
    )
    session.add(fault)
    changes.opened.append(fault)
    return fault


async def close_fault(session: AsyncSession, changes: FaultChanges, fault: Fault, at: datetime) -> None:
    """Close a fault with its duration (never negative)."""
    end_fault(changes, fault, at)
    await session.flush()


def end_fault(changes: FaultChanges, fault: Fault, at: datetime) -> None:
    """Close a fault with its duration (never negative), written with the session's next flush."""
    at = max(at, fault.opened_at)
    fault.closed_at = at
    fault.duration_s = (at - fault.opened_at).total_seconds()
    changes.closed.append(fault)


async def reboots_since(session: AsyncSession, camera_id: int, since: datetime) -> list[datetime]:
    """When the camera was seen rebooting since a moment (from its ``rebooted`` faults)."""
    rows = await session.scalars(
        select(Fault.details).where(
            Fault.camera_id == camera_id, Fault.kind == FaultKind.REBOOTED, Fault.opened_at >= since
        )
    )
    times: list[datetime] = []
    for details in rows:
        times.extend(datetime.fromisoformat(at) for at in details.get("reboots", []))
    return times


# A shared cause shows as many cameras of one network zone, or of one site, failing together.
_GROUPINGS: tuple[tuple[str, Any], ...] = (("poller_group", Camera.poller_group), ("site", Camera.site))


async def suppress_group_outages(
    session: AsyncSession, changes: FaultChanges, *, window: timedelta, share: float, minimum: int
) -> None:
    """Fold many cameras of one poller group or site going offline at once into one group fault naming them.

    A dead switch, uplink or collector network takes down a whole group: one fault and one alert explain it,
    instead of one per camera. Camera faults opened earlier in the window are folded in too. Two statements per
    grouping, however many groups the batch's faults fall in. The guess for where the network tree is not known:
    devices that hang on a network device, or that others hang on, are left to the tree.
    """
    newly_offline = [f for f in changes.opened if f.kind is FaultKind.OFFLINE and f.camera_id is not None]
    if not newly_offline:
        return
    ids = sorted({f.camera_id for f in newly_offline if f.camera_id is not None})
    places = (await session.execute(select(Camera.poller_group, Camera.site).where(Camera.id.in_(ids)))).all()
    # Faults count together when they opened within the window before the earliest of this batch's.
    since = min(f.opened_at for f in newly_offline) - window
    for index, (label, column) in enumerate(_GROUPINGS):
        groups = sorted({str(place[index]) for place in places if place[index]})
        if groups:
            await _fold(session, changes, label, column, groups, since=since, share=share, minimum=minimum)


async def _fold(
    session: AsyncSession,
    changes: FaultChanges,
    label: str,
    column: Any,
    groups: list[str],
    *,
    since: datetime,
    share: float,
    minimum: int,
) -> None:
    # Two plain queries rather than a join: their plans do not hang on the statistics of a table that just grew
    # by the batch's faults.
    members: dict[str, int] = dict.fromkeys(groups, 0)
    places: dict[int, tuple[str, str]] = {}
    # Only devices outside the network tree: for the others, the tree knows the cause (fleet/faults/causes.py).
    behind = aliased(Camera)
    outside = Camera.uplink_id.is_(None) & ~exists().where(behind.uplink_id == Camera.id)
    for camera_id, group, name, lifecycle in await session.execute(
        select(Camera.id, column, Camera.name, Camera.lifecycle).where(column.in_(groups), outside)
    ):
        places[camera_id] = (group, name)
        members[group] += lifecycle is Lifecycle.IN_SERVICE
    recent: dict[str, list[tuple[Fault, str]]] = {group: [] for group in groups}
    for fault in await session.scalars(
        select(Fault)
        .where(Fault.kind == FaultKind.OFFLINE, Fault.closed_at.is_(None), Fault.opened_at >= since)
        .order_by(Fault.id)
    ):
        if fault.camera_id in places:
            group, name = places[fault.camera_id]
            recent[group].append((fault, name))
    where = "poller group" if label == "poller_group" else "site"
    for group in groups:
        faults = [fault for fault, _name in recent[group]]
        count = members[group]
        unexplained = [f for f in faults if f.suppressed_by_id is None]
        if not unexplained or not rules.group_outage(count, len(faults), share=share, minimum=minimum):
            continue
        names = sorted(name for _fault, name in recent[group])
        group_fault = await open_fault(
            session,
            changes,
            camera=None,
            kind=FaultKind.GROUP_OUTAGE,
            at=min(f.opened_at for f in faults),
            scope=f"{label}:{group}",
            summary=f"{len(faults)} of {count} cameras in {where} {group} went offline together",
            details={label: group, "cameras": names},
        )
        group_fault.details = {
            **group_fault.details,
            "cameras": sorted(set(group_fault.details["cameras"]) | set(names)),
        }
        for fault in unexplained:
            fault.suppressed_by_id = group_fault.id
            changes.suppressed.append(fault)


async def close_group_outages(session: AsyncSession, changes: FaultChanges, *, at: datetime) -> None:
    """Close group faults whose cameras are no longer offline."""
    groups = (
        await session.scalars(select(Fault).where(Fault.kind == FaultKind.GROUP_OUTAGE, Fault.closed_at.is_(None)))
    ).all()
    if not groups:
        return
    still = set(
        await session.scalars(
            select(Fault.suppressed_by_id)
            .where(
                Fault.suppressed_by_id.in_([g.id for g in groups]),
                Fault.closed_at.is_(None),
                Fault.kind == FaultKind.OFFLINE,
            )
            .distinct()
        )
    )
    for group_fault in groups:
        if group_fault.id not in still:
            end_fault(changes, group_fault, at)
    await session.flush()


async def acknowledge(session: AsyncSession, *, actor: Actor, fault_id: int, at: datetime) -> Fault:
    """Acknowledge a fault (stops escalation); an event fault (firmware or identity changed) closes with it."""
    fault = await session.get(Fault, fault_id)
    if fault is None:
        raise NotFound("fault", fault_id)
    if fault.acknowledged_at is not None:
        raise Conflict(f"fault {fault_id} was already acknowledged by {fault.acknowledged_by}")
    fault.acknowledged_at, fault.acknowledged_by = at, actor.name
    if fault.kind in rules.EVENT_KINDS and fault.closed_at is None:
        await close_fault(session, FaultChanges(), fault, at)
    await record(
        session,
        actor=actor,
        action="fault.acknowledge",
        target_type="fault",
        target_id=fault.id,
        after={"acknowledged_at": at},
    )
    return fault


@dataclass(frozen=True, slots=True)
class FaultFilter:
    open: bool | None = None
    camera_id: int | None = None
    kind: FaultKind | None = None

    def apply(self, query: _Query) -> _Query:
        """Narrow a fault query to this filter."""
        if self.open is True:
            query = query.where(Fault.closed_at.is_(None))
        elif self.open is False:
            query = query.where(Fault.closed_at.is_not(None))
        if self.camera_id is not None:
            query = query.where(Fault.camera_id == self.camera_id)
        if self.kind is not None:
            query = query.where(Fault.kind == self.kind)
        return query


# Newest first; the id orders faults opened at the same moment.
NEWEST_FIRST = (SortKey(Fault.opened_at, descending=True, timestamp=True), SortKey(Fault.id, descending=True))


async def camera_name(session: AsyncSession, fault: Fault) -> str | None:
    """The name of the fault's camera (None for a group fault)."""
    if fault.camera_id is None:
        return None
    name: str | None = await session.scalar(select(Camera.name).where(Camera.id == fault.camera_id))
    return name


async def open_counts_by_severity(session: AsyncSession) -> dict[Severity, int]:
    """How many faults are open, per severity (every severity present, zero where none)."""
    rows = await session.execute(
        select(Fault.severity, func.count()).where(Fault.closed_at.is_(None)).group_by(Fault.severity)
    )
    counts = dict.fromkeys(Severity, 0)
    counts.update({severity: count for severity, count in rows})
    return counts
