"""Alert rules: routing, quiet hours, grouping release, back-off, message composition."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from fleet.alerts import rules
from fleet.alerts.models import AlertEvent
from fleet.faults.models import Severity

ANY = rules.Routing(frozenset(), frozenset(), Severity.WARNING, frozenset())


@pytest.mark.parametrize(
    ("routing", "area", "kind", "severity", "expected"),
    [
        (ANY, "Blerick", "offline", Severity.CRITICAL, True),
        (ANY, "Blerick", "rebooted", Severity.WARNING, True),
        (ANY, "Blerick", "firmware_changed", Severity.INFO, False),
        (
            rules.Routing(frozenset({"Blerick"}), frozenset(), Severity.INFO, frozenset()),
            "Centrum",
            "offline",
            Severity.CRITICAL,
            False,
        ),
        (
            rules.Routing(frozenset({"Blerick"}), frozenset(), Severity.INFO, frozenset()),
            "Blerick",
            "offline",
            Severity.CRITICAL,
            True,
        ),
        (
            rules.Routing(frozenset(), frozenset(), Severity.INFO, frozenset({"clock_drift"})),
            "X",
            "offline",
            Severity.CRITICAL,
            False,
        ),
        (
            rules.Routing(frozenset(), frozenset(), Severity.INFO, frozenset({"clock_drift"})),
            "X",
            "clock_drift",
            Severity.MAJOR,
            True,
        ),
        (
            rules.Routing(frozenset(), frozenset(), Severity.INFO, frozenset({"clock_drift"})),
            "X",
            None,
            Severity.WARNING,
            True,
        ),
    ],
)
def test_routing_table(routing: rules.Routing, area: str, kind: str | None, severity: Severity, expected: bool) -> None:
    assert rules.routes(routing, area=area, site=None, kind=kind, severity=severity) is expected


NIGHT = rules.Routing(frozenset(), frozenset(), Severity.INFO, frozenset(), time(22, 0), time(7, 0))


@pytest.mark.parametrize(
    ("utc_time", "quiet"),
    [
        (datetime(2026, 1, 10, 20, 59, tzinfo=UTC), False),  # 21:59 CET
        (datetime(2026, 1, 10, 21, 0, tzinfo=UTC), True),  # 22:00 CET
        (datetime(2026, 1, 11, 2, 0, tzinfo=UTC), True),
        (datetime(2026, 1, 11, 6, 0, tzinfo=UTC), False),  # 07:00 CET
        (datetime(2026, 7, 11, 5, 30, tzinfo=UTC), False),  # 07:30 CEST
        (datetime(2026, 7, 11, 4, 30, tzinfo=UTC), True),  # 06:30 CEST
    ],
)
def test_quiet_hours_past_midnight_in_local_time(utc_time: datetime, quiet: bool) -> None:
    assert rules.in_quiet_hours(NIGHT, utc_time) is quiet


def test_release_times() -> None:
    window = timedelta(minutes=2)
    night = datetime(2026, 1, 10, 23, 0, tzinfo=UTC)  # 00:00 CET
    morning = datetime(2026, 1, 11, 6, 0, tzinfo=UTC)  # 07:00 CET
    assert (
        rules.release_at(ANY, event=AlertEvent.FAULT_OPENED, severity=Severity.MAJOR, at=night, group_window=window)
        == night + window
    )
    assert (
        rules.release_at(NIGHT, event=AlertEvent.FAULT_OPENED, severity=Severity.MAJOR, at=night, group_window=window)
        == morning
    )
    assert (
        rules.release_at(
            NIGHT, event=AlertEvent.FAULT_OPENED, severity=Severity.CRITICAL, at=night, group_window=window
        )
        == night + window
    )
    assert (
        rules.release_at(NIGHT, event=AlertEvent.FAULT_CLOSED, severity=Severity.MINOR, at=night, group_window=window)
        == morning
    )


def test_retry_back_off() -> None:
    base, cap = timedelta(seconds=30), timedelta(hours=1)
    assert [rules.retry_delay(n, base=base, maximum=cap).total_seconds() for n in (1, 2, 3, 4, 9)] == [
        30,
        60,
        120,
        240,
        3600,
    ]


def test_compose_one_and_many() -> None:
    one = [rules.Line("k1", AlertEvent.FAULT_OPENED, Severity.CRITICAL, "VL-F012: offline", "body")]
    title, body = rules.compose(one, batch_key="b-1", language="nl")
    assert title == "[camfleet] Storing: VL-F012: offline" and body.endswith("Bericht-id: b-1") and "(alert k1)" in body
    many = [rules.Line(f"k{n}", AlertEvent.FAULT_OPENED, Severity.MAJOR, f"VL-F0{n}: offline", "b") for n in range(24)]
    title, body = rules.compose(many, batch_key="b-2", language="en")
    assert title == "[camfleet] Fault (24 alerts, major)"
    assert all(f"VL-F0{n}: offline" in body for n in range(24)) and body.endswith("Message id: b-2")
