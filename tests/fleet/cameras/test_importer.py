"""Reading camera files as people export them, and refusing every bad row with its line and column."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from fleet.cameras.importer import read_camera_file, read_csv, validate_rows
from fleet.errors import ImportRejected

HEADER = "name,host,kind,latitude,longitude,onvif_port,installed_on,network"


def rows_of(text: str, encoding: str = "utf-8") -> list:
    header, rows = read_csv(text.encode(encoding))
    return validate_rows(header, rows)


def problems_of(text: str) -> list[str]:
    with pytest.raises(ImportRejected) as caught:
        rows_of(text)
    return [str(p) for p in caught.value.problems]


def test_illustrative_fleet_imports_as_70_cameras(test_data: Path) -> None:
    rows = read_camera_file(test_data / "fleet-venlo-illustrative.csv")
    kinds = [r.camera.kind.value for r in rows]
    assert (len(rows), kinds.count("fixed"), kinds.count("flexible")) == (70, 57, 13)


def test_dutch_excel_export_semicolons_bom_crlf_decimal_comma_blank_lines() -> None:
    text = "\ufeffname;host;latitude;longitude;kind\r\n\r\nVL-1;127.0.0.1;51,37014;6,16864;Flexible\r\n;;;;\r\n"
    [row] = rows_of(text)
    assert (row.camera.latitude, row.camera.longitude, row.camera.kind.value) == (
        51.37014,
        6.16864,
        "flexible",
    )
    assert row.line == 3


def test_windows_1252_export_is_read() -> None:
    [row] = rows_of("name;host;location\nVL-1;127.0.0.1;Café Überweg\n", encoding="cp1252")
    assert row.camera.location == "Café Überweg"


def test_quoted_fields_with_separators_and_newlines() -> None:
    [row] = rows_of('name,host,location\nVL-1,127.0.0.1,"Markt, hoek\nVleesstraat"\n')
    assert row.camera.location == "Markt, hoek\nVleesstraat"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("[fe80::1]", "fe80::1"),
        ("Cam-1.Venlo.nl", "cam-1.venlo.nl"),
    ],
)
def test_host_forms(value: str, expected: str) -> None:
    [row] = rows_of(f"name,host\nA,{value}\n")
    assert row.camera.host == expected


def test_every_problem_is_reported_with_line_and_column() -> None:
    text = "\n".join(
        [
            HEADER,
            "A,127.0.0.1,fixed,51.3,6.1,8080,2020-01-01,fiber",
            "B,not a host!,fixed,51.3,6.1,8080,2020-01-01,fiber",
            "C,127.0.0.1,mobile,91,6.1,0,2020-13-01,satellite",
            "A,127.0.0.2,fixed,51.3,6.1,80,,",
            ",127.0.0.3,,,,,,",
        ]
    )
    problems = problems_of(text)
    assert "line 3: host: Value error, 'not a host!' is not an IPv4/IPv6 address or host name" not in problems
    assert any(p.startswith("line 3: host: ") and "not an IPv4/IPv6 address or host name" in p for p in problems)
    for column in ("kind", "latitude", "onvif_port", "installed_on", "network"):
        assert any(p.startswith(f"line 4: {column}: ") for p in problems), (column, problems)
    assert "line 5: name: duplicate name 'A', first on line 2" in problems
    assert any(p.startswith("line 6: name: ") for p in problems)
    lines = [int(p.split(":")[0].split()[1]) for p in problems]
    assert lines == sorted(lines)


def test_unknown_and_duplicate_columns_and_missing_required() -> None:
    problems = problems_of("name,hots,Name,lattitude\nA,127.0.0.1,A,1\n")
    assert "line 1: hots: unknown column (check the spelling against the documented columns)" in problems
    assert "line 1: lattitude: unknown column (check the spelling against the documented columns)" in problems
    assert "line 1: name: column appears twice" in problems
    assert "line 1: host: required column is missing" in problems


def test_shifted_row_with_extra_cells_is_refused() -> None:
    problems = problems_of("name,host\nA,127.0.0.1,extra\n")
    assert problems == ["line 2: row: more cells than columns (a separator inside an unquoted value?)"]


def test_half_coordinates_and_credential_rules() -> None:
    problems = problems_of(
        "name,host,latitude,longitude,username,password,snmp_version,snmp_user,snmp_auth_key,snmp_priv_key\n"
        "A,127.0.0.1,51.3,,,,,,,\n"
        "B,127.0.0.1,,,,secret-pass,,,,\n"
        "C,127.0.0.1,,,,,3,,,\n"
        "D,127.0.0.1,,,,,3,ops,short,\n"
    )
    assert problems == [
        "line 2: longitude: latitude and longitude go together; give both or neither",
        "line 3: username: required when a password is given",
        "line 4: snmp_user: required for SNMP v3",
        "line 5: snmp_auth_key: must be at least 8 characters",
    ]


def test_secrets_never_appear_in_problems_or_reprs() -> None:
    problems = problems_of("name,host,password\nA,127.0.0.1,hunter2-secret\n")
    assert all("hunter2" not in p for p in problems)
    [row] = rows_of("name,host,username,password\nA,127.0.0.1,admin,hunter2-secret\n")
    assert "hunter2" not in repr(row)


def test_snmp_defaults() -> None:
    [v2, v3] = rows_of(
        "name,host,snmp_version,snmp_user,snmp_auth_key,snmp_priv_key\n"
        "A,127.0.0.1,2c,,,\n"
        "B,127.0.0.1,,ops,authpass1,privpass1\n"
    )
    assert (v2.camera.snmp_version, v2.camera.snmp_community) == ("2c", "public")
    assert v3.camera.snmp_version == "3"


def test_simulation_columns_are_accepted_and_ignored() -> None:
    [row] = rows_of("name,host,sim_manufacturer,sim_mac\nA,127.0.0.1,Hikvision,44:19:b6:00:00:01\n")
    assert "sim_manufacturer" not in row.columns


def test_empty_and_header_only_files() -> None:
    with pytest.raises(ImportRejected, match="problem"):
        rows_of("")
    assert problems_of("name,host\n\n") == ["line 1: file: no camera rows after the header"]


def _xlsx(tmp_path: Path, rows: list[list[object]], merge: str | None = None) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    path = tmp_path / "cams.xlsx"
    book.save(path)
    return path


def test_xlsx_typed_cells(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path,
        [
            ["name", "host", "onvif_port", "latitude", "longitude", "installed_on"],
            ["X-1", "127.0.0.1", 8080.0, 51.5, 6.1, datetime(2020, 5, 1)],
            [None, None, None, None, None, None],
        ],
    )
    [row] = read_camera_file(path)
    assert (row.camera.onvif_port, row.camera.installed_on) == (8080, date(2020, 5, 1))


def test_xlsx_formula_and_merged_header_are_refused(tmp_path: Path) -> None:
    path = _xlsx(tmp_path, [["name", "host", "onvif_port"], ["X-1", "127.0.0.1", "=80+8000"]])
    with pytest.raises(ImportRejected) as caught:
        read_camera_file(path)
    assert [str(p) for p in caught.value.problems] == [
        "line 2: onvif_port: contains a formula; paste the values instead (Paste Special → Values)"
    ]
    merged = _xlsx(tmp_path, [["name", "host", None], ["X-1", "127.0.0.1", None]], merge="B1:C1")
    with pytest.raises(ImportRejected, match="problem") as caught:
        read_camera_file(merged)
    assert "merged header cells" in str(caught.value.problems[0])


def test_not_a_workbook_and_wrong_suffix(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"name,host\n")
    with pytest.raises(ImportRejected) as caught:
        read_camera_file(fake)
    assert str(caught.value.problems[0]).startswith("line 1: file: not a readable XLSX workbook")
    other = tmp_path / "cams.txt"
    other.write_text("x")
    with pytest.raises(ImportRejected):
        read_camera_file(other)


def test_csv_bytes_that_are_binary_garbage() -> None:
    with pytest.raises(ImportRejected):
        header, rows = read_csv(io.BytesIO(b"\x81\x8d\x8f\x90\x9d").getvalue())
        validate_rows(header, rows)


def test_retired_on_column() -> None:
    text = "\n".join(
        [
            "name,host,installed_on,retired_on",
            "A,127.0.0.1,2018-03-01,2026-07-01",
            "B,127.0.0.2,,",
            "C,127.0.0.3,2020-01-01,2019-12-31",
            "D,127.0.0.4,,31-12-2026",
        ]
    )
    problems = problems_of(text)
    assert problems[0] == "line 4: retired_on: 2019-12-31 is not after installed_on 2020-01-01", problems
    assert any(p.startswith("line 5: retired_on: ") for p in problems), problems
    [a, b] = rows_of("\n".join(text.splitlines()[:3]))
    assert (a.camera.retired_on, b.camera.retired_on) == (date(2026, 7, 1), None)
    assert "retired_on" in a.columns
