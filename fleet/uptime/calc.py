"""Pure uptime arithmetic: from status intervals, maintenance and service spans to availability and outages.

Every moment of a period is exactly one of: up (up or degraded: the camera records), down, maintenance (planned:
never downtime, whatever the camera did), or unknown (no measurement: collector not running, camera not installed
yet or retired — never counted as camera downtime). Availability is up / (period − maintenance − unknown).

All arithmetic is in whole microseconds since the epoch (what the database stores), so sums are exact: figures
summed from daily roll-ups equal the figures computed in one go from the raw intervals, to the last bit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

Span = tuple[datetime, datetime]
Micros = tuple[int, int]  # a half-open span in microseconds since the epoch
# What span arithmetic works on: microseconds here, moments for footage coverage (fleet.recording.coverage).
_At = TypeVar("_At", int, datetime)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
PER_SECOND = 1_000_000


class Use(StrEnum):
    UP = "up"
    DOWN = "down"
    MAINTENANCE = "maintenance"
    UNKNOWN = "unknown"


# How recorded statuses count. Degraded still records video (a protocol failed, the stream did not).
STATUS_USE = {
    "up": Use.UP,
    "degraded": Use.UP,
    "down": Use.DOWN,
    "unknown": Use.UNKNOWN,
    "maintenance": Use.MAINTENANCE,
}


@dataclass(frozen=True, slots=True)
class Interval:
    status: str
    started_at: datetime
    ended_at: datetime | None  # None: still current


def micros(moment: datetime) -> int:
    """A timezone-aware moment as whole microseconds since the epoch."""
    return (moment - EPOCH) // MICROSECOND


def moment(value: int) -> datetime:
    """Microseconds since the epoch as a UTC moment."""
    return EPOCH + value * MICROSECOND


def seconds(value: int) -> float:
    """Microseconds as seconds."""
    return value / PER_SECOND


@dataclass
class Figures:
    """The uptime figures of one camera or group over one period (kept in microseconds, shown in seconds)."""

    period_us: int = 0
    up_us: int = 0
    down_us: int = 0
    maintenance_us: int = 0
    outages: int = 0
    longest_outage_us: int = 0

    @property
    def unknown_us(self) -> int:
        """Neither up, down nor maintenance: not measured."""
        return self.period_us - self.up_us - self.down_us - self.maintenance_us

    @property
    def period_s(self) -> float:
        return seconds(self.period_us)

    @property
    def up_s(self) -> float:
        return seconds(self.up_us)

    @property
    def downtime_s(self) -> float:
        return seconds(self.down_us)

    @property
    def maintenance_s(self) -> float:
        return seconds(self.maintenance_us)

    @property
    def unknown_s(self) -> float:
        return seconds(self.unknown_us)

    @property
    def longest_outage_s(self) -> float:
        return seconds(self.longest_outage_us)

    @property
    def measured_us(self) -> int:
        """The time availability is measured over: period less maintenance and unknown."""
        return self.up_us + self.down_us

    @property
    def availability(self) -> float | None:
        """Up time over measured time; None where nothing was measured."""
        return None if self.measured_us <= 0 else self.up_us / self.measured_us

    @property
    def mttr_s(self) -> float | None:
        """Mean time to repair: the mean outage length."""
        return None if not self.outages else self.down_us / self.outages / PER_SECOND

    @property
    def mtbf_s(self) -> float | None:
        """Mean time between failures: up time per outage (None without outages)."""
        return None if not self.outages else self.up_us / self.outages / PER_SECOND

    def add(self, other: Figures) -> None:
        """Add another camera's figures (for areas, sites, vendors …)."""
        self.period_us += other.period_us
        self.up_us += other.up_us
        self.down_us += other.down_us
        self.maintenance_us += other.maintenance_us
        self.outages += other.outages
        self.longest_outage_us = max(self.longest_outage_us, other.longest_outage_us)


def utc(span: Span) -> Span:
    """A span in UTC.

    Python subtracts two datetimes that share a tzinfo by their wall clocks, so a Europe/Amsterdam span over the
    change to summer time would come out an hour long too much; every span is therefore taken to UTC first.
    """
    return span[0].astimezone(UTC), span[1].astimezone(UTC)


def to_micros(span: Span) -> Micros:
    """A span of moments as microseconds."""
    return micros(span[0]), micros(span[1])


