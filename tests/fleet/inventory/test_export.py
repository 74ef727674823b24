"""The inventory on both engines: rows, the replacement plan, and every format a procurement officer opens."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

from openpyxl import load_workbook

from config.settings import Settings
from fleet.cameras.models import Camera, CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.health.models import StatusInterval
from fleet.inventory import export
from fleet.inventory.service import COLUMNS, build_inventory
from fleet.vendor_risk.service import assess_camera
from tests.builders import make_camera

AS_OF = date(2026, 6, 1)


async def _fleet(database: Database, cipher: CredentialCipher, settings: Settings) -> None:
    async with database.unit_of_work() as session:
        hik = await make_camera(
            session,
            cipher,
            name="VL-F003",
            area="Venlo-Zuid",
            latitude=51.35683,
            longitude=6.18384,
            declared_manufacturer="Hikvision",
            declared_model="DS-2CD2132F-IS",
            installed_on="2015-05-05",
        )
        axis = await make_camera(
            session,
            cipher,
            name="VL-F001",
            area="Binnenstad",
            declared_manufacturer="Axis Communications",
            installed_on="2024-02-24",
        )
        for camera, (manufacturer, model, firmware, mac) in (
            (hik, ("HIKVISION", "DS-2CD2132F-IS", "V5.3.0 build 150513", "44:19:b6:00:00:03")),
            (axis, ("AXIS", "Q1615-LE Mk III", "10.12.114", "ac:cc:8e:00:00:01")),
        ):
            row = await session.get(Camera, camera.id)
            assert row is not None
            row.observed_manufacturer, row.observed_model, row.observed_firmware, row.observed_mac = (
                manufacturer,
                model,
                firmware,
                mac,
            )
            await assess_camera(session, row, settings)
        session.add_all(
            [
                StatusInterval(
                    camera_id=hik.id,
                    status=CameraStatus.UP,
                    started_at=datetime(2025, 1, 1, tzinfo=UTC),
                    ended_at=datetime(2026, 5, 1, tzinfo=UTC),
                ),
                StatusInterval(
                    camera_id=hik.id,
                    status=CameraStatus.DOWN,
                    started_at=datetime(2026, 5, 1, tzinfo=UTC),
                    ended_at=None,
                ),
                Fault(
                    camera_id=hik.id,
                    kind=FaultKind.OFFLINE,
                    severity=Severity.CRITICAL,
                    summary="offline",
                    opened_at=datetime(2026, 5, 1, tzinfo=UTC),
                ),
            ]
        )


async def test_rows_and_plan(database: Database, cipher: CredentialCipher, settings: Settings) -> None:
    await _fleet(database, cipher, settings)
    async with database.unit_of_work() as session:
        rows = await build_inventory(session, settings=settings, as_of=AS_OF)
    by_name = {r.values["name"]: r for r in rows}
    hik, axis = by_name["VL-F003"].values, by_name["VL-F001"].values
    assert [r.values["name"] for r in rows] == ["VL-F001", "VL-F003"]
    assert (hik["risk_level"], hik["origin_country"], hik["age_years"]) == ("high", "China", 11.1)
    assert "mac_oui=44:19:b6:00:00:03 → Hikvision" in hik["risk_evidence"]
    assert hik["faults_12m"] == 1 and 0.9 < hik["availability_12m"] < 0.92  # down since 1 May
    assert hik["firmware_state"] == "vulnerable" and by_name["VL-F003"].advisories
    assert axis["risk_level"] == "low" and axis["age_years"] == 2.3
    assert hik["replacement_priority"] > 80 > 20 > axis["replacement_priority"]
    assert "high origin risk" in hik["replacement_reason"] and "firmware vulnerable" in hik["replacement_reason"]


async def test_formats(database: Database, cipher: CredentialCipher, settings: Settings) -> None:
    await _fleet(database, cipher, settings)
    async with database.unit_of_work() as session:
        rows = await build_inventory(session, settings=settings, as_of=AS_OF)
        again = await build_inventory(session, settings=settings, as_of=AS_OF)
    assert export.to_csv(rows) == export.to_csv(again)
    assert export.to_json(rows, as_of=AS_OF) == export.to_json(again, as_of=AS_OF)

    table = list(csv.reader(io.StringIO(export.to_csv(rows).decode("utf-8-sig"))))
    assert tuple(table[0]) == COLUMNS and len(table) == 3

    document = json.loads(export.to_json(rows, as_of=AS_OF))
    assert document["as_of"] == "2026-06-01" and document["cameras"][1]["risk_evidence"][0]["signal"]

    geo = json.loads(export.to_geojson(rows, as_of=AS_OF))
    assert geo["type"] == "FeatureCollection"
    points = {f["properties"]["name"]: f["geometry"] for f in geo["features"]}
    assert points == {"VL-F003": {"type": "Point", "coordinates": [6.18384, 51.35683]}, "VL-F001": None}

    book = load_workbook(io.BytesIO(export.to_xlsx(rows, as_of=AS_OF)))
    assert book.sheetnames == ["Cameras", "Summary", "Replacement plan", "Vulnerabilities", "Data dictionary"]
    cameras = book["Cameras"]
    assert cameras.freeze_panes == "A2" and cameras.auto_filter.ref
    assert [c.value for c in cameras[1]] == list(COLUMNS)
    hik = [c.value for c in cameras[3]]
    assert hik[COLUMNS.index("latitude")] == 51.35683
    assert isinstance(hik[COLUMNS.index("installed_on")], datetime)
    assert hik[COLUMNS.index("identity_mismatch")] is False
    plan = book["Replacement plan"]
    assert [plan.cell(2, 2).value, plan.cell(3, 2).value] == ["VL-F003", "VL-F001"]
    assert book["Vulnerabilities"].max_row >= 2
    assert book["Data dictionary"].max_row == len(COLUMNS) + 1
