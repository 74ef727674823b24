"""Random constructed histories for the roll-up property tests: DST days, outages over day and period borders,
overlapping maintenance windows, unknown gaps, cameras installed or retired mid-period."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from config.zone import LOCAL as AMS
from fleet.uptime.calc import Interval, Span

STATUSES = ("up", "up", "up", "degraded", "down", "down", "maintenance")
# Around the change to summer time (29 March 2026, a 23-hour day) and back (25 October 2026, 25 hours).
STARTS = (date(2026, 3, 24), date(2026, 10, 20))
DAYS = 12


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=AMS).astimezone(UTC)


@dataclass
class History:
    first_day: date
    intervals: list[Interval]
    windows: list[Span]
    installed_on: date | None
    retired_on: date | None
    now: datetime

    @property
    def in_service(self) -> Span:
        start = datetime.min.replace(tzinfo=UTC) if self.installed_on is None else local_midnight(self.installed_on)
        end = datetime.max.replace(tzinfo=UTC) if self.retired_on is None else local_midnight(self.retired_on)
        return start, end


def moment(rng: random.Random, first_day: date) -> datetime:
    """Somewhere in the history; often exactly on a local midnight, where the hard cases are."""
    day = first_day + timedelta(days=rng.randrange(DAYS))
    if rng.random() < 0.2:
        return local_midnight(day)
    return local_midnight(day) + timedelta(microseconds=rng.randrange(25 * 3600 * 10**6))


def history(rng: random.Random) -> History:
    first_day = rng.choice(STARTS)
    cursor = local_midnight(first_day) + timedelta(hours=rng.choice((0, 0, 3.5, 30)))
    end = local_midnight(first_day + timedelta(days=DAYS))
    intervals: list[Interval] = []
    while cursor < end:
        # Long outages span several days; short flaps come in bursts.
        seconds = rng.choice((rng.uniform(1, 900), rng.uniform(600, 40_000), rng.uniform(1, 3) * 86_400))
        length = timedelta(seconds=seconds)
        status = rng.choice(STATUSES)
        if rng.random() < 0.08:  # a monitoring gap: nothing recorded
            cursor += length
            continue
        if rng.random() < 0.1:  # up to the next local midnight exactly
            following = local_midnight(cursor.astimezone(AMS).date() + timedelta(days=1))
            length = following - cursor
        intervals.append(Interval(status, cursor, cursor + length))
        cursor += length
    if intervals and rng.random() < 0.6:  # still current
        last = intervals[-1]
        intervals[-1] = Interval(last.status, last.started_at, None)
    windows: list[Span] = []
    for _ in range(rng.choice((0, 1, 2, 3))):
        start = moment(rng, first_day)
        windows.append((start, start + timedelta(seconds=rng.choice((1800, 7200, 86_400, 200_000)))))
    if windows and rng.random() < 0.5:  # overlapping the first one
        windows.append((windows[0][0] + timedelta(minutes=30), windows[0][1] + timedelta(hours=5)))
    installed = first_day + timedelta(days=rng.randrange(DAYS)) if rng.random() < 0.3 else None
    retired = first_day + timedelta(days=rng.randrange(DAYS)) if rng.random() < 0.3 else None
    if installed is not None and retired is not None and retired <= installed:
        retired = None
    now = end + timedelta(days=3) if rng.random() < 0.6 else moment(rng, first_day)
    return History(first_day, intervals, windows, installed, retired, now)


def period(rng: random.Random, first_day: date) -> Span:
    """A report period inside or around the history, its ends on midnights or not."""
    start, end = sorted((moment(rng, first_day), moment(rng, first_day)))
    if rng.random() < 0.2:
        start = local_midnight(first_day - timedelta(days=2))
    if rng.random() < 0.2:
        end = local_midnight(first_day + timedelta(days=DAYS + 2))
    return (start, end) if start < end else (start, start + timedelta(hours=1))
