"""The observers' incident register: the shipped category list, the observers' own annual table imported from CSV or
XLSX and written out again as section 7 of the report (last year in brackets), incidents entered one by one counted
per area and camera, and refusals that write nothing."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.errors import ImportRejected
from fleet.incidents import service
from fleet.incidents.importer import read_tally_file
from fleet.incidents.schemas import CategoryIn, IncidentIn
from fleet.incidents.shipped import SHIPPED
from fleet.inventory.service import build_inventory
from fleet.reports.annual import annual_document
from tests.builders import TEST_ACTOR, make_camera
from tests.fleet.reports.layout import pages

SECTION_7 = ["Omschrijving incident", "Totaal aantal 2023 (2022)", "Waarvan aantal", "Opmerking"]


def _lines(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as source:
        return [[" ".join(cell.split()) for cell in row] for row in csv.reader(source, delimiter=";")]


async def test_section_7_comes_out_as_it_went_in(database: Database, settings: Settings, test_data: Path) -> None:
    table = read_tally_file(test_data / "incidents-2023.csv")
    assert (table.year, table.previous_year, len(table.lines)) == (2023, 2022, 55)
    async with database.unit_of_work() as session:
        assert [c.name for c in await service.categories(session)] == list(SHIPPED)
        assert await service.import_tallies(session, actor=TEST_ACTOR, table=table) == 55
    async with database.unit_of_work() as session:
        document = await annual_document(
            session, year=2023, settings=settings, now=datetime(2024, 3, 1, tzinfo=UTC), language="nl"
        )
    written = next(s for s in document.chapter.sections if s.key == "incidents").blocks[0]
    header, *rows = _lines(test_data / "incidents-2023.csv")
    assert header == SECTION_7 and written.headers == SECTION_7
    assert written.rows == rows
    # On paper: the long descriptions wrap inside the page, and the table's rows run on over pages without gaps.
    measured = pages(await document.pdf_beside_loop())
    assert all(not p.outside_margins() and p.largest_gap() < 0.2 for p in measured)
    assert "Wildplassen" in "".join(p.text for p in measured)
    # The counts in brackets became the year before's: its own chapter has them as this year's.
    async with database.unit_of_work() as session:
        earlier = await service.year_table(session, 2022)
    assert [(line.category, line.count) for line, _o in earlier][:3] == [
        (SHIPPED[0], 15),
        (SHIPPED[1], 300),
        (SHIPPED[2], 140),
    ]


async def test_incidents_entered_add_up_per_area_and_camera(
    database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        markt = await make_camera(session, cipher, name="VL-F001", area="Binnenstad")
        wildplassen = (await service.categories(session))[2]
        for day, camera, arrests in (
            (date(2026, 2, 1), markt.id, 1),
            (date(2026, 3, 1), None, 0),
            (date(2025, 5, 1), markt.id, 0),
        ):
            await service.add_incident(
                session,
                actor=TEST_ACTOR,
                data=IncidentIn(
                    occurred_on=day,
                    category_id=wildplassen.id,
                    area="Binnenstad",
                    camera_id=camera,
                    fines=1,
                    arrests=arrests,
                ),
            )
        areas, cameras = await service.seen_by(session, first=date(2026, 1, 1), last=date(2026, 12, 31))
        assert areas == {"Binnenstad": 2} and cameras == {markt.id: 1}
        document = await annual_document(
            session, year=2026, settings=settings, now=datetime(2026, 12, 4, tzinfo=UTC), language="nl"
        )
        # The camera's value in the replacement plan: one incident in the twelve months before the day (10 × 1/52).
        inventory = await build_inventory(session, settings=settings, as_of=date(2026, 12, 4))
    parts = inventory[0].parts
    assert parts is not None and parts.value == 0.2
    assert inventory[0].values["replacement_reason"].endswith("1 incident seen in 12 months")
    section = next(s for s in document.chapter.sections if s.key == "incidents")
    register, by_area, by_camera = section.blocks
    assert register.rows == [["Wildplassen", "2 (1)", "2 bekeuringen, 1 aanhoudingen", ""]]
    assert by_area.rows == [["Binnenstad", "2 (1)"]] and by_camera.rows == [["VL-F001", "1 (1)"]]


async def test_a_bad_file_writes_nothing(database: Database, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(SECTION_7)
    sheet.append(["Wildplassen", "154 (140)", "88 pv's", ""])
    sheet.append(["Zwemmen in de Maas", "3", "", ""])
    sheet.append(["Bedelen", "veel", "", ""])
    sheet.append(["Wildplassen", "1", "", ""])
    path = tmp_path / "register.xlsx"
    book.save(path)
    with pytest.raises(ImportRejected) as refused:
        read_tally_file(path)
    assert [str(p) for p in refused.value.problems] == [
        "line 4: Totaal aantal 2023 (2022): 'veel' is not a count like 326 (275)",
        "line 5: Omschrijving incident: the same category as line 2",
    ]
    sheet.delete_rows(4, 2)
    book.save(path)
    async with database.unit_of_work() as session:
        with pytest.raises(ImportRejected) as unknown:
            await service.import_tallies(session, actor=TEST_ACTOR, table=read_tally_file(path))
    assert [str(p) for p in unknown.value.problems] == [
        "line 3: Omschrijving incident: 'Zwemmen in de Maas' is not on the category list; add it first"
    ]
    async with database.unit_of_work() as session:
        assert await service.year_table(session, 2023) == []
        await service.add_category(session, actor=TEST_ACTOR, data=CategoryIn(name="Zwemmen in de Maas"))
        assert await service.import_tallies(session, actor=TEST_ACTOR, table=read_tally_file(path)) == 2
        assert [line.count for line, _o in await service.year_table(session, 2023)] == [154, 3]
