"""The annual decision overview as JSON, CSV and XLSX."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence

from openpyxl import Workbook

from fleet.csvfile import excel_csv
from fleet.decisions.schemas import OverviewRow
from fleet.spreadsheet import neutralised

COLUMNS = ("decision_date", "kinds", "cameras", "location", "period", "reason", "registration", "warnings")


def _cells(row: OverviewRow) -> list[str]:
    values = row.model_dump(mode="json")
    return ["; ".join(values[c]) if isinstance(values[c], list) else str(values[c]) for c in COLUMNS]


def to_json(rows: Sequence[OverviewRow], *, year: int) -> bytes:
    """``{"year": 2023, "rows": [...]}``."""
    body = {"year": year, "rows": [r.model_dump(mode="json") for r in rows]}
    return json.dumps(body, ensure_ascii=False, indent=2).encode()


def to_csv(rows: Sequence[OverviewRow]) -> bytes:
    """One line per decision."""
    return excel_csv(COLUMNS, (_cells(r) for r in rows))


def to_xlsx(rows: Sequence[OverviewRow], *, year: int) -> bytes:
    """One sheet named after the year, one line per decision."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(f"Decisions {year}")
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append([neutralised(text) for text in _cells(row)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
