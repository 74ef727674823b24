"""Uptime reports as data: JSON and CSV, byte for byte the same for the same database and period."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, fields

from fleet.csvfile import excel_csv
from fleet.uptime.calc import Span
from fleet.uptime.service import GroupBy, UptimeRow

COLUMNS = tuple(f.name for f in fields(UptimeRow))


def to_json(rows: Sequence[UptimeRow], *, period: Span, by: GroupBy) -> bytes:
    """The report as JSON: the period, the grouping, and one object per key."""
    document = {
        "from": period[0].isoformat(),
        "to": period[1].isoformat(),
        "by": by.value,
        "rows": [asdict(row) for row in rows],
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def to_csv(rows: Sequence[UptimeRow]) -> bytes:
    """The report as CSV with a header row."""
    return excel_csv(COLUMNS, ([getattr(row, c) for c in COLUMNS] for row in rows))
