"""Stretches: pieces of one camera's time (a local day, a month, the ends of a period) summed so they add up exactly.

A period's figures from its stretches (``combine``) equal the figures computed over it in one go
(``fleet.uptime.calc.camera_figures``), which lets daily and monthly roll-ups stand in for the raw intervals.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from fleet.uptime.calc import Figures, Interval, Micros, effective, length


@dataclass(frozen=True, slots=True)
class Stretch:
    """A stretch of one camera's time (a local day, or a part of a period) summed so stretches add up exactly.

    An outage running over a boundary is one outage: it is counted where it starts (``starts``), and a stretch
    that begins inside one records where that outage began (``head_start``), so the first stretch of a period can
    count it and the longest outage can be measured over several stretches.
    """

    start: int
    end: int
    up: int = 0
    degraded: int = 0
    down: int = 0
    maintenance: int = 0
    starts: int = 0  # outages beginning inside the stretch
    head_start: int | None = None  # where the outage running at ``start`` began (None: not down at ``start``)
    head_end: int | None = None  # where that outage's piece in this stretch ends (None: folded into ``longest``)
    longest: int = 0  # the longest other outage piece
    tail_start: int | None = None  # where the outage still running at ``end`` began

    @property
    def empty(self) -> bool:
        """Nothing recorded at all: the whole stretch is unknown."""
        return not (self.up or self.down or self.maintenance)


def stretches(
    intervals: Sequence[Interval],
    *,
    bounds: Sequence[int],
    data_end: int,
    maintenance: Sequence[Micros] = (),
    in_service: Micros | None = None,
    carried: int | None = None,
) -> list[Stretch]:
    """The stretches between consecutive ``bounds`` (microseconds, ascending).

    ``carried`` is where the outage running up to ``bounds[0]`` began, if one was (from the previous stretch's
    ``tail_start``); without it an outage at ``bounds[0]`` starts there.
    """
    found = effective(
        intervals,
        window=(bounds[0], bounds[-1]),
        data_end=data_end,
        maintenance=maintenance,
        in_service=in_service,
    )
    up, degraded = lengths(found.up, bounds), lengths(found.degraded, bounds)
    planned, pieces = lengths(found.maintenance, bounds), split(found.down, bounds)
    result: list[Stretch] = []
    # The outage running at the current boundary: where it began, and whether it reaches the boundary.
    running = carried
    for index, (start, end) in enumerate(zip(bounds, bounds[1:], strict=False)):
        down = pieces[index]
        starts, longest = 0, 0
        head_start = head_end = tail_start = None
        for piece_start, piece_end in down:
            if piece_start == start and running is not None:
                head_start, head_end, origin = running, piece_end, running
            else:
                starts += 1
                longest = max(longest, piece_end - piece_start)
                origin = piece_start
            if piece_end == end:
                tail_start = origin
        running = tail_start
        result.append(
            Stretch(
                start=start,
                end=end,
                up=up[index],
                degraded=degraded[index],
                down=length(down),
                maintenance=planned[index],
                starts=starts,
                head_start=head_start,
                head_end=head_end,
                longest=longest,
                tail_start=tail_start,
            )
        )
    return result


def fold(parts: Sequence[Stretch]) -> Stretch:
    """Consecutive stretches as one (days into a month): the same as the stretch computed over their whole span."""
    first = parts[0]
    head_end, longest = first.head_end, first.longest
    for part in parts[1:]:
        longest = max(longest, part.longest)
        if part.head_start is None or part.head_end is None:
            continue
        if part.head_start < first.start:  # still the outage running when the first stretch began
            head_end = part.head_end
        else:  # an outage that began inside: a piece like any other
            longest = max(longest, part.head_end - part.head_start)
    return Stretch(
        start=first.start,
        end=parts[-1].end,
        up=sum(p.up for p in parts),
        degraded=sum(p.degraded for p in parts),
        down=sum(p.down for p in parts),
        maintenance=sum(p.maintenance for p in parts),
        starts=sum(p.starts for p in parts),
        head_start=first.head_start,
        head_end=head_end,
        longest=longest,
        tail_start=parts[-1].tail_start,
    )


def _cut(spans: Sequence[Micros], bounds: Sequence[int]) -> Iterator[tuple[int, int, int]]:
    """Ordered, disjoint spans inside the bounds cut at them: (stretch index, start, end) of each piece."""
    last = len(bounds) - 2
    for start, end in spans:
        part = bisect_right(bounds, start) - 1
        while start < end:
            piece_end = end if part >= last else min(end, bounds[part + 1])
            yield part, start, piece_end
            start, part = piece_end, part + 1


def split(spans: Sequence[Micros], bounds: Sequence[int]) -> list[list[Micros]]:
    """Ordered, disjoint spans cut at the bounds: one list of pieces per stretch between consecutive bounds."""
    result: list[list[Micros]] = [[] for _ in bounds[1:]]
    for part, start, end in _cut(spans, bounds):
        result[part].append((start, end))
    return result


def lengths(spans: Sequence[Micros], bounds: Sequence[int]) -> list[int]:
    """How much of ordered, disjoint spans falls in each stretch between consecutive bounds."""
    result = [0] * (len(bounds) - 1)
    for part, start, end in _cut(spans, bounds):
        result[part] += end - start
    return result


def combine(parts: Sequence[Stretch], *, period: Micros) -> Figures:
    """The figures of a period from its stretches, in order, covering it without gaps.

    Each outage counts once however many stretches it spans; the longest outage is measured from where it began
    (or the period start) to where it ends (or the period end). Every piece of an outage is a candidate for the
    longest, measured from where the outage began: the piece where it ends (or the period ends) gives its length.
    """
    start = period[0]
    figures = Figures(period_us=period[1] - period[0])
    longest = 0
    for part in parts:
        figures.up_us += part.up
        figures.down_us += part.down
        figures.maintenance_us += part.maintenance
        figures.outages += part.starts
        longest = max(longest, part.longest)
        if part.head_start is not None and part.head_end is not None:
            longest = max(longest, part.head_end - max(part.head_start, start))
    if parts and parts[0].head_start is not None:
        figures.outages += 1  # the outage the period begins in
    figures.longest_outage_us = longest
    return figures
