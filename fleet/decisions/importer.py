"""Reading the decision register file (the columns of decisions-2023.csv) into validated rows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fleet.cameras.importer import MAX_FILE_BYTES, RawRow, read_csv
from fleet.decisions.models import DecisionKind
from fleet.decisions.registration import Registration
from fleet.decisions.schemas import Text
from fleet.errors import ImportRejected, Problem
from fleet.language import Language

COLUMNS = (
    "row",
    "decision_date_raw",
    "decision_date",
    "cameras_raw",
    "flex_count",
    "fixed_count",
    "location",
    "period_raw",
    "start_date",
    "end_date",
    "action",
    "reason",
    "registration",
    "note",
)
REQUIRED = ("decision_date", "location", "start_date", "action", "reason", "registration")
ACTIONS = {
    "designate": DecisionKind.DESIGNATION,
    "deploy": DecisionKind.DEPLOYMENT,
    "extend": DecisionKind.EXTENSION,
    "withdraw": DecisionKind.WITHDRAWAL,
    "replace": DecisionKind.REPLACEMENT,
}
Optional = Annotated[str | None, Field(max_length=4000)]


class DecisionRow(BaseModel):
    """One line of the file as its columns say."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    row: Annotated[int | None, Field(ge=1)] = None
    decision_date_raw: Optional = None
    decision_date: date
    cameras_raw: Optional = None
    flex_count: Annotated[int, Field(ge=0, le=10_000)] = 0
    fixed_count: Annotated[int, Field(ge=0, le=10_000)] = 0
    location: Text
    period_raw: Optional = None
    start_date: date
    end_date: date | None = None
    action: Annotated[str, Field(min_length=1, max_length=100)]
    reason: Text
    registration: Registration
    note: Optional = None

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_absent(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A valid line: the decisions its action names (designation first) and its single days, if any."""

    line: int
    row: DecisionRow
    kinds: tuple[DecisionKind, ...]
    days: tuple[date, ...]


def kinds_of(action: str) -> tuple[DecisionKind, ...]:
    """The decisions an action such as ``deploy+designate`` names, the designation first.

    The designation comes first so that the deployment decided with it is checked against it.
    """
    parts = [p.strip().casefold() for p in action.split("+")]
    unknown = [p for p in parts if p not in ACTIONS]
    if unknown:
        raise ValueError(f"unknown action {unknown[0]!r}; use {', '.join(ACTIONS)}, or two joined by +")
    kinds = [ACTIONS[p] for p in parts]
    others = [k for k in kinds if k is not DecisionKind.DESIGNATION]
    if len(set(kinds)) != len(kinds) or len(others) > 1:
        raise ValueError(f"{action!r}: at most one designation and one other action")
    return tuple(sorted(kinds, key=lambda k: k is not DecisionKind.DESIGNATION))


def single_days(row: DecisionRow) -> tuple[date, ...]:
    """Two dates joined by "en" ("1sep23 en 15sep23") are single days, not a period from one to the other."""
    joined = re.sub(r"\btot en met\b", "", (row.period_raw or "").casefold())
    if row.end_date and row.end_date != row.start_date and re.search(r"\ben\b", joined):
        return (row.start_date, row.end_date)
    return ()


def _check_header(header: list[str]) -> list[str]:
    names = [h.strip().lower() for h in header]
    problems = [
        Problem(1, raw.strip() or "(empty)", "unknown column")
        for raw, name in zip(header, names, strict=True)
        if name not in COLUMNS
    ]
    problems += [Problem(1, n, "column appears twice") for i, n in enumerate(names) if n in names[:i]]
    problems += [Problem(1, r, "required column is missing") for r in REQUIRED if r not in names]
    if problems:
        raise ImportRejected(problems)
    return names


def _parse(
    raw: RawRow, names: list[str], header: list[str], language: Language
) -> tuple[ParsedRow | None, list[Problem]]:
    if "" in raw.cells:
        return None, [Problem(raw.line, "row", "more cells than columns (a separator inside an unquoted value?)")]
    cells = {name: raw.cells.get(column) for name, column in zip(names, header, strict=True)}
    try:
        row = DecisionRow.model_validate(cells, context={"language": language})
    except ValidationError as exc:
        return None, [
            Problem(raw.line, str(e["loc"][0]) if e["loc"] else "row", e["msg"].removeprefix("Value error, "))
            for e in exc.errors()
        ]
    problems: list[Problem] = []
    if row.end_date is not None and row.end_date < row.start_date:
        problems.append(Problem(raw.line, "end_date", f"{row.end_date} is before start_date {row.start_date}"))
    try:
        kinds = kinds_of(row.action)
    except ValueError as exc:
        problems.append(Problem(raw.line, "action", str(exc)))
        kinds = ()
    if problems:
        return None, problems
    return ParsedRow(raw.line, row, kinds, single_days(row)), []


def read_decision_file(path: Path, *, language: Language = "en") -> list[ParsedRow]:
    """Read and validate a decision CSV; raises ImportRejected listing every problem (a registration's in the
    language). Nothing is written here."""
    if path.suffix.lower() != ".csv":
        raise ImportRejected([Problem(1, "file", f"unsupported file type {path.suffix or '(none)'}; use .csv")])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportRejected([Problem(1, "file", f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")])
    header, raw_rows = read_csv(path.read_bytes(), frozenset(COLUMNS))
    names = _check_header(header)
    parsed: list[ParsedRow] = []
    problems: list[Problem] = []
    for raw in raw_rows:
        row, row_problems = _parse(raw, names, header, language)
        problems.extend(row_problems)
        if row is not None:
            parsed.append(row)
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.line))
    if not parsed:
        raise ImportRejected([Problem(1, "file", "no decision rows after the header")])
    return parsed
