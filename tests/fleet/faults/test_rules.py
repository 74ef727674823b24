"""Fault rules over their whole tables: check → fault, flapping with hysteresis, reboots, identity, groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from config.checks import CheckKind
from fleet.faults import rules
from fleet.faults.models import FaultKind, Severity
from fleet.faults.rules import FlapEvent, Flapping, desired_check_faults, update_flapping
from fleet.health.models import CheckState, ErrorClass

T0 = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "error", "fault"),
    [
        (CheckKind.REACHABILITY, ErrorClass.UNREACHABLE, FaultKind.OFFLINE),
        (CheckKind.REACHABILITY, ErrorClass.TIMEOUT, FaultKind.OFFLINE),
        (CheckKind.SNMP, ErrorClass.TIMEOUT, FaultKind.SNMP_UNREACHABLE),
        (CheckKind.ONVIF_HEALTH, ErrorClass.AUTH_FAILED, FaultKind.ONVIF_AUTH_FAILED),
        (CheckKind.ONVIF_IDENTITY, ErrorClass.AUTH_FAILED, FaultKind.ONVIF_AUTH_FAILED),
        (CheckKind.ONVIF_HEALTH, ErrorClass.BAD_RESPONSE, FaultKind.ONVIF_ERROR),
        (CheckKind.ONVIF_IDENTITY, ErrorClass.TIMEOUT, FaultKind.ONVIF_ERROR),
        (CheckKind.ONVIF_IDENTITY, None, FaultKind.ONVIF_ERROR),
    ],
)
def test_check_fault_table(kind: CheckKind, error: ErrorClass | None, fault: FaultKind) -> None:
    assert rules.check_fault(kind, error) is fault


def test_every_kind_has_a_severity() -> None:
    assert set(rules.SEVERITY) == set(FaultKind)
    assert rules.SEVERITY[FaultKind.CLOCK_DRIFT].rank > Severity.MINOR.rank


def _state(kind: CheckKind, hard_ok: bool | None, error: ErrorClass | None = None, minute: int = 0) -> CheckState:
    return CheckState(
        camera_id=1,
        kind=kind,
        hard_ok=hard_ok,
        hard_since=T0 + timedelta(minutes=minute),
        last_error_class=error,
        failures_in_a_row=0 if hard_ok else 3,
    )


@pytest.mark.parametrize(
    ("states", "wanted"),
    [
        ([_state(CheckKind.REACHABILITY, True)], {}),
        ([_state(CheckKind.REACHABILITY, None)], {}),
        (
            [_state(CheckKind.REACHABILITY, False, minute=2), _state(CheckKind.ONVIF_HEALTH, False, minute=1)],
            {FaultKind.OFFLINE: 2},
        ),
        (
            [
                _state(CheckKind.REACHABILITY, True),
                _state(CheckKind.ONVIF_HEALTH, False, ErrorClass.AUTH_FAILED, minute=3),
                _state(CheckKind.ONVIF_IDENTITY, False, ErrorClass.AUTH_FAILED, minute=1),
                _state(CheckKind.SNMP, False, ErrorClass.TIMEOUT, minute=5),
            ],
            {FaultKind.ONVIF_AUTH_FAILED: 1, FaultKind.SNMP_UNREACHABLE: 5},
        ),
        (
            [_state(CheckKind.REACHABILITY, True), _state(CheckKind.ONVIF_HEALTH, False, ErrorClass.BAD_RESPONSE)],
            {FaultKind.ONVIF_ERROR: 0},
        ),
    ],
)
def test_desired_check_faults(states: list[CheckState], wanted: dict[FaultKind, int]) -> None:
    expected = {k: T0 + timedelta(minutes=m) for k, m in wanted.items()}
    assert desired_check_faults(states, failures_to_open=3) == expected


def test_a_first_failure_settles_status_but_opens_no_fault_until_it_lasts() -> None:
    first = _state(CheckKind.REACHABILITY, False)
    first.failures_in_a_row = 1
    assert desired_check_faults([first], failures_to_open=3) == {}
    # Once open, a fault stays wanted while the check is hard-failed, even after one lucky success.
    first.failures_in_a_row = 0
    assert desired_check_faults([first], failures_to_open=3, already_open={FaultKind.OFFLINE}) == {
        FaultKind.OFFLINE: T0
    }


def _flap(results: str, start: float = 0.5, stop: float = 0.25) -> list[tuple[int, FlapEvent]]:
    state, events = Flapping(), []
    for index, char in enumerate(results):
        state, event = update_flapping(state, char == "1", start=start, stop=stop)
        if event is not None:
            events.append((index, event))
    return events


@pytest.mark.parametrize(
    ("results", "events"),
    [
        ("1" * 30, []),
        ("0" * 30, []),
        ("1" * 10 + "0" * 20, []),  # one change is an outage, not flapping
        ("10" * 15, [(9, FlapEvent.STARTED)]),  # alternating: starts once half a window of history is there
        ("10" * 15 + "1" * 30, [(9, FlapEvent.STARTED), (45, FlapEvent.ENDED)]),
        # Between the thresholds (40 % changes) nothing changes: hysteresis keeps whichever state it is in.
        ("10" * 15 + "11100" * 8, [(9, FlapEvent.STARTED)]),
        ("1" * 20 + "11100" * 8, []),
    ],
)
def test_flapping_table(results: str, events: list[tuple[int, FlapEvent]]) -> None:
    assert _flap(results) == events


def test_state_change_share_weights_recent_changes_more() -> None:
    assert rules.state_change_share("1" * 21) == 0
    assert rules.state_change_share("10" * 10 + "1") == pytest.approx(1.0)
    old, new = "01" + "1" * 19, "1" * 19 + "01"
    assert rules.state_change_share(old) < rules.state_change_share(new)


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (None, 10.0, False),
        (100.0, None, False),
        (100.0, 160.0, False),
        (100.0, 5.0, True),
        (rules.UPTIME_WRAP_S - 10, 20.0, False),  # sysUpTime wrapped after 497 days: not a reboot
        (rules.UPTIME_WRAP_S - 100_000, 20.0, True),
    ],
)
def test_rebooted_table(before: float | None, after: float | None, expected: bool) -> None:
    assert rules.rebooted(before, after) is expected


def test_reboot_loop_counts_the_last_24_hours() -> None:
    hours = [T0 - timedelta(hours=h) for h in (1, 5, 23)]
    assert rules.reboot_loop(hours, T0)
    assert not rules.reboot_loop(hours[:2], T0)
    assert not rules.reboot_loop([*hours[:2], T0 - timedelta(hours=25)], T0)


@pytest.mark.parametrize(
    ("serials", "macs", "changed"),
    [
        ((None, "A1"), (None, "aa"), []),
        (("A1", "A1"), ("aa:bb", "AA:BB"), []),
        (("A1", "B2"), ("aa", "aa"), ["serial"]),
        (("A1", "A1"), ("aa", "bb"), ["mac"]),
        (("A1", "B2"), ("aa", "bb"), ["serial", "mac"]),
        (("A1", None), ("aa", None), []),
    ],
)
def test_identity_changed_table(
    serials: tuple[str | None, str | None], macs: tuple[str | None, str | None], changed: list[str]
) -> None:
    assert rules.identity_changed(serials[0], serials[1], macs[0], macs[1]) == changed


@pytest.mark.parametrize(
    ("members", "down", "expected"),
    [(24, 24, True), (24, 12, True), (24, 11, False), (4, 2, False), (4, 3, True), (0, 0, False), (2, 2, False)],
)
def test_group_outage_table(members: int, down: int, expected: bool) -> None:
    assert rules.group_outage(members, down) is expected


def test_clock_drift_threshold() -> None:
    limit = timedelta(seconds=5)
    assert rules.clock_drifting(None, limit) is None
    assert rules.clock_drifting(4.9, limit) is False
    assert rules.clock_drifting(-5.1, limit) is True
