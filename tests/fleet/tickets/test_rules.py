"""Ticket rules without a database: the whole workflow table, SLA due times, the policy, breaches."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from config.tickets import BusinessHours, TicketSettings
from fleet.faults.models import FaultKind, Severity
from fleet.faults.rules import SEVERITY
from fleet.tickets import rules
from fleet.tickets.models import Priority, SlaTarget, TicketStatus

S = TicketStatus
H = timedelta(hours=1)

ALLOWED = {
    (S.NEW, S.ASSIGNED),
    (S.NEW, S.RESOLVED),
    (S.ASSIGNED, S.NEW),
    (S.ASSIGNED, S.IN_PROGRESS),
    (S.ASSIGNED, S.RESOLVED),
    (S.IN_PROGRESS, S.WAITING_PARTS),
    (S.IN_PROGRESS, S.WAITING_VENDOR),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.WAITING_PARTS, S.IN_PROGRESS),
    (S.WAITING_PARTS, S.WAITING_VENDOR),
    (S.WAITING_VENDOR, S.IN_PROGRESS),
    (S.WAITING_VENDOR, S.WAITING_PARTS),
    (S.RESOLVED, S.CLOSED),
    (S.RESOLVED, S.IN_PROGRESS),
    (S.RESOLVED, S.ASSIGNED),
    (S.RESOLVED, S.NEW),
    (S.CLOSED, S.ASSIGNED),
    (S.CLOSED, S.NEW),
}


@pytest.mark.parametrize(("current", "wanted"), list(itertools.product(TicketStatus, TicketStatus)))
def test_transition_table(current: TicketStatus, wanted: TicketStatus) -> None:
    assert rules.can_move(current, wanted) is ((current, wanted) in ALLOWED)
    assert (wanted in rules.allowed_next(current)) is ((current, wanted) in ALLOWED)


@pytest.mark.parametrize(
    ("current", "wanted", "reopening"),
    [
        (S.CLOSED, S.NEW, True),
        (S.CLOSED, S.ASSIGNED, True),
        (S.RESOLVED, S.ASSIGNED, True),
        (S.RESOLVED, S.IN_PROGRESS, True),
        (S.RESOLVED, S.CLOSED, False),
        (S.IN_PROGRESS, S.RESOLVED, False),
        (S.ASSIGNED, S.NEW, False),
    ],
)
def test_reopening(current: TicketStatus, wanted: TicketStatus, reopening: bool) -> None:
    assert rules.is_reopening(current, wanted) is reopening


def test_reopened_ticket_goes_back_to_its_technician() -> None:
    assert rules.reopen_status(True) is S.ASSIGNED
    assert rules.reopen_status(False) is S.NEW


def test_allowed_next_is_in_workflow_order() -> None:
    assert rules.allowed_next(S.RESOLVED) == [S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.CLOSED]


# --- SLA due times. ------------------------------------------------------------------------------------------

OFFICE = BusinessHours()  # Mon-Fri 08:00-17:00 Europe/Amsterdam


def local(text: str, offset_h: int) -> datetime:
    """A UTC moment from an Amsterdam wall time with its known UTC offset (+2 summer, +1 winter)."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC) - timedelta(hours=offset_h)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # Within one working day.
        (local("2026-06-03T09:00", 2), 4 * H, local("2026-06-03T13:00", 2)),
        # Starts before opening: the clock starts at 08:00.
        (local("2026-06-03T06:30", 2), 2 * H, local("2026-06-03T10:00", 2)),
        # Runs past closing into the next morning.
        (local("2026-06-03T16:00", 2), 3 * H, local("2026-06-04T10:00", 2)),
        # Friday afternoon over the weekend to Monday.
        (local("2026-06-05T15:00", 2), 4 * H, local("2026-06-08T10:00", 2)),
        # Opened on a Saturday: nothing counts until Monday 08:00.
        (local("2026-06-06T11:00", 2), 1 * H, local("2026-06-08T09:00", 2)),
        # Ends exactly at closing time.
        (local("2026-06-03T08:00", 2), 9 * H, local("2026-06-03T17:00", 2)),
        # Over the weekend in which summer time ends (Sunday 25 October 2026): Monday is +1.
        (local("2026-10-23T16:00", 2), 4 * H, local("2026-10-26T11:00", 1)),
        # Over the weekend in which summer time starts (Sunday 29 March 2026): Monday is +2.
        (local("2026-03-27T16:00", 1), 4 * H, local("2026-03-30T11:00", 2)),
        # Several working days.
        (local("2026-06-01T08:00", 2), 45 * H, local("2026-06-05T17:00", 2)),
    ],
)
def test_business_hours(start: datetime, duration: timedelta, due: datetime) -> None:
    assert rules.due_at(start, duration, OFFICE, business=True) == due


