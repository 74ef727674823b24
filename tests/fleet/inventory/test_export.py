"""The inventory on both engines: rows, the replacement plan, and every format a procurement officer opens."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from config.catalogues import FOLDER, parse
from config.settings import Settings
from fleet.cameras.models import Camera, CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.firmware.lifecycle import Lifecycle
from fleet.health.models import StatusInterval
from fleet.inventory import export, service
from fleet.inventory.service import COLUMNS, build_inventory
from fleet.inventory.wording import heading
from fleet.vendor_risk.catalogue import load_catalogue
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
    # Origin 30, age 15 (11.1 of 8 years), end of support 0 (unknown), firmware 15, faults 1 of 12 → 0.8.
    hik_parts = by_name["VL-F003"].parts
    assert hik_parts is not None
    assert (hik_parts.risk, hik_parts.age, hik_parts.end_of_support, hik_parts.firmware, hik_parts.faults) == (
        30.0,
        15.0,
        0.0,
        15.0,
        0.8,
    )
    assert hik["replacement_priority"] == round(60.8 + hik_parts.availability, 1) > 68  # down 1 month of 12
    # Axis: low 0, age 15 × 2.3 / 8 = 4.3125 → 4.3, firmware 10.12.114 on LTS 2022 → ok, nothing else measured.
    assert axis["replacement_priority"] == 4.3 and axis["replacement_reason"] == "no reason to replace early"
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
    assert book["Data dictionary"].max_row == len(COLUMNS) + len(export.PLAN_DICTIONARY) + 1
    assert any("end of support" in str(c.value) for c in book["Data dictionary"]["A"])


# Dated entries as a source would give them (test data, not shipped facts) for the two cameras of the fleet.
LIFECYCLE_ENTRIES = """
[[products]]
vendor = "hikvision"
models = ['^DS-2CD2\\d32F-I']
discontinued = 2017-01-01
end_of_support = 2020-01-01
sources = ["T1"]

[[products]]
vendor = "axis"
models = ['^(AXIS )?Q1615-LE Mk III$']
discontinued = 2025-03-01
sources = ["T1"]
"""


def _lifecycle_with_entries() -> Lifecycle:
    text = (
        (FOLDER / "lifecycle.toml")
        .read_text(encoding="utf-8")
        .replace("[sources]\n", '[sources]\nT1 = "test source"\n')
    )
    return parse(Lifecycle, text + LIFECYCLE_ENTRIES, vendors=load_catalogue())


async def test_end_of_support_in_plan(
    database: Database, cipher: CredentialCipher, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _fleet(database, cipher, settings)
    monkeypatch.setattr(service, "load_lifecycle", _lifecycle_with_entries)
    async with database.unit_of_work() as session:
        rows = await build_inventory(session, settings=settings, as_of=AS_OF)
    by_name = {r.values["name"]: r for r in rows}
    hik, axis = by_name["VL-F003"], by_name["VL-F001"]
    assert hik.parts is not None and axis.parts is not None
    assert (hik.parts.end_of_support, hik.parts.support.state) == (10.0, "ended")
    assert "maker's support ended 2020-01-01" in hik.values["replacement_reason"]
    # Axis: discontinued 2025-03-01, supported for 6 more years by Axis' policy: 4.3 + 5 = 9.3.
    assert (axis.parts.end_of_support, axis.parts.support.ends) == (5.0, date(2031, 3, 1))
    assert axis.values["replacement_priority"] == 9.3
    assert axis.values["replacement_reason"] == "discontinued 2025-03-01, supported until 2031-03-01"

    record = json.loads(export.to_json(rows, as_of=AS_OF))["cameras"][0]
    assert record["replacement_parts"]["end_of_support"] == 5.0
    assert record["end_of_support"]["state"] == "discontinued" and record["end_of_support"]["ends"] == "2031-03-01"
    assert tuple(next(csv.reader(io.StringIO(export.to_csv(rows).decode("utf-8-sig"))))) == COLUMNS

    for language, support, reason in (
        ("en", "end of support", "discontinued 2025-03-01, supported until 2031-03-01"),
        ("nl", "einde ondersteuning", "uit productie sinds 2025-03-01, ondersteuning tot 2031-03-01"),
    ):
        plan = load_workbook(io.BytesIO(export.to_xlsx(rows, as_of=AS_OF, language=language)))["Replacement plan"]
        header = [c.value for c in plan[1]]
        axis_row = dict(zip(header, [c.value for c in plan[3]], strict=True))
        assert axis_row[support] == 5.0 and axis_row[heading("reason", language)] == reason  # type: ignore[arg-type]
        assert axis_row[heading("support_ends", language)] == datetime(2031, 3, 1)  # type: ignore[arg-type]


async def test_workbook_in_dutch(database: Database, cipher: CredentialCipher, settings: Settings) -> None:
    await _fleet(database, cipher, settings)
    async with database.unit_of_work() as session:
        rows = await build_inventory(session, settings=settings, as_of=AS_OF)
    book = load_workbook(io.BytesIO(export.to_xlsx(rows, as_of=AS_OF, language="nl")))
    plan = book["Replacement plan"]
    assert [c.value for c in plan[1]] == [
        "rang",
        "naam",
        "gebied",
        "fabrikant",
        "model",
        "prioriteit",
        "herkomstrisico",
        "leeftijd",
        "einde ondersteuning",
        "firmware",
        "storingen",
        "beschikbaarheid",
        "waargenomen incidenten",
        "ondersteuning",
        "ondersteuning tot",
        "reden",
    ]
    hik = [c.value for c in plan[2]]
    assert hik[13] == "onbekend"  # no dated source for the model: shown as unknown
    assert hik[15].startswith("hoog herkomstrisico (Hikvision); ") and "firmware kwetsbaar" in hik[15]
    summary = {(r[0].value, r[1].value): r[2].value for r in book["Summary"].iter_rows(min_row=2)}
    assert summary[("risiconiveau", "hoog")] == 1 and summary[("risiconiveau", "laag")] == 1
    assert summary[("firmwarestatus", "kwetsbaar")] == 1 and summary[("firmwarestatus", "in orde")] == 1
    # Cameras keeps the contract's codes and the English reason in both languages, as the CSV does.
    cameras = book["Cameras"]
    assert [c.value for c in cameras[3]][COLUMNS.index("risk_level")] == "high"
    words = " ".join(str(c.value) for row in plan.iter_rows(min_row=2) for c in row if isinstance(c.value, str))
    for english in ("origin risk", "years old", "firmware vulnerable", "faults in", "availability", "unknown"):
        assert english not in words, english
