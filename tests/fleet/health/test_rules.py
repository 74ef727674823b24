"""The soft/hard rule and camera status, over their whole transition tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from config.checks import CheckKind
from fleet.cameras.models import CameraStatus
from fleet.health.rules import SoftHard, apply_result, camera_status

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def run(results: str, failures_to_open: int = 3, successes_to_close: int = 2) -> list[tuple[int, bool]]:
    """Feed results ('1' ok, '0' failure) one a minute; return (index, ok) of each hard transition."""
    state = SoftHard()
    seen = []
    for index, char in enumerate(results):
        state, transition = apply_result(
            state,
            char == "1",
            T0 + timedelta(minutes=index),
            failures_to_open=failures_to_open,
            successes_to_close=successes_to_close,
        )
        if transition is not None:
            seen.append((int((transition.at - T0).total_seconds() // 60), transition.ok))
    return seen


@pytest.mark.parametrize(
    ("results", "transitions"),
    [
        ("1", [(0, True)]),  # the first result settles at once
        ("0", [(0, False)]),
        ("10", [(0, True)]),  # one lost packet: nothing
        ("1001", [(0, True)]),  # two failures: still nothing
        ("1000", [(0, True), (1, False)]),  # three: hard down, dated from the first failure
        ("10001", [(0, True), (1, False)]),  # one success after hard down: not yet recovered
        ("100011", [(0, True), (1, False), (4, True)]),  # two: recovered, dated from the first success
        ("1000101", [(0, True), (1, False)]),  # interrupted recovery streak restarts
        ("10010001", [(0, True), (4, False)]),  # interrupted failure streak restarts
        ("0011", [(0, False), (2, True)]),
        ("1111111", [(0, True)]),
    ],
)
def test_soft_hard_transition_table(results: str, transitions: list[tuple[int, bool]]) -> None:
    assert run(results) == transitions


@pytest.mark.parametrize(("failures", "successes"), [(1, 1), (2, 3), (5, 1)])
def test_thresholds_are_settings(failures: int, successes: int) -> None:
    results = "1" + "0" * failures + "1" * successes
    assert run(results, failures, successes) == [(0, True), (1, False), (1 + failures, True)]
    assert run("1" + "0" * (failures - 1), failures, successes) == [(0, True)]


@pytest.mark.parametrize(
    ("hard", "status"),
    [
        ({}, CameraStatus.UNKNOWN),
        ({CheckKind.REACHABILITY: None}, CameraStatus.UNKNOWN),
        ({CheckKind.REACHABILITY: True}, CameraStatus.UP),
        ({CheckKind.REACHABILITY: True, CheckKind.ONVIF_HEALTH: True, CheckKind.SNMP: None}, CameraStatus.UP),
        ({CheckKind.REACHABILITY: True, CheckKind.ONVIF_HEALTH: False}, CameraStatus.DEGRADED),
        ({CheckKind.REACHABILITY: True, CheckKind.SNMP: False}, CameraStatus.DEGRADED),
        ({CheckKind.REACHABILITY: False, CheckKind.ONVIF_HEALTH: True}, CameraStatus.DOWN),
        ({CheckKind.REACHABILITY: False, CheckKind.ONVIF_HEALTH: False}, CameraStatus.DOWN),
        ({CheckKind.REACHABILITY: None, CheckKind.ONVIF_HEALTH: False}, CameraStatus.DEGRADED),
    ],
)
def test_camera_status_table(hard: dict[CheckKind, bool | None], status: CameraStatus) -> None:
    assert camera_status(hard) is status
