"""CSV as people open it: UTF-8 with a BOM (so Excel shows the accents), CRLF line ends, a header row, no formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from fleet.spreadsheet import safe_value


def cell(value: Any) -> Any:
    """One value as a CSV cell: empty for None, true/false, ISO dates, text neutralised; numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return safe_value(value)


def excel_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """The header and rows as CSV bytes; the same rows always give the same bytes."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")
