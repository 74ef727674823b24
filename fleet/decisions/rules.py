"""Register checks on decisions: pure functions over the decisions already registered."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import date, timedelta

from fleet.decisions.models import Decision, DecisionKind

DEPLOYING = frozenset({DecisionKind.DEPLOYMENT, DecisionKind.EXTENSION})
NEEDS_PREDECESSOR = frozenset({DecisionKind.EXTENSION, DecisionKind.WITHDRAWAL})
_MONTHS = {
    "jan": 1,
    "feb": 2,
    "maa": 3,
    "mrt": 3,
    "apr": 4,
    "mei": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "okt": 10,
    "nov": 11,
    "dec": 12,
}
_PRINTED = re.compile(r"^\s*(\d{1,2})\s*(?:([a-z]+)\.?)?\s*(\d{4}|\d{2})?\s*$")
# Words that describe where on a street, not which street; they must not make two places match.
_NOT_A_PLACE = frozenset({"kruising", "tussen", "hoek", "hoogte", "area", "from", "between", "cafe", "burg", "deken"})


def printed_dates(raw: str) -> list[tuple[str, date]] | None:
    """The dates in a printed decision date such as ``16/27 februari 2023`` or ``3jan23/30jan23``, as printed.

    A part without month or year takes them from the part after it, as people write "16/27 februari".
    None when the text is not a date as the report prints them.
    """
    parts = [p.strip().casefold() for p in raw.split("/")]
    found: list[tuple[str, date]] = []
    month: int | None = None
    year: int | None = None
    for part in reversed(parts):
        match = _PRINTED.match(part)
        if match is None:
            return None
        day_text, month_text, year_text = match.groups()
        if month_text is not None:
            month = _MONTHS.get(month_text[:3])
            if month is None:
                return None
        if year_text is not None:
            year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        if month is None or year is None:
            return None
        try:
            found.append((part, date(year, month, int(day_text))))
        except ValueError:
            return None
    return found[::-1]


def places(location: str) -> frozenset[str]:
    """The street and site names in a location text."""
    words = re.findall(r"[^\W\d_]+", location.casefold())
    return frozenset(w for w in words if len(w) >= 4 and w not in _NOT_A_PLACE)


def same_place(a: str, b: str) -> bool:
    """Whether two location texts share a street or site (the report spells one place several ways)."""
    return bool(places(a) & places(b))


def dates_of(decision: Decision) -> list[date]:
    """The days to check a decision on: its single days, or the first and last day of its period."""
    if decision.days:
        return [date.fromisoformat(d) for d in decision.days]
    return [decision.starts_on, decision.ends_on or decision.starts_on]


def covers(decision: Decision, day: date) -> bool:
    """Whether a decision applies on a day; no end date means until further notice."""
    if decision.days:
        return day.isoformat() in decision.days
    return decision.starts_on <= day and (decision.ends_on is None or day <= decision.ends_on)


def predecessor(new: Decision, earlier: Sequence[Decision], *, designation: bool = False) -> Decision | None:
    """The latest earlier decision at the same place that the new one continues or ends."""
    wanted = {DecisionKind.DESIGNATION} if designation else DEPLOYING | {DecisionKind.REPLACEMENT}
    for old in reversed(earlier):
        if old.kind in wanted and old.decision_date <= new.decision_date and same_place(old.location, new.location):
            return old
    return None


def _days(start: date, end: date) -> Iterator[date]:
    while start <= end:
        yield start
        start += timedelta(days=1)


def warnings_for(new: Decision, earlier: Sequence[Decision], *, flexible_fleet: int | None) -> list[str]:
    """What a register must point out about a new decision; ``flexible_fleet`` None skips the fleet check."""
    found: list[str] = []
    if new.decision_date > new.starts_on:
        found.append(f"decision dated {new.decision_date} after the start of its period on {new.starts_on}")
    found.extend(_printed_date_warnings(new))
    if new.kind in NEEDS_PREDECESSOR and new.supersedes_id is None:
        found.append(f"{new.kind.value} without a predecessor: no earlier decision for this location is registered")
    if new.kind in DEPLOYING:
        designations = [
            d for d in earlier if d.kind is DecisionKind.DESIGNATION and same_place(d.location, new.location)
        ]
        if not all(any(covers(d, day) for d in designations) for day in dates_of(new)):
            found.append("deployment outside any valid camera area designation for this location")
        if flexible_fleet is not None and new.flexible_count:
            found.extend(_over_fleet(new, earlier, flexible_fleet))
    return found


def _printed_date_warnings(new: Decision) -> list[str]:
    if not new.decision_date_raw:
        return []
    printed = printed_dates(new.decision_date_raw)
    if printed is None:
        return [f"decision date printed as {new.decision_date_raw!r} cannot be read; registered as {new.decision_date}"]
    found: list[str] = []
    first_text, first = printed[0]
    if first != new.decision_date:
        text = f"decision date printed as {first_text!r} reads {first}, registered as {new.decision_date}"
        if first.year != new.decision_date.year and first < new.starts_on - timedelta(days=366):
            text += f"; the printed year contradicts its period starting {new.starts_on}"
        found.append(text)
    period = re.sub(r"\s", "", (new.period_raw or "").casefold())
    for text, later in printed[1:]:
        # A later decision whose date is printed in the period starts its own part of it (an extra camera).
        if later > new.starts_on and re.sub(r"\s", "", text) not in period:
            found.append(f"later decision date {later} lies after the start of the period on {new.starts_on}")
    return found


def _over_fleet(new: Decision, earlier: Sequence[Decision], flexible_fleet: int) -> list[str]:
    everything = [*earlier, new]
    end = new.ends_on or new.starts_on
    check = dates_of(new) if new.days else list(_days(new.starts_on, end))
    for day in check:
        ended = {d.supersedes_id for d in everything if d.supersedes_id is not None and d.starts_on <= day}
        deployed = sum(
            d.flexible_count
            for d in everything
            if d.kind in DEPLOYING and (d is new or d.id not in ended) and covers(d, day)
        )
        if deployed > flexible_fleet:
            return [f"{deployed} flexible cameras deployed on {day}, the registry has {flexible_fleet}"]
    return []
