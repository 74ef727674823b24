"""Reading camera files as people really export them (CSV from Dutch Excel, XLSX) into validated rows."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from config.networks import IpNetwork
from fleet.cameras.networks import host_problem
from fleet.cameras.schemas import SIMULATION_COLUMNS, CameraCreate, RecorderCreate
from fleet.errors import ImportRejected, InvalidInput, Problem

REQUIRED_COLUMNS = ("name", "host")
KNOWN_COLUMNS = frozenset(CameraCreate.model_fields) | SIMULATION_COLUMNS
DeviceRow = CameraCreate | RecorderCreate
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row: its line in the file (the header is line 1) and its cells by column."""

    line: int
    cells: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ValidRow:
    line: int
    camera: DeviceRow
    columns: frozenset[str]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Dutch Excel's plain "CSV" export is Windows-1252, not UTF-8.
        return data.decode("cp1252", errors="strict")


def _pick_delimiter(header_line: str, known: frozenset[str]) -> str:
    """The separator that splits the header into the most known column names."""
    best, best_hits = ",", -1
    for delimiter in (",", ";", "\t"):
        cells = next(csv.reader([header_line], delimiter=delimiter), [])
        hits = sum(1 for c in cells if c.strip().lower() in known)
        if hits > best_hits:
            best, best_hits = delimiter, hits
    return best


