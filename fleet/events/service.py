"""Events received from cameras, recorded as evidence: checks made to run now, alarm and door faults, counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from config.checks import CheckKind
from config.settings import Settings
from fleet.alerts import service as alerts
from fleet.cameras.models import Camera, DeviceType
from fleet.events import rules
from fleet.events.models import CameraEvent, EventCount, EventSubscription
from fleet.events.rules import Evidence
from fleet.faults.models import ConditionState, Fault, FaultKind
from fleet.faults.service import FaultChanges, close_fault, open_fault
from fleet.health.claims import hurry
from fleet.maintenance.service import cameras_in_maintenance
from fleet.network import service as network
from fleet.recording import service as recording
from fleet.recording.rules import storage_summary
from fleet.tickets import creation as tickets

# The camera page shows this many of its latest events.
LATEST = 20


@dataclass(frozen=True, slots=True)
class Received:
    """One event as a collector received it."""

    camera_id: int
    topic: str
    source: str | None
    state: bool | None
    received_at: datetime
    device_time: datetime | None = None


@dataclass
class Batch:
    """Events received since the last write: the ones kept, and per (camera, topic) those dropped over the limit."""

    kept: list[Received] = field(default_factory=list)
    dropped: Counter[tuple[int, str]] = field(default_factory=Counter)

    def __bool__(self) -> bool:
        return bool(self.kept or self.dropped)


async def record(session: AsyncSession, batch: Batch, *, now: datetime, settings: Settings) -> FaultChanges:
    """Store and count the events of ``batch`` and act on what they are evidence of, in the caller's transaction."""
    changes = FaultChanges()
    if batch.kept:
        await session.execute(
            insert(CameraEvent),
            [
                {
                    "camera_id": e.camera_id,
                    "topic": e.topic,
                    "source": e.source,
                    "state": e.state,
                    "received_at": e.received_at,
                    "device_time": e.device_time,
                }
                for e in batch.kept
            ],
        )
    await _count(session, batch)
    await _act(session, batch.kept, changes, now=now, settings=settings)
    await alerts.on_fault_changes(session, changes, now=now, settings=settings)
    await tickets.on_fault_changes(session, changes, now=now, settings=settings)
    return changes


async def _count(session: AsyncSession, batch: Batch) -> None:
    received = Counter((e.camera_id, e.topic) for e in batch.kept)
    last = {(e.camera_id, e.topic): e.received_at for e in batch.kept}
    keys = sorted(set(received) | set(batch.dropped))
    if not keys:
        return
    existing = {
        (c.camera_id, c.topic): c
        for c in await session.scalars(
            select(EventCount).where(tuple_(EventCount.camera_id, EventCount.topic).in_(keys))
        )
    }
    for key in keys:
        count = existing.get(key)
        if count is None:
            count = EventCount(camera_id=key[0], topic=key[1], received=0, dropped=0)
            session.add(count)
        count.received += received[key] + batch.dropped[key]
        count.dropped += batch.dropped[key]
        count.last_at = max(filter(None, (count.last_at, last.get(key)))) if key in last else count.last_at
    await session.flush()


async def _act(
    session: AsyncSession, events: Sequence[Received], changes: FaultChanges, *, now: datetime, settings: Settings
) -> None:
    cameras = {
        c.id: c for c in await session.scalars(select(Camera).where(Camera.id.in_({e.camera_id for e in events})))
    }
    hurried: set[tuple[int, Evidence]] = set()
    doors = [e.camera_id for e in events if _evidence(e, cameras) is Evidence.CABINET_DOOR]
    in_maintenance = await cameras_in_maintenance(session, now, sorted(set(doors))) if doors else set()
    for event in events:
        camera = cameras.get(event.camera_id)
        found = _evidence(event, cameras)
        if camera is None or found is None:
            continue
        if found in rules.CHECK_OF:
            if (camera.id, found) not in hurried:  # a flood of one topic hurries its check once per batch
                hurried.add((camera.id, found))
                runs = rules.runs_to_settle(found, settings.faults.failures_to_open, settings.faults.successes_to_close)
                await hurry(session, camera_ids=[camera.id], kind=rules.CHECK_OF[found], now=now, runs=runs)
        elif found is Evidence.PORT_CHANGE:
            await _port_changed(session, camera, int(event.source or 0), hurried, now=now, settings=settings)
        elif found is Evidence.HARDWARE_ALARM and camera.device_type is DeviceType.RECORDER:
            await _recorder_alarm(session, changes, camera, event, settings)
        elif found is Evidence.HARDWARE_ALARM:
            await _alarm(session, changes, camera, event, FaultKind.HARDWARE_ALARM)
        elif camera.id not in in_maintenance or not event.state:
            # A technician opening the cabinet during planned work is no news; its closing always is.
            await _alarm(session, changes, camera, event, FaultKind.CABINET_OPEN)


