"""Pure uptime arithmetic: from status intervals, maintenance and service spans to availability and outages.

Every second of a period is exactly one of: up (up or degraded: the camera records), down, maintenance (planned:
never downtime, whatever the camera did), or unknown (no measurement: collector not running, camera not installed
yet or retired — never counted as camera downtime). Availability is up / (period − maintenance − unknown).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

Span = tuple[datetime, datetime]


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


@dataclass
class Figures:
    """The uptime figures of one camera or group over one period (seconds)."""

    period_s: float = 0.0
    up_s: float = 0.0
    downtime_s: float = 0.0
    maintenance_s: float = 0.0
    unknown_s: float = 0.0
    outages: int = 0
    longest_outage_s: float = 0.0
    outage_durations: list[float] = field(default_factory=list)

    @property
    def measured_s(self) -> float:
        """The time availability is measured over: period less maintenance and unknown."""
        return self.period_s - self.maintenance_s - self.unknown_s

    @property
    def availability(self) -> float | None:
        """Up time over measured time; None where nothing was measured."""
        return None if self.measured_s <= 0 else self.up_s / self.measured_s

    @property
    def mttr_s(self) -> float | None:
        """Mean time to repair: the mean outage length."""
        return None if not self.outages else self.downtime_s / self.outages

    @property
    def mtbf_s(self) -> float | None:
        """Mean time between failures: up time per outage (None without outages)."""
        return None if not self.outages else self.up_s / self.outages

    def add(self, other: Figures) -> None:
        """Add another camera's figures (for areas, sites, vendors …)."""
        self.period_s += other.period_s
        self.up_s += other.up_s
        self.downtime_s += other.downtime_s
        self.maintenance_s += other.maintenance_s
        self.unknown_s += other.unknown_s
        self.outages += other.outages
        self.longest_outage_s = max(self.longest_outage_s, other.longest_outage_s)
        self.outage_durations.extend(other.outage_durations)


def utc(span: Span) -> Span:
    """A span in UTC.

    Python subtracts two datetimes that share a tzinfo by their wall clocks, so a Europe/Amsterdam span over the
    change to summer time would come out an hour long too much; every span is therefore taken to UTC first.
    """
    return span[0].astimezone(UTC), span[1].astimezone(UTC)


def clip(span: Span, period: Span) -> Span | None:
    """The part of a span inside the period, or None."""
    start, end = max(span[0], period[0]), min(span[1], period[1])
    return (start, end) if start < end else None


def merge(spans: Iterable[Span]) -> list[Span]:
    """Overlapping or touching spans joined, in order."""
    result: list[Span] = []
    for start, end in sorted(spans):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], end))
        else:
            result.append((start, end))
    return result


def subtract(spans: Sequence[Span], holes: Sequence[Span]) -> list[Span]:
    """The spans with the (merged) holes cut out."""
    result: list[Span] = []
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


def _length(spans: Iterable[Span]) -> float:
    return sum((end - start).total_seconds() for start, end in spans)


def timeline(intervals: Sequence[Interval], *, period: Span, now: datetime) -> dict[Use, list[Span]]:
    """The recorded statuses as spans per use inside the period; gaps between intervals are unknown."""
    uses: dict[Use, list[Span]] = {use: [] for use in Use}
    end_of_data = min(now, period[1])
    covered: list[Span] = []
    for interval in intervals:
        span = clip((interval.started_at, interval.ended_at or end_of_data), period)
        if span is None:
            continue
        uses[STATUS_USE.get(interval.status, Use.UNKNOWN)].append(span)
        covered.append(span)
    uses[Use.UNKNOWN].extend(subtract([period], covered))
    return {use: merge(spans) for use, spans in uses.items()}


def camera_figures(
    intervals: Sequence[Interval],
    *,
    period: Span,
    now: datetime,
    maintenance: Sequence[Span] = (),
    in_service: Span | None = None,
) -> Figures:
    """One camera's figures over ``period``.

    ``in_service`` bounds when the camera counted at all (installed, not yet retired): outside it, time is unknown.
    Maintenance wins over every recorded status; an outage cut by maintenance counts once per remaining piece.
    """
    period = utc(period)
    intervals = [
        Interval(i.status, i.started_at.astimezone(UTC), None if i.ended_at is None else i.ended_at.astimezone(UTC))
        for i in intervals
    ]
    uses = timeline(intervals, period=period, now=now.astimezone(UTC))
    outside = subtract([period], [utc(in_service)]) if in_service is not None else []
    windows = [span for m in maintenance if (span := clip(utc(m), period)) is not None]
    planned = subtract(merge([*windows, *uses[Use.MAINTENANCE]]), outside)
    excluded = merge([*outside, *planned])
    up = subtract(uses[Use.UP], excluded)
    down = subtract(uses[Use.DOWN], excluded)
    figures = Figures(period_s=(period[1] - period[0]).total_seconds())
    figures.up_s = _length(up)
    figures.downtime_s = _length(down)
    figures.maintenance_s = _length(planned)
    figures.unknown_s = figures.period_s - figures.up_s - figures.downtime_s - figures.maintenance_s
    figures.outage_durations = [(end - start).total_seconds() for start, end in down]
    figures.outages = len(down)
    figures.longest_outage_s = max(figures.outage_durations, default=0.0)
    return figures


def days(period: Span, zone: ZoneInfo) -> list[Span]:
    """The calendar days of a period in a time zone: 23 or 25 hours long around daylight saving time."""
    day = period[0].astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    result: list[Span] = []
    while day < period[1]:
        # Aware arithmetic keeps the wall clock: the next local midnight, whatever the offset does.
        following = day + timedelta(days=1)
        span = clip(utc((day, following)), utc(period))
        if span is not None:
            result.append(span)
        day = following
    return result
