"""Pure maintenance arithmetic: occurrences of a (recurring) window, and whether a camera is in scope."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

from config.zone import LOCAL

# An endless recurrence is followed this far at most when a question needs its end.
HORIZON = timedelta(days=366 * 10)
# Maintenance is planned by the hour at the finest: a finer rule is a mistake or an attack on the event loop.
FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY")
# A rule with an end has at most this many occurrences: hourly for a year, daily for 27 years.
MAX_OCCURRENCES = 10_000


class RecurrenceError(ValueError):
    """The recurrence is not a usable iCalendar RRULE."""


@dataclass(frozen=True, slots=True)
class Scope:
    """Which cameras a window covers; all empty means every camera."""

    camera_ids: frozenset[int] = field(default_factory=frozenset)
    areas: frozenset[str] = field(default_factory=frozenset)
    sites: frozenset[str] = field(default_factory=frozenset)
    poller_groups: frozenset[str] = field(default_factory=frozenset)

    @property
    def everything(self) -> bool:
        """Whether the window covers the whole fleet."""
        return not (self.camera_ids or self.areas or self.sites or self.poller_groups)

    def covers(self, camera_id: int, area: str | None, site: str | None, poller_group: str) -> bool:
        """Whether the camera is in scope."""
        return (
            self.everything
            or camera_id in self.camera_ids
            or (area is not None and area in self.areas)
            or (site is not None and site in self.sites)
            or poller_group in self.poller_groups
        )


def parse_rule(recurrence: str, starts_at: datetime) -> rrule:
    """The RRULE, anchored at the window's first start in local time."""
    text = recurrence.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if "DTSTART" in text.upper():
        raise RecurrenceError("give the start as starts_at, not as DTSTART inside the rule")
    # Occurrences are computed in local wall-clock time, so a UTC UNTIL (…Z) becomes local time too.
    _within_bounds(text)
    text = _UNTIL_UTC.sub(lambda m: "UNTIL=" + _utc_stamp_to_local(m.group(1)), text)
    try:
        rule = rrulestr(text, dtstart=starts_at.astimezone(LOCAL).replace(tzinfo=None))
    except (ValueError, TypeError) as exc:
        raise RecurrenceError(f"not an iCalendar RRULE: {exc}") from exc
    if not isinstance(rule, rrule):
        raise RecurrenceError("give one RRULE, not a set of rules")
    return rule


def _within_bounds(text: str) -> None:
    """Refuse what would expand to more than one occurrence an hour, or to more than MAX_OCCURRENCES."""
    parts = {name.strip().upper(): value.strip() for name, _, value in (p.partition("=") for p in text.split(";"))}
    frequency = parts.get("FREQ", "").upper()
    if frequency and frequency not in FREQUENCIES:
        raise RecurrenceError(f"FREQ={frequency} is finer than hourly; maintenance repeats hourly at the most")
    if "BYSECOND" in parts or "," in parts.get("BYMINUTE", ""):
        raise RecurrenceError("one occurrence an hour at the most: no BYSECOND, and at most one BYMINUTE value")
    count = parts.get("COUNT", "")
    if count.isdigit() and int(count) > MAX_OCCURRENCES:
        raise RecurrenceError(f"COUNT={count} is more than the {MAX_OCCURRENCES} occurrences a window may have")


def validate(recurrence: str, starts_at: datetime) -> None:
    """Parse the rule and expand a bounded one once, refusing it past MAX_OCCURRENCES (UNTIL far away)."""
    rule = parse_rule(recurrence, starts_at)
    expanded = sum(1 for _ in islice(rule, MAX_OCCURRENCES + 1)) if _bounded(recurrence) else 0
    if expanded > MAX_OCCURRENCES:
        raise RecurrenceError(f"the rule has more than the {MAX_OCCURRENCES} occurrences a window may have")


def checked_last_end(starts_at: datetime, ends_at: datetime, recurrence: str | None) -> datetime | None:
    """``validate`` and ``last_end`` in one: the expansion a new window costs (run it with fleet.offload)."""
    if recurrence is not None:
        validate(recurrence, starts_at)
    return last_end(starts_at, ends_at, recurrence)


def _bounded(recurrence: str) -> bool:
    parts = {part.split("=", 1)[0].strip().upper() for part in recurrence.split(";")}
    return bool(parts & {"UNTIL", "COUNT"})


_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


def _utc_stamp_to_local(stamp: str) -> str:
    moment = datetime.strptime(stamp, "%Y%m%dT%H%M%S").replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(LOCAL).strftime("%Y%m%dT%H%M%S")


def _local_to_utc(naive_local: datetime) -> datetime:
    return naive_local.replace(tzinfo=LOCAL).astimezone(ZoneInfo("UTC"))


def occurrences(
    starts_at: datetime, ends_at: datetime, recurrence: str | None, *, between: tuple[datetime, datetime]
) -> Iterator[tuple[datetime, datetime]]:
    """Every (start, end) of the window that overlaps ``between``, in UTC, in order."""
    low, high = between
    length = ends_at - starts_at
    if recurrence is None:
        if starts_at < high and ends_at > low:
            yield starts_at, ends_at
        return
    rule = parse_rule(recurrence, starts_at)
    # Start early enough to catch an occurrence that began before ``low`` and still runs.
    search_from = (low - length).astimezone(LOCAL).replace(tzinfo=None) - timedelta(days=1)
    for local_start in rule.xafter(search_from, inc=True):
        start = _local_to_utc(local_start)
        if start >= high:
            return
        end = start + length
        if end > low:
            yield start, end


# A window as plain data for a worker process: first start, first end, recurrence.
WindowTimes = tuple[datetime, datetime, str | None]
# Whether a window runs at a moment, and until when that answer holds (None: for ever after).
RunningState = tuple[bool, datetime | None]


def running_at(window: WindowTimes, at: datetime) -> RunningState:
    """Whether an occurrence of the window runs at ``at``, and the next moment that may change: the end of the
    occurrence running, else the start of the next one (None when there is none within HORIZON)."""
    starts_at, ends_at, recurrence = window
    for start, end in occurrences(starts_at, ends_at, recurrence, between=(at, at + HORIZON)):
        return (True, end) if start <= at else (False, start)
    return False, None


def running_all(windows: list[WindowTimes], at: datetime) -> list[RunningState]:
    """``running_at`` for each window (one call for a worker process: an hourly rule a year old is ~9,000 steps)."""
    return [running_at(window, at) for window in windows]


def last_end(starts_at: datetime, ends_at: datetime, recurrence: str | None) -> datetime | None:
    """When the last occurrence ends, or None for an endless recurrence."""
    if recurrence is None:
        return ends_at
    rule = parse_rule(recurrence, starts_at)
    if not _bounded(recurrence):
        return None
    last = rule.before(datetime.max, inc=True)
    return None if last is None else _local_to_utc(last) + (ends_at - starts_at)