def read_csv(data: bytes, known: frozenset[str] = KNOWN_COLUMNS) -> tuple[list[str], list[RawRow]]:
    """Header and rows of a CSV file: UTF-8 (with or without BOM) or Windows-1252, `,` `;` or tab, CRLF."""
    try:
        text = _decode(data)
    except UnicodeDecodeError as exc:
        raise ImportRejected([Problem(1, "file", f"not UTF-8 or Windows-1252 text ({exc.reason})")]) from exc
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise ImportRejected([Problem(1, "file", "the file is empty")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_pick_delimiter(first, known), strict=True)
    header: list[str] | None = None
    rows: list[RawRow] = []
    try:
        for record in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = record
                continue
            rows.append(RawRow(line, dict(zip(header, record, strict=False)) | _extra_cells(header, record)))
    except csv.Error as exc:
        raise ImportRejected([Problem(reader.line_num, "file", f"malformed CSV: {exc}")]) from exc
    return header or [], rows


def _extra_cells(header: list[str], record: list[Any]) -> dict[str, Any]:
    # More cells than columns is a shifted row; fewer is tolerated (trailing empty cells are often cut).
    if len(record) > len(header) and any(c is not None and str(c).strip() for c in record[len(header) :]):
        return {"": record[len(header) :]}
    return {}


def read_xlsx(data: bytes) -> tuple[list[str], list[RawRow]]:
    """Header and rows of the first sheet of an XLSX workbook; formulas and merged headers are refused."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportRejected([Problem(1, "file", f"not a readable XLSX workbook ({exc})")]) from exc
    sheet = workbook.worksheets[0]
    problems: list[Problem] = []
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= 1:
            problems.append(Problem(1, str(merged), "merged header cells; give every column its own header"))
    header: list[str] = []
    rows: list[RawRow] = []
    for row_cells in sheet.iter_rows():
        values = [cell.value for cell in row_cells]
        line = row_cells[0].row if row_cells else 0
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        for cell in row_cells:
            if cell.data_type == "f":
                column = header[cell.column - 1] if header and cell.column - 1 < len(header) else cell.coordinate
                problems.append(
                    Problem(
                        line,
                        str(column),
                        "contains a formula; paste the values instead (Paste Special → Values)",
                    )
                )
        if not header:
            header = ["" if v is None else str(v) for v in values]
            while header and not header[-1].strip():
                header.pop()
            continue
        rows.append(RawRow(line, dict(zip(header, values, strict=False)) | _extra_cells(header, values)))
    if problems:
        raise ImportRejected(problems)
    return header, rows


def known_columns(model: type[DeviceRow]) -> frozenset[str]:
    """The columns a file of these devices may have (with the simulator's own)."""
    return frozenset(model.model_fields) | SIMULATION_COLUMNS


def _check_header(header: list[str], known: frozenset[str]) -> tuple[list[str], list[Problem]]:
    problems: list[Problem] = []
    names = [h.strip().lower() for h in header]
    seen: set[str] = set()
    for raw, name in zip(header, names, strict=True):
        if not name:
            problems.append(Problem(1, "(empty)", "a column has no header"))
        elif name in seen:
            problems.append(Problem(1, name, "column appears twice"))
        elif name not in known:
            problems.append(
                Problem(1, raw.strip(), "unknown column (check the spelling against the documented columns)")
            )
        seen.add(name)
    for required in REQUIRED_COLUMNS:
        if required not in names:
            problems.append(Problem(1, required, "required column is missing"))
    return names, problems


def _cell_text(value: Any) -> Any:
    if isinstance(value, datetime | date | int | float) or value is None:
        return value
    return str(value)


def _validate_row(
    row: RawRow, names: list[str], header: list[str], model: type[DeviceRow]
) -> tuple[ValidRow | None, list[Problem]]:
    if "" in row.cells:
        return None, [Problem(row.line, "row", "more cells than columns (a separator inside an unquoted value?)")]
    cells = {name: _cell_text(row.cells.get(raw)) for name, raw in zip(names, header, strict=True)}
    data = {k: v for k, v in cells.items() if k not in SIMULATION_COLUMNS}
    try:
        camera = model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            column = str(error["loc"][0]) if error["loc"] else "row"
            problems.append(Problem(row.line, column, error["msg"].removeprefix("Value error, ")))
        # In the order of the file's columns, as the person reading the file sees them.
        order = {name: index for index, name in enumerate(names)}
        return None, sorted(problems, key=lambda p: order.get(p.column, len(order)))
    except InvalidInput as exc:
        return None, [Problem(row.line, exc.field, exc.reason)]
    return ValidRow(row.line, camera, frozenset(k for k in data if k in model.model_fields)), []


def validate_rows(header: list[str], rows: list[RawRow], model: type[DeviceRow] = CameraCreate) -> list[ValidRow]:
    """Every row validated; raises ImportRejected listing every problem of the whole file."""
    names, problems = _check_header(header, known_columns(model))
    if problems:
        raise ImportRejected(problems)
    valid: list[ValidRow] = []
    first_line: dict[str, int] = {}
    for row in rows:
        result, row_problems = _validate_row(row, names, header, model)
        problems.extend(row_problems)
        if result is None:
            continue
        key = result.camera.name.casefold()
        if key in first_line:
            problems.append(
                Problem(
                    row.line,
                    "name",
                    f"duplicate name {result.camera.name!r}, first on line {first_line[key]}",
                )
            )
            continue
        first_line[key] = row.line
        valid.append(result)
    if problems:
        raise ImportRejected(sorted(problems, key=lambda p: p.line))
    if not valid:
        raise ImportRejected([Problem(1, "file", f"no {model.device_type} rows after the header")])
    return valid


def read_camera_file(path: Path, model: type[DeviceRow] = CameraCreate) -> list[ValidRow]:
    """Read and validate a .csv or .xlsx file of cameras (or recorders); nothing is written here."""
    suffix = path.suffix.lower()
    if suffix not in {".csv", ".xlsx"}:
        raise ImportRejected([Problem(1, "file", f"unsupported file type {suffix or '(none)'}; use .csv or .xlsx")])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportRejected([Problem(1, "file", f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")])
    data = path.read_bytes()
    header, rows = read_xlsx(data) if suffix == ".xlsx" else read_csv(data, known_columns(model))
    return validate_rows(header, rows, model)


async def check_networks(rows: list[ValidRow], networks: Sequence[IpNetwork]) -> None:
    """ImportRejected naming every row whose host is outside ``networks`` (cameras.allowed_networks)."""
    if not networks:
        return
    problems = []
    for row in rows:
        problem = await host_problem(row.camera.host, networks)
        if problem is not None:
            problems.append(Problem(row.line, "host", problem))
    if problems:
        raise ImportRejected(problems)


def recorder_names(rows: list[ValidRow]) -> list[tuple[int, str | None]]:
    """Each camera row's line and recorder column, for checking them against the registry."""
    return [(row.line, row.camera.recorder) for row in rows if isinstance(row.camera, CameraCreate)]


def iter_cameras(rows: list[ValidRow]) -> Iterator[tuple[DeviceRow, frozenset[str]]]:
    """What the registry upserts: each camera (or recorder) with the columns its file gave."""
    for row in rows:
        yield row.camera, row.columns
