"""How precise the uptime figures are: an outage's start and end are seen at the reachability check's pace."""

from __future__ import annotations

import math
from datetime import timedelta

from config.settings import SchedulerSettings
from fleet.language import N_, Language, number, say

NOTE = N_(
    "Outage edges to within {edges}: the reachability check, which decides up and down, runs every {interval} "
    "and at least every {longest} while a camera is down."
)


def edges_s(scheduler: SchedulerSettings) -> int:
    """The precision of outage starts and ends in whole seconds (rounded up: never claimed finer than it is)."""
    return math.ceil(scheduler.outage_edges.total_seconds())


def duration(value: timedelta, language: Language) -> str:
    """A duration as seconds up to ten minutes ("132 s"), as minutes beyond ("15 min"), rounded up."""
    seconds = math.ceil(value.total_seconds())
    if seconds < 600:
        return f"{number(seconds, language)} s"
    return f"{number(math.ceil(seconds / 60), language)} min"


def note(scheduler: SchedulerSettings, language: Language) -> str:
    """The precision of the figures, in words, from the configured intervals."""
    interval = scheduler.reachability_interval
    return say(
        NOTE,
        language,
        edges=duration(scheduler.outage_edges, language),
        interval=duration(interval, language),
        longest=duration(scheduler.reachability_longest, language),
    )