def clip(span: Micros, period: Micros) -> Micros | None:
    """The part of a span inside the period, or None."""
    start, end = max(span[0], period[0]), min(span[1], period[1])
    return (start, end) if start < end else None


def merge(spans: Iterable[tuple[_At, _At]]) -> list[tuple[_At, _At]]:
    """Overlapping or touching spans joined, in order."""
    result: list[tuple[_At, _At]] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def subtract(spans: Sequence[tuple[_At, _At]], holes: Sequence[tuple[_At, _At]]) -> list[tuple[_At, _At]]:
    """The spans with the (merged) holes cut out."""
    result: list[tuple[_At, _At]] = []
    merged_holes = merge(holes)
    for start, end in spans:
        cursor = start
        for hole_start, hole_end in merged_holes:
            if hole_end <= cursor or hole_start >= end:
                continue
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def length(spans: Iterable[Micros]) -> int:
    """The total length of spans."""
    return sum(end - start for start, end in spans)


@dataclass(frozen=True, slots=True)
class Effective:
    """What counts inside a window, as merged spans: up (of which degraded), down, and planned maintenance."""

    up: list[Micros]
    degraded: list[Micros]
    down: list[Micros]
    maintenance: list[Micros]


def effective(
    intervals: Sequence[Interval],
    *,
    window: Micros,
    data_end: int,
    maintenance: Sequence[Micros] = (),
    in_service: Micros | None = None,
) -> Effective:
    """The recorded statuses inside ``window`` after maintenance and the service span are applied.

    An open interval runs until ``data_end``; gaps between intervals are unknown. Outside ``in_service``
    (installed, not yet retired) time is unknown; maintenance (windows, or a recorded maintenance status) wins over
    every recorded status inside it. Intervals of a camera never overlap (one open interval, closed when the next
    opens).
    """
    spans: dict[str, list[Micros]] = {"up": [], "degraded": [], "down": [], "maintenance": []}
    for interval in intervals:
        end = data_end if interval.ended_at is None else micros(interval.ended_at)
        span = clip((micros(interval.started_at), end), window)
        if span is None:
            continue
        use = STATUS_USE.get(interval.status, Use.UNKNOWN)
        if interval.status == "degraded":
            spans["degraded"].append(span)
        if use is not Use.UNKNOWN:
            spans[use.value].append(span)
    outside = subtract([window], [in_service]) if in_service is not None else []
    windows = [span for m in maintenance if (span := clip(m, window)) is not None]
    planned = subtract(merge([*windows, *spans["maintenance"]]), outside)
    excluded = merge([*outside, *planned])
    return Effective(
        up=subtract(merge(spans["up"]), excluded),
        degraded=subtract(merge(spans["degraded"]), excluded),
        down=subtract(merge(spans["down"]), excluded),
        maintenance=planned,
    )


def camera_figures(
    intervals: Sequence[Interval],
    *,
    period: Span,
    now: datetime,
    maintenance: Sequence[Span] = (),
    in_service: Span | None = None,
) -> Figures:
    """One camera's figures over ``period``, straight from its raw status intervals.

    ``in_service`` bounds when the camera counted at all (installed, not yet retired): outside it, time is unknown.
    Maintenance wins over every recorded status; an outage cut by maintenance counts once per remaining piece.
    """
    window = to_micros(utc(period))
    found = effective(
        intervals,
        window=window,
        data_end=min(micros(now), window[1]),
        maintenance=[to_micros(m) for m in maintenance],
        in_service=None if in_service is None else to_micros(in_service),
    )
    return Figures(
        period_us=window[1] - window[0],
        up_us=length(found.up),
        down_us=length(found.down),
        maintenance_us=length(found.maintenance),
        outages=len(found.down),
        longest_outage_us=max((end - start for start, end in found.down), default=0),
    )


def days(period: Span, zone: ZoneInfo) -> list[Span]:
    """The calendar days of a period in a time zone: 23 or 25 hours long around daylight saving time."""
    day = period[0].astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    result: list[Span] = []
    while day < period[1]:
        # Aware arithmetic keeps the wall clock: the next local midnight, whatever the offset does.
        following = day + timedelta(days=1)
        span = clip(to_micros(utc((day, following))), to_micros(utc(period)))
        if span is not None:
            result.append((moment(span[0]), moment(span[1])))
        day = following
    return result
