"""Reading the observers' own annual table (section 7 of the report: "Omschrijving incident", "Totaal aantal 2023
(2022)", "Waarvan aantal", "Opmerking") from CSV or XLSX into checked lines; any problem refuses the whole file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fleet.cameras.importer import MAX_FILE_BYTES, RawRow, read_csv, read_xlsx
from fleet.errors import ImportRejected, Problem

CATEGORY = "omschrijving incident"
FOLLOWED = "waarvan aantal"
REMARK = "opmerking"
# "Totaal aantal 2023 (2022)": the year of the figures, and the year of those in brackets.
TOTAL = re.compile(r"totaal aantal (\d{4})(?: \((\d{4})\))?")
# "392 (300)", "135", "(53)" or nothing.
COUNT = re.compile(r"(\d{1,7})? ?(?:\((\d{1,7})\))?")
MAX_TEXT = 4000


@dataclass(frozen=True, slots=True)
class TallyLine:
    """One line of the table: the category as written, this year's count and last year's (either may be absent)."""

    line: int
    category: str
    count: int | None
    previous: int | None
    followed: str
    remark: str


@dataclass(frozen=True, slots=True)
class TallyTable:
    year: int
    previous_year: int | None
    lines: list[TallyLine]


def _text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


def _columns(header: list[str]) -> tuple[dict[str, str], int, int | None, list[Problem]]:
    """The file's column for each part, and the years the count column names."""
    found: dict[str, str] = {}
    years: tuple[int, int | None] = (0, None)
    problems: list[Problem] = []
    for column in header:
        name = _text(column).lower()
        total = TOTAL.fullmatch(name)
        if total:
            found["count"] = column
            years = (int(total[1]), int(total[2]) if total[2] else None)
        elif name in (CATEGORY, FOLLOWED, REMARK):
            found[name] = column
        elif name:
            problems.append(Problem(1, column, "unknown column"))
    for needed, said in ((CATEGORY, "Omschrijving incident"), ("count", "Totaal aantal YYYY (YYYY)")):
        if needed not in found:
            problems.append(Problem(1, said, "missing column"))
    return found, years[0], years[1], problems


def _line(row: RawRow, columns: dict[str, str]) -> tuple[TallyLine | None, list[Problem]]:
    cells = {part: _text(row.cells.get(column)) for part, column in columns.items()}
    problems = []
    if "" in row.cells:
        problems.append(Problem(row.line, "file", "more cells than columns"))
    if not cells[CATEGORY]:
        problems.append(Problem(row.line, columns[CATEGORY], "empty"))
    counted = COUNT.fullmatch(cells["count"])
    if counted is None:
        problems.append(Problem(row.line, columns["count"], f"{cells['count']!r} is not a count like 326 (275)"))
    for part, text in cells.items():
        if len(text) > MAX_TEXT:
            problems.append(Problem(row.line, columns[part], f"longer than {MAX_TEXT} characters"))
    if problems or counted is None:
        return None, problems
    return TallyLine(
        line=row.line,
        category=cells[CATEGORY],
        count=int(counted[1]) if counted[1] else None,
        previous=int(counted[2]) if counted[2] else None,
        followed=cells.get(FOLLOWED, ""),
        remark=cells.get(REMARK, ""),
    ), []


def read_tally_file(path: Path) -> TallyTable:
    """The table in a .csv or .xlsx file; ImportRejected with every problem by line if any line is wrong."""
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise ImportRejected([Problem(1, "file", "use a .csv or .xlsx file")])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportRejected([Problem(1, "file", f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")])
    data = path.read_bytes()
    known = frozenset({CATEGORY, FOLLOWED, REMARK})
    header, rows = read_xlsx(data) if path.suffix.lower() == ".xlsx" else read_csv(data, known)
    columns, year, previous_year, problems = _columns(header)
    if problems:
        raise ImportRejected(problems)
    lines: list[TallyLine] = []
    seen: dict[str, int] = {}
    for row in rows:
        line, found = _line(row, columns)
        problems += found
        if line is None:
            continue
        if line.category in seen:
            problems.append(Problem(row.line, columns[CATEGORY], f"the same category as line {seen[line.category]}"))
        seen.setdefault(line.category, row.line)
        if line.previous is not None and previous_year is None:
            problems.append(Problem(row.line, columns["count"], "a count in brackets, but the column names no year"))
        lines.append(line)
    if problems:
        raise ImportRejected(problems)
    return TallyTable(year, previous_year, lines)
