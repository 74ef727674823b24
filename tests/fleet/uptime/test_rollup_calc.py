"""Stretches summed day by day equal the figures from the raw intervals in one go, to the microsecond."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from fleet.uptime.calc import camera_figures, micros, to_micros
from fleet.uptime.stretch import Stretch, combine, fold, stretches
from tests.fleet.uptime.histories import DAYS, History, history, local_midnight, period


def rolled_days(found: History, *, through_days: int) -> list[Stretch]:
    """What the roll-up job stores: every day from the first, in order, each continuing the one before."""
    bounds = [micros(local_midnight(found.first_day + timedelta(days=n))) for n in range(through_days + 1)]
    return stretches(
        found.intervals,
        bounds=bounds,
        data_end=bounds[-1],
        maintenance=[to_micros(w) for w in found.windows],
        in_service=to_micros(found.in_service),
    )


def raw(found: History, lo: int, hi: int, data_end: int, carried: int | None = None) -> list[Stretch]:
    """A stretch straight from the raw intervals, as reports compute the days not rolled up."""
    return stretches(
        found.intervals,
        bounds=[lo, hi],
        data_end=data_end,
        maintenance=[to_micros(w) for w in found.windows],
        in_service=to_micros(found.in_service),
        carried=carried,
    )


@pytest.mark.parametrize("seed", range(40))
def test_rolled_up_days_plus_raw_edges_equal_raw_figures(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(25):
        found = history(rng)
        days_closed = [
            n for n in range(DAYS + 3) if local_midnight(found.first_day + timedelta(days=n + 1)) <= found.now
        ]
        # The job may be behind: only some of the closed days are rolled up.
        through_days = rng.randint(0, len(days_closed)) if days_closed else 0
        days = rolled_days(found, through_days=through_days) if through_days else []
        for _ in range(8):
            start, end = period(rng, found.first_day)
            a, b = to_micros((start, end))
            expected = camera_figures(
                found.intervals,
                period=(start, end),
                now=found.now,
                maintenance=found.windows,
                in_service=found.in_service,
            )
            data_end = min(micros(found.now), b)
            inside = [d for d in days if d.start >= a and d.end <= min(b, data_end)]
            if inside:
                head = raw(found, a, inside[0].start, data_end) if a < inside[0].start else []
                tail = raw(found, inside[-1].end, b, data_end, inside[-1].tail_start) if inside[-1].end < b else []
                parts = [*head, *inside, *tail]
            else:
                parts = raw(found, a, b, data_end)
            assert combine(parts, period=(a, b)) == expected, (seed, found, start, end)


def test_an_outage_over_three_days_counts_once_with_its_whole_length() -> None:
    rng = random.Random(1)
    found = history(rng)
    start = local_midnight(found.first_day) + timedelta(hours=20)
    end = local_midnight(found.first_day + timedelta(days=3)) + timedelta(hours=2)
    found.intervals = [type(found.intervals[0])("down", start, end)] if found.intervals else []
    found.windows, found.installed_on, found.retired_on = [], None, None
    days = rolled_days(found, through_days=5)
    figures = combine(days, period=(days[0].start, days[-1].end))
    assert (figures.outages, figures.longest_outage_us) == (1, micros(end) - micros(start))
    assert [d.starts for d in days[:4]] == [1, 0, 0, 0]
    assert [d.head_start is not None for d in days[:4]] == [False, True, True, True]


@pytest.mark.parametrize("seed", range(20))
def test_days_folded_into_one_stretch_equal_the_stretch_computed_whole(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(20):
        found = history(rng)
        days = rolled_days(found, through_days=DAYS)
        first = rng.randrange(DAYS - 1)
        last = rng.randrange(first + 1, DAYS + 1)
        carried = days[first - 1].tail_start if first else None
        [whole] = stretches(
            found.intervals,
            bounds=[days[first].start, days[last - 1].end],
            data_end=days[-1].end,
            maintenance=[to_micros(w) for w in found.windows],
            in_service=to_micros(found.in_service),
            carried=carried,
        )
        assert fold(days[first:last]) == whole, (seed, first, last)
