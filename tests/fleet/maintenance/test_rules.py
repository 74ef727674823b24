"""Occurrences of maintenance windows, across daylight saving time, and scopes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fleet.maintenance.rules import MAX_OCCURRENCES, RecurrenceError, Scope, last_end, occurrences, parse_rule, validate


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_one_off_window_overlap() -> None:
    start, end = utc(2026, 3, 1, 6), utc(2026, 3, 1, 8)
    assert list(occurrences(start, end, None, between=(utc(2026, 3, 1), utc(2026, 3, 2)))) == [(start, end)]
    assert list(occurrences(start, end, None, between=(utc(2026, 3, 1, 8), utc(2026, 3, 2)))) == []
    assert list(occurrences(start, end, None, between=(utc(2026, 3, 1, 7, 59), utc(2026, 3, 1, 9)))) == [(start, end)]


def test_weekly_window_keeps_local_time_across_dst() -> None:
    # Tuesdays 06:00-07:00 Amsterdam time; summer time starts on Sunday 29 March 2026.
    start, end = utc(2026, 3, 17, 5), utc(2026, 3, 17, 6)  # 06:00 CET = 05:00 UTC
    found = list(occurrences(start, end, "FREQ=WEEKLY;BYDAY=TU", between=(utc(2026, 3, 16), utc(2026, 4, 8))))
    assert found == [
        (utc(2026, 3, 17, 5), utc(2026, 3, 17, 6)),
        (utc(2026, 3, 24, 5), utc(2026, 3, 24, 6)),
        (utc(2026, 3, 31, 4), utc(2026, 3, 31, 5)),  # 06:00 CEST = 04:00 UTC
        (utc(2026, 4, 7, 4), utc(2026, 4, 7, 5)),
    ]


def test_occurrence_running_at_the_start_of_the_range_is_found() -> None:
    start, end = utc(2026, 1, 1, 22), utc(2026, 1, 2, 4)  # nightly 23:00-05:00 local
    found = list(occurrences(start, end, "FREQ=DAILY", between=(utc(2026, 1, 10, 2), utc(2026, 1, 10, 3))))
    assert found == [(utc(2026, 1, 9, 22), utc(2026, 1, 10, 4))]


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (None, utc(2026, 3, 17, 6)),
        ("FREQ=WEEKLY;BYDAY=TU", None),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=3", utc(2026, 3, 31, 5)),
        ("FREQ=DAILY;UNTIL=20260320T235959Z", utc(2026, 3, 20, 6)),
    ],
)
def test_last_end(rule: str | None, expected: datetime | None) -> None:
    assert last_end(utc(2026, 3, 17, 5), utc(2026, 3, 17, 6), rule) == expected


@pytest.mark.parametrize("rule", ["FREQ=SOMETIMES", "BYDAY=XX", "DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "hello"])
def test_bad_rules(rule: str) -> None:
    with pytest.raises(RecurrenceError):
        parse_rule(rule, utc(2026, 1, 1))


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY;COUNT=3000000",
        "FREQ=MINUTELY",
        "freq=minutely;interval=5",
        "FREQ=HOURLY;BYMINUTE=0,15,30,45",
        "FREQ=DAILY;BYSECOND=0",
        f"FREQ=DAILY;COUNT={MAX_OCCURRENCES + 1}",
    ],
)
def test_rules_finer_than_hourly_or_too_long_are_refused(rule: str) -> None:
    with pytest.raises(RecurrenceError):
        validate(rule, utc(2026, 1, 1))


def test_a_far_until_is_refused_after_expanding_at_most_the_cap() -> None:
    with pytest.raises(RecurrenceError, match="more than the"):
        validate("FREQ=HOURLY;UNTIL=20300101T000000Z", utc(2026, 1, 1))
    validate("FREQ=HOURLY;UNTIL=20261201T000000Z", utc(2026, 1, 1))  # 8,000 hours: allowed
    validate(f"FREQ=DAILY;COUNT={MAX_OCCURRENCES}", utc(2026, 1, 1))


def test_scope() -> None:
    assert Scope().covers(1, None, None, "default")
    scope = Scope(camera_ids=frozenset({7}), areas=frozenset({"Blerick"}), poller_groups=frozenset({"4g"}))
    assert scope.covers(7, None, None, "default")
    assert scope.covers(8, "Blerick", None, "default")
    assert scope.covers(9, "Centrum", None, "4g")
    assert not scope.covers(10, "Centrum", "Markt", "ring-a")
