"""Pure alert rules: routing, quiet hours, grouping windows, retry back-off, and the words of a message."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from config.zone import LOCAL
from fleet.alerts.models import AlertEvent
from fleet.alerts.wording import title_of
from fleet.faults.models import Severity
from fleet.faults.wording import severity_label
from fleet.language import Language, gettext, say, translations


@dataclass(frozen=True, slots=True)
class Routing:
    areas: frozenset[str]
    sites: frozenset[str]
    min_severity: Severity
    fault_kinds: frozenset[str]
    quiet_from: time | None = None
    quiet_until: time | None = None


def routes(routing: Routing, *, area: str | None, site: str | None, kind: str | None, severity: Severity) -> bool:
    """Whether a channel wants an alert about this camera, fault kind and severity (empty lists: anything)."""
    if severity.rank < routing.min_severity.rank:
        return False
    if routing.fault_kinds and kind is not None and kind not in routing.fault_kinds:
        return False
    if routing.areas and area not in routing.areas:
        return False
    return not (routing.sites and site not in routing.sites)


def in_quiet_hours(routing: Routing, at: datetime) -> bool:
    """Whether the moment falls in the channel's quiet hours (which may run past midnight)."""
    if routing.quiet_from is None or routing.quiet_until is None:
        return False
    local = at.astimezone(LOCAL).time()
    start, end = routing.quiet_from, routing.quiet_until
    return start <= local < end if start < end else (local >= start or local < end)


def quiet_hours_end(routing: Routing, at: datetime) -> datetime:
    """The first moment after ``at`` outside the quiet hours."""
    if not in_quiet_hours(routing, at) or routing.quiet_until is None:
        return at
    local = at.astimezone(LOCAL)
    end = datetime.combine(local.date(), routing.quiet_until, tzinfo=LOCAL)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), routing.quiet_until, tzinfo=LOCAL)
    return end.astimezone(at.tzinfo)


def release_at(
    routing: Routing, *, event: AlertEvent, severity: Severity, at: datetime, group_window: timedelta
) -> datetime:
    """When an alert may go out: after the grouping window for new faults, after quiet hours unless critical."""
    ready = at + group_window if event is AlertEvent.FAULT_OPENED else at
    if severity is Severity.CRITICAL or event is AlertEvent.TEST:
        return ready
    return quiet_hours_end(routing, ready)


def retry_delay(attempts: int, *, base: timedelta, maximum: timedelta) -> timedelta:
    """Exponential back-off after ``attempts`` failed deliveries."""
    delay: timedelta = min(base * (2 ** max(0, attempts - 1)), maximum)
    return delay


def parse_clock(text: str | None) -> time | None:
    """``"22:00"`` → 22:00; None stays None."""
    if text is None:
        return None
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes))


def local_time(at: datetime) -> str:
    """A moment as technicians read it in a message: Amsterdam time, with its zone."""
    return f"{at.astimezone(LOCAL):%Y-%m-%d %H:%M %Z}"


@dataclass(frozen=True, slots=True)
class Line:
    key: str
    event: AlertEvent
    severity: Severity
    subject: str
    body: str


def compose(lines: Sequence[Line], *, batch_key: str, language: Language) -> tuple[str, str]:
    """Title and body of one message carrying one or more alerts, with the stable message id in both."""
    events = {line.event for line in lines}
    worst = max((line.severity for line in lines), key=lambda s: s.rank)
    label = title_of(next(iter(events)), language) if len(events) == 1 else gettext("Alerts", language)
    if len(lines) == 1:
        title = f"[camfleet] {label}: {lines[0].subject}"
    else:
        severity = severity_label(worst, language)
        count = translations(language).ngettext("{count} alert, {severity}", "{count} alerts, {severity}", len(lines))
        count = count.format(count=len(lines), severity=severity)
        title = f"[camfleet] {label} ({count})"
    body = "\n\n".join(f"{line.subject}\n{line.body}\n(alert {line.key})" for line in lines)
    footer = say("Message id: {id}", language, id=batch_key)
    return title[:250], f"{body}\n\n{footer}"
