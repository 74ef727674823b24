"""Whether flexible cameras run under a valid decision; reminders before decisions end; starts without a camera.

A flexible camera may only watch a designated area for the period the mayor decided (art. 151c Gemeentewet).
One seen online outside every valid deployment it is linked to gets ``deployment_expired``; one seen online with
no deployment at all gets ``deployment_missing``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from config.settings import Settings
from config.zone import LOCAL
from fleet.alerts import service as alerts
from fleet.alerts.models import AlertEvent
from fleet.cameras.models import Camera, CameraKind, CameraStatus, Lifecycle
from fleet.decisions.models import Decision, DecisionCamera, DecisionKind
from fleet.decisions.rules import covers
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.faults.service import FaultChanges, close_fault, open_fault
from fleet.language import say
from fleet.tickets import creation as tickets

PERMITTING = frozenset({DecisionKind.DEPLOYMENT, DecisionKind.EXTENSION, DecisionKind.REPLACEMENT})
ONLINE = frozenset({CameraStatus.UP, CameraStatus.DEGRADED})
State = Literal["valid", "expired", "missing"]
_FAULT = {"expired": FaultKind.DEPLOYMENT_EXPIRED, "missing": FaultKind.DEPLOYMENT_MISSING}


def successors_of(decisions: Sequence[Decision]) -> dict[int, list[Decision]]:
    """For each decision, the decisions that supersede it."""
    found: dict[int, list[Decision]] = defaultdict(list)
    for decision in decisions:
        if decision.supersedes_id is not None:
            found[decision.supersedes_id].append(decision)
    return found


def chain(decision: Decision, successors: Mapping[int, Sequence[Decision]]) -> list[Decision]:
    """The decision and every later decision that continues, replaces or ends it."""
    result, queue, seen = [], [decision], set()
    while queue:
        current = queue.pop()
        if current.id in seen:
            continue
        seen.add(current.id)
        result.append(current)
        queue.extend(successors.get(current.id, ()))
    return result


def camera_state(linked: Sequence[Decision], successors: Mapping[int, Sequence[Decision]], day: date) -> State:
    """Whether a camera linked to these decisions may run on a day."""
    permits = [d for d in linked if d.kind in PERMITTING]
    if not permits:
        return "missing"
    for decision in permits:
        links = chain(decision, successors)
        withdrawn = min((d.starts_on for d in links if d.kind is DecisionKind.WITHDRAWAL), default=None)
        if withdrawn is not None and day >= withdrawn:
            continue
        if any(d.kind in PERMITTING and covers(d, day) for d in links):
            return "valid"
    return "expired"


def starts_on_day(decision: Decision, day: date) -> bool:
    """Whether a permitting decision's period (or one of its single days) begins on the day."""
    return decision.kind in PERMITTING and (
        day.isoformat() in decision.days if decision.days else decision.starts_on == day
    )


async def _links(session: AsyncSession) -> tuple[list[Decision], dict[int, list[Decision]], dict[int, list[int]]]:
    """Every decision, the decisions linked to each camera, and the cameras of each decision."""
    decisions = list((await session.scalars(select(Decision).order_by(Decision.decision_date, Decision.id))).all())
    by_id = {d.id: d for d in decisions}
    linked: dict[int, list[Decision]] = defaultdict(list)
    cameras_of: dict[int, list[int]] = defaultdict(list)
    for decision_id, camera_id in await session.execute(select(DecisionCamera.decision_id, DecisionCamera.camera_id)):
        linked[camera_id].append(by_id[decision_id])
        cameras_of[decision_id].append(camera_id)
    return decisions, linked, cameras_of


async def _flexible(session: AsyncSession) -> Sequence[Camera]:
    return (
        await session.scalars(
            select(Camera)
            .where(Camera.kind == CameraKind.FLEXIBLE, Camera.lifecycle == Lifecycle.IN_SERVICE)
            .order_by(Camera.name)
        )
    ).all()


async def flexible_states(session: AsyncSession, *, now: datetime) -> list[tuple[Camera, State]]:
    """Each flexible camera in service and whether a decision lets it run today (whatever its status)."""
    day = now.astimezone(LOCAL).date()
    decisions, linked, _cameras_of = await _links(session)
    successors = successors_of(decisions)
    return [(c, camera_state(linked.get(c.id, ()), successors, day)) for c in await _flexible(session)]