async def _recorder_alarm(
    session: AsyncSession, changes: FaultChanges, recorder: Camera, event: Received, settings: Settings
) -> None:
    """A recorder's StorageFailure (ONVIF's only word on a device's storage state) is storage_failed, naming the
    storage and the cameras whose footage it keeps; its other hardware alarms are alarms as on a camera."""
    if not rules.storage_failure(event.topic):
        await _alarm(session, changes, recorder, event, FaultKind.HARDWARE_ALARM)
        return
    if event.state is False:
        # The event's storage is over it; the disks its SNMP check still finds failed keep the fault open.
        held = select(ConditionState.hard_ok).where(
            ConditionState.camera_id == recorder.id, ConditionState.condition == FaultKind.STORAGE_FAILED
        )
        if (await session.scalar(held)) is False:
            return
    cameras = [c.name for c in await recording.recorded_cameras(session, recorder, settings.recording)]
    disk = {"kind": "disk", "name": event.source or "storage", "state": "failed", "status": "StorageFailure"}
    summary = storage_summary(recorder.name, [disk], cameras)
    extra = {"cameras": cameras, "disks": [disk]}
    await _alarm(session, changes, recorder, event, FaultKind.STORAGE_FAILED, summary, extra)


async def _port_changed(
    session: AsyncSession,
    device: Camera,
    if_index: int,
    hurried: set[tuple[int, Evidence]],
    *,
    now: datetime,
    settings: Settings,
) -> None:
    """A port of a network device went down or up: its own SNMP check (which reads the port) and every check of
    the devices behind the port, at any depth, run now; reachability and SNMP enough times to settle."""
    settle = max(settings.faults.failures_to_open, settings.faults.successes_to_close)
    behind = await network.behind_port(session, device.id, if_index)
    for camera_id, kinds in [(device.id, (CheckKind.SNMP,)), *((i, tuple(CheckKind)) for i in behind)]:
        if (camera_id, Evidence.PORT_CHANGE) in hurried:
            continue
        hurried.add((camera_id, Evidence.PORT_CHANGE))
        for kind in kinds:
            runs = settle if kind in (CheckKind.REACHABILITY, CheckKind.SNMP) else 1
            await hurry(session, camera_ids=[camera_id], kind=kind, now=now, runs=runs)


def _evidence(event: Received, cameras: dict[int, Camera]) -> Evidence | None:
    camera = cameras.get(event.camera_id)
    return rules.evidence(event.topic, event.source, camera.cabinet_door_input if camera is not None else None)


async def _alarm(
    session: AsyncSession,
    changes: FaultChanges,
    camera: Camera,
    event: Received,
    kind: FaultKind,
    summary: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Open the fault on a raised alarm (state true), close it when the camera says the alarm is over."""
    if event.state is None:
        return
    if event.state:
        if summary is None:
            summary = (
                f"{camera.name}: cabinet door opened (input {event.source})"
                if kind is FaultKind.CABINET_OPEN
                else f"{camera.name}: {event.topic}"
            )
        await open_fault(
            session,
            changes,
            camera=camera,
            kind=kind,
            at=event.received_at,
            summary=summary,
            details={"topic": event.topic, "source": event.source, **(extra or {})},
        )
        return
    fault = await session.scalar(
        select(Fault).where(Fault.camera_id == camera.id, Fault.kind == kind, Fault.closed_at.is_(None))
    )
    if fault is not None and fault.details.get("topic") == event.topic:
        await close_fault(session, changes, fault, event.received_at)


async def latest(session: AsyncSession, camera_id: int, *, limit: int = LATEST) -> list[CameraEvent]:
    """A camera's latest events, newest first."""
    query = (
        select(CameraEvent)
        .where(CameraEvent.camera_id == camera_id)
        .order_by(CameraEvent.received_at.desc(), CameraEvent.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def subscription(session: AsyncSession, camera_id: int) -> EventSubscription | None:
    """Where the camera's event subscription stands (None: no collector has looked at it yet)."""
    return await session.get(EventSubscription, camera_id)


async def counts(session: AsyncSession, camera_id: int) -> list[EventCount]:
    """A camera's event counts per topic, most received first."""
    query = select(EventCount).where(EventCount.camera_id == camera_id).order_by(EventCount.received.desc())
    return list((await session.scalars(query)).all())


async def prune(session: AsyncSession, *, before: datetime) -> int:
    """Forget the events received before ``before`` (their counts stay); how many."""
    result = await session.execute(delete(CameraEvent).where(CameraEvent.received_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
