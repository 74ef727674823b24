"""Root causes in the network tree: a device's fault explained by a fault of the network above it.

Every device may hang on a network device (``uplink_id``, at ``uplink_port``), which may hang on another: a tree.
A device that cannot be reached (``rules.UNREACHABLE_KINDS``) while something above it is down — an uplink offline,
or the uplink port it hangs on down or unpowered — has its fault marked caused by that root
(``Fault.suppressed_by_id``, the column a group outage marks too): no alert and no ticket of its own; the root's
alert and ticket name it. Order does not matter: a root that opens after its children (their checks ran first)
takes the open faults behind it over. A child still failing ``grace`` after its root ended goes on under a fault
of its own, announced and ticketed as any.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from config.checks import CheckKind
from fleet.cameras.models import NETWORK_DEVICE_TYPES, Camera, DeviceType
from fleet.cameras.uplinks import MAX_DEPTH
from fleet.db import chunks
from fleet.faults.models import Fault, FaultKind
from fleet.faults.rules import PORT_ROOTS, UNREACHABLE_KINDS, nearest_root
from fleet.faults.service import FaultChanges, add_fault
from fleet.health.claims import hurry


@dataclass
class _Tree:
    """The devices concerned and every device above them: uplink and port, name and type."""

    up: dict[int, tuple[int | None, str | None]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    types: dict[int, DeviceType] = field(default_factory=dict)

    async def load(self, session: AsyncSession, device_ids: Collection[int]) -> _Tree:
        """These devices and their uplinks up to the top, those not known yet, one query per level."""
        tree = self
        wanted = set(device_ids) - tree.up.keys()
        for _ in range(MAX_DEPTH + 1):
            if not wanted:
                break
            for chunk in chunks(wanted):
                query = select(Camera.id, Camera.uplink_id, Camera.uplink_port, Camera.name, Camera.device_type)
                for device_id, uplink_id, port, name, device_type in await session.execute(
                    query.where(Camera.id.in_(chunk))
                ):
                    tree.up[device_id] = (uplink_id, port)
                    tree.names[device_id] = name
                    tree.types[device_id] = device_type
            wanted = {uplink for uplink, _port in tree.up.values() if uplink is not None} - tree.up.keys()
        return tree

    def above(self, device_id: int) -> list[int]:
        """The devices above this one, nearest first."""
        path: list[int] = []
        uplink = self.up.get(device_id, (None, None))[0]
        while uplink is not None and uplink not in path and uplink != device_id:
            path.append(uplink)
            uplink = self.up.get(uplink, (None, None))[0]
        return path


def _may_explain(fault: Fault, tree: _Tree) -> bool:
    """Whether a fault can take down what hangs below it: a network device offline, or one of its ports down."""
    if fault.camera_id is None:
        return False
    if fault.kind in PORT_ROOTS:
        return fault.port is not None
    return fault.kind is FaultKind.OFFLINE and tree.types.get(fault.camera_id) in NETWORK_DEVICE_TYPES


async def _behind(session: AsyncSession, roots: Sequence[Fault]) -> set[int]:
    """Every device hanging below these root faults' devices (below the port, for a port's fault), however deep;
    one query per level."""
    devices = {f.camera_id for f in roots if f.port is None and f.camera_id is not None}
    ports = {(f.camera_id, f.port) for f in roots if f.port is not None and f.camera_id is not None}
    level: set[int] = set()
    for chunk in chunks(devices):
        level.update(await session.scalars(select(Camera.id).where(Camera.uplink_id.in_(chunk))))
    for pairs in chunks(ports):
        at_port = tuple_(Camera.uplink_id, Camera.uplink_port).in_(pairs)
        level.update(await session.scalars(select(Camera.id).where(at_port)))
    found: set[int] = set()
    for _ in range(MAX_DEPTH + 1):
        level -= found | devices
        if not level:
            break
        found |= level
        below: set[int] = set()
        for chunk in chunks(level):
            below.update(await session.scalars(select(Camera.id).where(Camera.uplink_id.in_(chunk))))
        level = below
    return found


async def _open_faults(session: AsyncSession, device_ids: Collection[int], kinds: Collection[FaultKind]) -> list[Fault]:
    """The open faults of these kinds of these devices."""
    found: list[Fault] = []
    for chunk in chunks(device_ids):
        found.extend(
            await session.scalars(
                select(Fault).where(Fault.camera_id.in_(chunk), Fault.kind.in_(kinds), Fault.closed_at.is_(None))
            )
        )
    return found


async def _outlived(
    session: AsyncSession, attached: Sequence[Fault], *, now: datetime, grace: timedelta
) -> dict[int, tuple[Fault, Fault]]:
    """Those of these caused faults whose root ended at least ``grace`` ago: by the fault's id, with that root."""
    roots = {root.id: root for root in await _faults(session, {f.suppressed_by_id for f in attached})}
    found = {}
    for fault in attached:
        root = roots.get(fault.suppressed_by_id or 0)
        if (
            root is not None
            and root.kind is not FaultKind.GROUP_OUTAGE
            and root.closed_at is not None
            and now - root.closed_at >= grace
        ):
            found[fault.id] = (fault, root)
    return found