def test_business_hours_with_a_weekend_shift() -> None:
    weekend = BusinessHours(days=[5, 6], start="10:00", end="14:00")
    friday = local("2026-06-05T12:00", 2)
    assert rules.due_at(friday, 5 * H, weekend, business=True) == local("2026-06-07T11:00", 2)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        (datetime(2026, 6, 3, 7, 0, tzinfo=UTC), 8 * H, datetime(2026, 6, 3, 15, 0, tzinfo=UTC)),
        # Wall clock across the end of summer time: eight real hours, though local clocks show nine.
        (local("2026-10-25T00:00", 2), 8 * H, local("2026-10-25T07:00", 1)),
        # Across the start of summer time: eight real hours, yet local clocks go from 00:00 to 09:00.
        (local("2026-03-29T00:00", 1), 8 * H, local("2026-03-29T09:00", 2)),
    ],
)
def test_wall_clock(start: datetime, duration: timedelta, due: datetime) -> None:
    assert rules.due_at(start, duration, OFFICE, business=False) == due
    assert rules.due_at(start, duration, None, business=True) == due  # business hours not set: wall clock


def test_default_targets() -> None:
    settings = TicketSettings()
    friday_evening = local("2026-06-05T18:00", 2)
    p1 = rules.due_times(Priority.P1, friday_evening, settings)
    assert (p1.response, p1.resolution) == (friday_evening + H, friday_evening + 8 * H)
    p2 = rules.due_times(Priority.P2, friday_evening, settings)
    assert p2.response == local("2026-06-08T12:00", 2)
    assert p2.resolution == local("2026-06-09T17:00", 2)
    without = TicketSettings(business_hours=None)
    assert rules.due_times(Priority.P2, friday_evening, without).response == friday_evening + 4 * H


# --- The automatic policy. -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "priority"),
    [
        (FaultKind.OFFLINE, Priority.P1),
        (FaultKind.GROUP_OUTAGE, Priority.P1),
        (FaultKind.STORAGE_FAILURE, Priority.P2),
        (FaultKind.REBOOT_LOOP, Priority.P2),
        (FaultKind.ONVIF_AUTH_FAILED, Priority.P2),
        (FaultKind.CLOCK_DRIFT, Priority.P2),
        (FaultKind.TEMPERATURE_HIGH, Priority.P2),
        (FaultKind.ONVIF_ERROR, Priority.P3),
        (FaultKind.IDENTITY_CHANGED, Priority.P3),
        (FaultKind.SNMP_UNREACHABLE, None),
        (FaultKind.REBOOTED, None),
        (FaultKind.FIRMWARE_CHANGED, None),
    ],
)
def test_default_policy(kind: FaultKind, priority: Priority | None) -> None:
    assert rules.policy_priority(kind, SEVERITY[kind], TicketSettings()) is priority


def test_default_policy_names_only_known_kinds() -> None:
    named = {kind for rule in TicketSettings().policy for kind in rule.kinds}
    assert named <= {k.value for k in FaultKind}


def test_policy_by_severity_first_match_wins() -> None:
    settings = TicketSettings.model_validate(
        {
            "policy": [
                {"kinds": ["offline"], "min_severity": "critical", "priority": "p2"},
                {"min_severity": "major", "priority": "p3"},
            ]
        }
    )
    assert rules.policy_priority(FaultKind.OFFLINE, Severity.CRITICAL, settings) is Priority.P2
    assert rules.policy_priority(FaultKind.OFFLINE, Severity.MAJOR, settings) is Priority.P3
    assert rules.policy_priority(FaultKind.CLOCK_DRIFT, Severity.MAJOR, settings) is Priority.P3
    assert rules.policy_priority(FaultKind.ONVIF_ERROR, Severity.MINOR, settings) is None


def test_settings_refuse_bad_business_hours_and_missing_targets() -> None:
    with pytest.raises(ValueError, match="end must be after start"):
        BusinessHours(start="17:00", end="08:00")
    with pytest.raises(ValueError, match="unknown time zone"):
        BusinessHours(timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="targets missing for p4"):
        TicketSettings.model_validate(
            {"targets": {p: {"response": "1h", "resolution": "2h"} for p in ("p1", "p2", "p3")}}
        )


# --- Breaches. -----------------------------------------------------------------------------------------------

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def state(**changes: Any) -> rules.SlaState:
    fresh = rules.SlaState(S.NEW, T0 + H, T0 + 8 * H, None, None, None, None)
    return replace(fresh, **changes)


@pytest.mark.parametrize(
    ("sla", "now", "missed"),
    [
        (state(), T0 + H, []),  # due is still in time
        (state(), T0 + 2 * H, [SlaTarget.RESPONSE]),
        (state(responded_at=T0 + H / 2), T0 + 2 * H, []),
        (state(), T0 + 9 * H, [SlaTarget.RESPONSE, SlaTarget.RESOLUTION]),
        (state(response_breached_at=T0 + 2 * H), T0 + 9 * H, [SlaTarget.RESOLUTION]),
        (state(response_breached_at=T0, resolution_breached_at=T0), T0 + 9 * H, []),
        (state(status=S.WAITING_PARTS, responded_at=T0), T0 + 9 * H, [SlaTarget.RESOLUTION]),
        (state(status=S.RESOLVED, responded_at=T0, resolved_at=T0 + 7 * H), T0 + 9 * H, []),
    ],
)
def test_breaches(sla: rules.SlaState, now: datetime, missed: list[SlaTarget]) -> None:
    assert list(rules.breaches(sla, now)) == missed
