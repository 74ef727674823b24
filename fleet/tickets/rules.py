"""Pure ticket rules: the workflow, SLA due times (optionally in business hours), the automatic policy, breaches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.tickets import BusinessHours, TicketSettings
from fleet.faults.models import FaultKind, Severity
from fleet.tickets.models import Priority, SlaTarget, TicketStatus

S = TicketStatus

# Which status may follow which. Leaving ``resolved`` or ``closed`` for ``new`` or ``assigned`` is a reopening.
TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    S.NEW: frozenset({S.ASSIGNED, S.RESOLVED}),
    S.ASSIGNED: frozenset({S.NEW, S.IN_PROGRESS, S.RESOLVED}),
    S.IN_PROGRESS: frozenset({S.WAITING_PARTS, S.WAITING_VENDOR, S.RESOLVED}),
    S.WAITING_PARTS: frozenset({S.IN_PROGRESS, S.WAITING_VENDOR}),
    S.WAITING_VENDOR: frozenset({S.IN_PROGRESS, S.WAITING_PARTS}),
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS, S.ASSIGNED, S.NEW}),
    S.CLOSED: frozenset({S.ASSIGNED, S.NEW}),
}
DONE = frozenset({S.RESOLVED, S.CLOSED})
OPEN = frozenset(TicketStatus) - DONE
# Statuses in which somebody must be named as the one doing the work.
NEEDS_ASSIGNEE = frozenset({S.ASSIGNED, S.IN_PROGRESS, S.WAITING_PARTS, S.WAITING_VENDOR})


def allowed_next(current: TicketStatus) -> list[TicketStatus]:
    """The statuses that may follow ``current``, in workflow order."""
    return [s for s in TicketStatus if s in TRANSITIONS[current]]


def can_move(current: TicketStatus, wanted: TicketStatus) -> bool:
    """Whether the workflow allows going from ``current`` to ``wanted``."""
    return wanted in TRANSITIONS[current]


def is_reopening(current: TicketStatus, wanted: TicketStatus) -> bool:
    """Whether the move takes a finished ticket back into work."""
    return current in DONE and wanted in OPEN


def reopen_status(has_assignee: bool) -> TicketStatus:
    """Where a reopened ticket goes: back to its technician if it has one."""
    return S.ASSIGNED if has_assignee else S.NEW


# --- SLA due times. ------------------------------------------------------------------------------------------


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def _local_day(day: date, hours: BusinessHours, zone: ZoneInfo) -> tuple[datetime, datetime]:
    # Local wall times built in the zone, so each working day keeps 08:00-17:00 local across DST changes.
    start = datetime.combine(day, _clock(hours.start), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day, _clock(hours.end), tzinfo=zone).astimezone(UTC)
    return start, end


def add_business_time(start: datetime, duration: timedelta, hours: BusinessHours) -> datetime:
    """The moment ``duration`` of working time has passed after ``start`` (UTC in, UTC out)."""
    zone = ZoneInfo(hours.timezone)
    remaining = duration
    day = start.astimezone(zone).date()
    cursor = start.astimezone(UTC)
    while True:
        if day.weekday() in hours.days:
            opens, closes = _local_day(day, hours, zone)
            begin = max(opens, cursor)
            if begin < closes:
                if remaining <= closes - begin:
                    return begin + remaining
                remaining -= closes - begin
        day += timedelta(days=1)


def due_at(start: datetime, duration: timedelta, hours: BusinessHours | None, *, business: bool) -> datetime:
    """When a target of ``duration`` falls due: in business hours when asked for and set, else elapsed time."""
    if business and hours is not None and duration > timedelta(0):
        return add_business_time(start, duration, hours)
    return start.astimezone(UTC) + duration


@dataclass(frozen=True, slots=True)
class DueTimes:
    response: datetime
    resolution: datetime


def due_times(priority: Priority, start: datetime, settings: TicketSettings) -> DueTimes:
    """The response and resolution due times of a ticket of ``priority`` opened at ``start``."""
    target = settings.targets[priority.value]
    hours = settings.business_hours
    return DueTimes(
        response=due_at(start, target.response, hours, business=target.business_hours),
        resolution=due_at(start, target.resolution, hours, business=target.business_hours),
    )


# --- The automatic policy. -----------------------------------------------------------------------------------


def policy_priority(kind: FaultKind, severity: Severity, settings: TicketSettings) -> Priority | None:
    """The priority of the ticket a fault gets automatically (the first matching rule), or None for no ticket."""
    for rule in settings.policy:
        if rule.kinds and kind.value not in rule.kinds:
            continue
        if severity.rank < Severity(rule.min_severity).rank:
            continue
        return Priority(rule.priority)
    return None


# --- Breaches. -----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SlaState:
    status: TicketStatus
    response_due_at: datetime
    resolution_due_at: datetime
    responded_at: datetime | None
    resolved_at: datetime | None
    response_breached_at: datetime | None
    resolution_breached_at: datetime | None


def breaches(state: SlaState, now: datetime) -> Sequence[SlaTarget]:
    """Targets missed by ``now`` that were not reported yet."""
    missed: list[SlaTarget] = []
    if state.response_breached_at is None and state.responded_at is None and now > state.response_due_at:
        missed.append(SlaTarget.RESPONSE)
    if (
        state.resolution_breached_at is None
        and state.resolved_at is None
        and state.status in OPEN
        and now > state.resolution_due_at
    ):
        missed.append(SlaTarget.RESOLUTION)
    return missed


SEVERITY_OF: dict[Priority, Severity] = {
    Priority.P1: Severity.CRITICAL,
    Priority.P2: Severity.MAJOR,
    Priority.P3: Severity.MINOR,
    Priority.P4: Severity.WARNING,
}
