"""The annual chapter as DOCX: it opens in python-docx with the same headings, tables and charts as the HTML and PDF,
the wide replacement plan on a landscape page, header rows marked to repeat; Dutch and English."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from config.settings import Settings
from fleet.cameras import importer
from fleet.cameras import service as cameras
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.decisions import service as decisions
from fleet.decisions.importer import read_decision_file
from fleet.language import Language
from fleet.reports.annual import annual_document
from fleet.reports.chapter import Subheading
from fleet.vendor_risk.service import reassess_all
from tests.builders import TEST_ACTOR


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_docx_has_the_chapters_headings_tables_and_charts(
    database: Database, cipher: CredentialCipher, settings: Settings, test_data: Path, language: Language
) -> None:
    async with database.unit_of_work() as session:
        rows = importer.read_camera_file(test_data / "fleet-venlo-illustrative.csv")
        await cameras.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)
        await reassess_all(session, settings)
        await decisions.import_rows(
            session, actor=TEST_ACTOR, rows=read_decision_file(test_data / "decisions-2023.csv")
        )
        document = await annual_document(
            session, year=2023, settings=settings, now=datetime(2024, 3, 1, tzinfo=UTC), language=language
        )
    chapter = document.chapter
    word = docx.Document(io.BytesIO(await document.docx_beside_loop()))

    headings = [(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading ")]
    expected = [("Heading 1", chapter.title)]
    for section in chapter.sections:
        expected.append(("Heading 2", section.heading))
        expected += [("Heading 3", b.text) for b in section.blocks if isinstance(b, Subheading)]
    assert [h for h in headings if h[0] != "Heading 3" or h[1] != chapter.contents] == expected

    tables = [t for t in chapter.tables() if t.rows]
    assert len(word.tables) == len(tables) >= 6
    for table, written in zip(tables, word.tables, strict=True):
        cells = [[cell.text for cell in row.cells] for row in written.rows]
        assert cells == [table.headers, *table.rows]
        # Word repeats the header row on every page the table runs over.
        assert written.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    decided = word.tables[-1]
    assert decided.rows[1].cells[0].text == "19dec22" and "(1914462)" in decided.rows[1].cells[4].text

    # The two charts as pictures; the replacement plan on a landscape page, the rest portrait.
    assert len(word.inline_shapes) == 2
    orientations = [s.orientation for s in word.sections]
    assert WD_ORIENT.LANDSCAPE in orientations and orientations[0] == WD_ORIENT.PORTRAIT
    for section in word.sections:
        assert section.page_width is not None and section.left_margin is not None
