"""Report periods as people type them: an ISO date or date-time, in Amsterdam time unless a zone is given."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from config.zone import LOCAL
from fleet.errors import InvalidInput


def parse_when(text: str, *, field: str, end_of_day: bool = False) -> datetime:
    """``2026-01-01`` (local midnight; with ``end_of_day`` the next midnight) or ``2026-01-01T06:00[+01:00]``."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, time(), tzinfo=LOCAL)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=LOCAL)
    except ValueError as exc:
        raise InvalidInput(field, f"{text!r} is not an ISO date (2026-01-31) or date-time (2026-01-31T06:00)") from exc
    return moment.astimezone(UTC)
