"""Footage coverage over time, as pure span arithmetic: what one recording check saw, merged with what was kept.

A recording check that searched the device's recording history (FindEvents) has seen the last
``config.recording.HISTORY`` of each camera's footage whole: where the footage is (each recording's span, less its
gaps) and where it is not. Those windows, merged check after check, are a camera's coverage: spans with footage and
spans seen without. Time no check saw is neither: the monitor never claims footage it did not see. Footage seen
once stays seen (later deletion is the retention's business, not a gap in the recording).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from fleet.recording.rules import Recording
from fleet.uptime import calc

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Piece:
    """A span of a camera's observed time, with footage or without."""

    start: datetime
    end: datetime
    footage: bool


def union(spans: Iterable[Span]) -> list[Span]:
    """The spans merged where they overlap or touch, in time order (empty spans dropped)."""
    return calc.merge(s for s in spans if s[0] < s[1])


def subtract(spans: Iterable[Span], holes: Iterable[Span]) -> list[Span]:
    """The parts of the spans outside every hole."""
    return calc.subtract(union(spans), union(holes))


def clip(spans: Iterable[Span], within: Span) -> list[Span]:
    """The spans cut to ``within``."""
    return [(max(s, within[0]), min(e, within[1])) for s, e in spans if s < within[1] and e > within[0]]


def length_s(spans: Iterable[Span]) -> float:
    """The total length of (non-overlapping) spans in seconds."""
    return sum((end - start).total_seconds() for start, end in spans)


def footage_seen(recordings: Sequence[Recording], window: Span) -> list[Span]:
    """Where in the window one camera's recordings hold footage: each recording from its earliest to its latest
    data, less the gaps its history showed."""
    pieces: list[Span] = []
    for recording in recordings:
        if recording.earliest is None or recording.latest is None:
            continue
        span = clip([(recording.earliest, recording.latest)], window)
        pieces.extend(subtract(span, recording.gaps or ()))
    return union(pieces)


def merge(kept: Iterable[Piece], window: Span, footage: Iterable[Span]) -> list[Piece]:
    """The pieces kept, with a check's window added (footage where it saw footage, without elsewhere): footage
    wins over a span seen without, adjacent pieces alike are joined."""
    kept = list(kept)
    with_footage = union([*((p.start, p.end) for p in kept if p.footage), *clip(footage, window)])
    observed = union([*((p.start, p.end) for p in kept), window])
    without = subtract(observed, with_footage)
    pieces = [Piece(s, e, True) for s, e in with_footage] + [Piece(s, e, False) for s, e in without]
    return sorted(pieces, key=lambda p: p.start)


@dataclass
class Coverage:
    """A camera's (or a group's) footage over a period, in seconds: seen with footage, seen without, not seen."""

    period_s: float = 0.0
    recorded_s: float = 0.0
    missing_s: float = 0.0
    # Spans seen without footage that touch the period.
    gaps: int = 0

    @property
    def unobserved_s(self) -> float:
        """Time no recording check saw."""
        return max(0.0, self.period_s - self.recorded_s - self.missing_s)

    @property
    def recorded(self) -> float | None:
        """The share of the period with footage seen: a lower bound (None for an empty period)."""
        return None if self.period_s <= 0 else self.recorded_s / self.period_s

    @property
    def recorded_max(self) -> float | None:
        """The share the footage may reach at most: what was seen, plus all the time nobody saw."""
        return None if self.period_s <= 0 else (self.recorded_s + self.unobserved_s) / self.period_s

    @property
    def observed(self) -> float | None:
        """The share of the period a recording check saw (how precise ``recorded`` is)."""
        return None if self.period_s <= 0 else (self.recorded_s + self.missing_s) / self.period_s

    def add(self, other: Coverage) -> None:
        self.period_s += other.period_s
        self.recorded_s += other.recorded_s
        self.missing_s += other.missing_s
        self.gaps += other.gaps


def coverage_of(pieces: Iterable[Piece], period: Span) -> Coverage:
    """A camera's coverage over the period from its pieces."""
    pieces = list(pieces)
    missing = clip(((p.start, p.end) for p in pieces if not p.footage), period)
    return Coverage(
        period_s=max(0.0, (period[1] - period[0]).total_seconds()),
        recorded_s=length_s(clip(((p.start, p.end) for p in pieces if p.footage), period)),
        missing_s=length_s(missing),
        gaps=sum(1 for start, end in missing if start < end),
    )
