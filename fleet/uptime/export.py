"""Uptime reports as data: JSON and CSV, byte for byte the same for the same database and period."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, fields

from fleet.csvfile import excel_csv
from fleet.uptime.calc import Span
from fleet.uptime.service import GroupBy, UptimeRow

COLUMNS = tuple(f.name for f in fields(UptimeRow))


# With the polling settings known: how precisely outage starts and ends are recorded, in seconds.
EDGES = "outage_edges_s"


def to_json(rows: Sequence[UptimeRow], *, period: Span, by: GroupBy, edges_s: int | None = None) -> bytes:
    """The report as JSON: the period, the grouping, the precision of outage edges (when known), one object per key."""
    document: dict[str, object] = {
        "from": period[0].isoformat(),
        "to": period[1].isoformat(),
        "by": by.value,
        "rows": [asdict(row) for row in rows],
    }
    if edges_s is not None:
        document[EDGES] = edges_s
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def to_csv(rows: Sequence[UptimeRow], *, edges_s: int | None = None) -> bytes:
    """The report as CSV with a header row; the precision of outage edges (when known) as a last column."""
    if edges_s is None:
        return excel_csv(COLUMNS, ([getattr(row, c) for c in COLUMNS] for row in rows))
    return excel_csv((*COLUMNS, EDGES), ([*(getattr(row, c) for c in COLUMNS), edges_s] for row in rows))