async def _faults(session: AsyncSession, ids: Iterable[int | None]) -> list[Fault]:
    found: list[Fault] = []
    for chunk in chunks({i for i in ids if i is not None}):
        found.extend(await session.scalars(select(Fault).where(Fault.id.in_(chunk))))
    return found


async def attribute(
    session: AsyncSession,
    changes: FaultChanges,
    *,
    now: datetime,
    grace: timedelta,
    attached: Sequence[Fault],
    runs: int,
) -> None:
    """Mark this batch's unreachable faults caused by the root above them, attach the open faults behind a root
    that opened now, and let faults go that outlived their root by ``grace`` (``attached``: the open unreachable
    faults with a cause of the devices that failed a check in this batch, as the batch holds them). What may be down
    too is checked at once (``runs`` times): the reachability and ports of the network above a fault no root explains
    yet, the reachability of what hangs below a new root; so a root and its children open close together, within
    their alerts' grouping window."""
    new = [f for f in changes.opened if f.camera_id is not None and f.closed_at is None]
    await _link_follows_power(session, changes, [f for f in new if f.kind in PORT_ROOTS])
    tree = await _Tree().load(session, {f.camera_id for f in new if f.camera_id is not None})
    new_roots = [f for f in new if _may_explain(f, tree)]
    below = await _behind(session, new_roots)
    candidates = {f.id: f for f in new if f.kind in UNREACHABLE_KINDS}
    candidates.update((f.id, f) for f in await _open_faults(session, below, UNREACHABLE_KINDS))
    outlived = await _outlived(session, attached, now=now, grace=grace)
    candidates.update((f.id, f) for f, _root in outlived.values())
    if not candidates and not below:
        return
    await tree.load(session, {f.camera_id for f in candidates.values() if f.camera_id is not None})
    above = {uplink for device in tree.up for uplink in tree.above(device)}
    offline: dict[int, Fault] = {}
    ports: dict[tuple[int, str], Fault] = {}
    # PoE off before port down: a port without power loses its link too, and the power is the cause.
    found = await _open_faults(session, above, [FaultKind.OFFLINE, *PORT_ROOTS])
    for down in sorted(found, key=lambda f: f.kind is FaultKind.POE_OFF):
        if down.camera_id is not None and down.kind is FaultKind.OFFLINE:
            offline[down.camera_id] = down
        elif down.camera_id is not None and down.port is not None:
            ports[(down.camera_id, down.port)] = down
    explained: dict[int, set[str]] = defaultdict(set)
    ask_above: set[int] = set()
    for fault in sorted(candidates.values(), key=lambda f: f.id):
        assert fault.camera_id is not None
        root = nearest_root(fault.camera_id, tree.up, offline, ports)
        if root is not None:
            if fault.suppressed_by_id != root.id and root.id != fault.id:
                fault.suppressed_by_id = root.id
                changes.suppressed.append(fault)
                explained[root.id].add(tree.names[fault.camera_id])
        elif fault.id in outlived:
            await _go_on_alone(session, changes, fault, outlived[fault.id][1])
        elif fault.suppressed_by_id is None and fault.kind is FaultKind.OFFLINE:
            ask_above.update(device for device in tree.above(fault.camera_id) if device not in offline)
    roots = {f.id: f for f in [*offline.values(), *ports.values()]}
    for root_id, names in explained.items():
        cause = roots[root_id]
        cause.details = {**cause.details, "behind": sorted(set(cause.details.get("behind", [])) | names)}
    await session.flush()
    ask_below = below - {f.camera_id for f in candidates.values() if f.kind is FaultKind.OFFLINE}
    if ask_above or ask_below:
        await hurry(session, camera_ids=sorted(ask_above | ask_below), kind=CheckKind.REACHABILITY, now=now, runs=runs)
    if ask_above:
        # Their ports too (the SNMP check reads them): a port down or unpowered shows as soon as a dead switch would.
        await hurry(session, camera_ids=sorted(ask_above), kind=CheckKind.SNMP, now=now, runs=runs)