@dataclass(frozen=True, slots=True)
class Finding:
    """A flexible camera running outside a decision: its open ``deployment_*`` fault and the decisions it has."""

    camera_id: int
    camera: str
    status: CameraStatus
    kind: FaultKind
    since: datetime
    registrations: list[str]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one compliance check found: the flexible cameras in service, those outside a decision, and the
    warnings it opened and closed."""

    flexible: int
    findings: list[Finding]
    opened: int
    closed: int


async def check(session: AsyncSession, *, now: datetime, settings: Settings) -> Outcome:
    """The compliance check (``sweep``) and what it leaves open, in the caller's transaction."""
    changes = await sweep(session, now=now, settings=settings)
    flexible = len(await _flexible(session))
    faults = await session.execute(
        select(Fault, Camera)
        .join(Camera, Camera.id == Fault.camera_id)
        .where(Fault.kind.in_(list(_FAULT.values())), Fault.closed_at.is_(None))
        .order_by(Camera.name, Fault.kind)
    )
    registrations: dict[int, list[str]] = defaultdict(list)
    for camera_id, registration in await session.execute(
        select(DecisionCamera.camera_id, Decision.registration)
        .join(Decision, Decision.id == DecisionCamera.decision_id)
        .order_by(Decision.starts_on, Decision.id)
    ):
        if registration not in registrations[camera_id]:
            registrations[camera_id].append(registration)
    findings = [
        Finding(camera.id, camera.name, camera.status, fault.kind, fault.opened_at, registrations.get(camera.id, []))
        for fault, camera in faults
    ]
    return Outcome(flexible, findings, len(changes.opened), len(changes.closed))


async def sweep(session: AsyncSession, *, now: datetime, settings: Settings) -> FaultChanges:
    """Check every flexible camera against its decisions; remind and warn where due. In the caller's transaction."""
    day = now.astimezone(LOCAL).date()
    decisions, linked, cameras_of = await _links(session)
    successors = successors_of(decisions)
    flexible = await _flexible(session)
    changes = FaultChanges()
    await _faults(session, changes, flexible, linked, successors, day, now)
    online = {c.id for c in flexible if c.status in ONLINE}
    await _reminders_and_starts(session, decisions, successors, cameras_of, online, day, now, settings)
    await alerts.on_fault_changes(session, changes, now=now, settings=settings)
    await tickets.on_fault_changes(session, changes, now=now, settings=settings)
    return changes


async def _faults(
    session: AsyncSession,
    changes: FaultChanges,
    flexible: Sequence[Camera],
    linked: Mapping[int, Sequence[Decision]],
    successors: Mapping[int, Sequence[Decision]],
    day: date,
    now: datetime,
) -> None:
    open_faults = {
        (f.camera_id, f.kind): f
        for f in await session.scalars(
            select(Fault).where(Fault.kind.in_(list(_FAULT.values())), Fault.closed_at.is_(None))
        )
    }
    for camera in flexible:
        state = camera_state(linked.get(camera.id, ()), successors, day) if camera.status in ONLINE else "valid"
        wanted = _FAULT.get(state)
        for kind in _FAULT.values():
            fault = open_faults.get((camera.id, kind))
            if fault is not None and kind is not wanted:
                await close_fault(session, changes, fault, now)
        if wanted is not None and (camera.id, wanted) not in open_faults:
            if wanted is FaultKind.DEPLOYMENT_MISSING:
                summary = f"{camera.name}: flexible camera online without any deployment decision"
            else:
                summary = f"{camera.name}: flexible camera online outside its deployment decision's period"
            await open_fault(session, changes, camera=camera, kind=wanted, at=now, summary=summary)


async def _reminders_and_starts(
    session: AsyncSession,
    decisions: Sequence[Decision],
    successors: Mapping[int, Sequence[Decision]],
    cameras_of: Mapping[int, Sequence[int]],
    online: set[int],
    day: date,
    now: datetime,
    settings: Settings,
) -> None:
    items: list[alerts.Subject] = []
    language = settings.alerts.language
    horizon = settings.decisions.reminder_before.days
    for decision in decisions:
        if decision.kind not in PERMITTING:
            continue
        last = max((date.fromisoformat(d) for d in decision.days), default=None) if decision.days else decision.ends_on
        continued = any(s.kind in PERMITTING for s in successors.get(decision.id, ()))
        if decision.reminded_at is None and last is not None and not continued and 0 <= (last - day).days <= horizon:
            decision.reminded_at = now
            text = say(
                "{registration}: {location} — ends {last} ({reason})",
                language,
                registration=decision.registration,
                location=decision.location,
                last=last.isoformat(),
                reason=decision.reason,
            )
            items.append(alerts.Subject(AlertEvent.DEPLOYMENT_ENDING, Severity.WARNING, text, text))
        if decision.start_checked_at is None and starts_on_day(decision, day):
            decision.start_checked_at = now
            if not online & set(cameras_of.get(decision.id, ())):
                text = say(
                    "{registration}: {location} — starts today; no linked camera is online",
                    language,
                    registration=decision.registration,
                    location=decision.location,
                )
                items.append(alerts.Subject(AlertEvent.DEPLOYMENT_NO_CAMERA, Severity.WARNING, text, text))
    if items:
        await alerts.enqueue(session, items, now=now, settings=settings)