async def _link_follows_power(session: AsyncSession, changes: FaultChanges, opened: Sequence[Fault]) -> None:
    """A port whose PoE is off loses its link too (the device behind it has no power): its port_down is caused by
    its poe_off, whichever opened first."""
    if not opened:
        return
    ports = await _open_faults(session, {f.camera_id for f in opened if f.camera_id is not None}, PORT_ROOTS)
    power = {(f.camera_id, f.port): f for f in ports if f.kind is FaultKind.POE_OFF}
    for link in ports:
        cause = power.get((link.camera_id, link.port))
        if link.kind is FaultKind.PORT_DOWN and cause is not None and link.suppressed_by_id != cause.id:
            link.suppressed_by_id = cause.id
            changes.suppressed.append(link)


async def _go_on_alone(session: AsyncSession, changes: FaultChanges, fault: Fault, root: Fault) -> None:
    """A device still down ``grace`` after its root ended is down on its own: the caused fault ends where the root
    did, and a fault of its own (announced and ticketed as any) takes over from there. The caused one ends without
    a recovery: the outage goes on."""
    assert root.closed_at is not None and fault.camera_id is not None
    at = max(root.closed_at, fault.opened_at)
    fault.closed_at, fault.duration_s = at, (at - fault.opened_at).total_seconds()
    await session.flush()  # one open fault per device and kind: this one ends before the next is written
    add_fault(
        session,
        changes,
        camera_id=fault.camera_id,
        kind=fault.kind,
        at=at,
        summary=f"{fault.summary}; still after “{root.summary}” ended",
        details={**fault.details, "outlived": root.id},
    )


async def awaiting_cause(
    session: AsyncSession, faults: Sequence[Fault], *, now: datetime, window: timedelta
) -> set[int]:
    """The faults whose root may yet show (their ids): unreachable faults no root explains yet, of devices that
    hang on a network device, until their alert's grouping window has passed. Their tickets wait as their
    alerts do, so a root opening within the window leaves no ticket of theirs to fold."""
    young = [
        f
        for f in faults
        if f.kind in UNREACHABLE_KINDS
        and f.camera_id is not None
        and f.suppressed_by_id is None
        and (f.alerted_at is None or now < f.alerted_at + window)
    ]
    if not young:
        return set()
    hanging: set[int] = set()
    for chunk in chunks({f.camera_id for f in young if f.camera_id is not None}):
        hanging.update(
            await session.scalars(select(Camera.id).where(Camera.id.in_(chunk), Camera.uplink_id.is_not(None)))
        )
    return {f.id for f in young if f.camera_id in hanging}
