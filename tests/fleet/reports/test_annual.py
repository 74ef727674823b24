"""The annual report's camera chapter from a real registry, decisions and tickets, in Dutch and English."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config.settings import Settings
from fleet.cameras import importer
from fleet.cameras import service as cameras
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.decisions import service as decisions
from fleet.decisions.importer import read_decision_file
from fleet.reports.annual import annual_document
from fleet.reports.annual_figures import ticket_figures
from fleet.reports.chapter import Table
from fleet.tickets.models import Priority, RepairTicket
from fleet.vendor_risk.service import reassess_all
from tests.builders import TEST_ACTOR
from tests.fleet.reports.layout import pages


async def test_chapter_in_both_languages(
    database: Database, cipher: CredentialCipher, settings: Settings, test_data: Path
) -> None:
    async with database.unit_of_work() as session:
        rows = importer.read_camera_file(test_data / "fleet-venlo-illustrative.csv")
        await cameras.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)
        await reassess_all(session, settings)
        parsed = read_decision_file(test_data / "decisions-2023.csv")
        await decisions.import_rows(session, actor=TEST_ACTOR, rows=parsed)
    now = datetime(2024, 3, 1, tzinfo=UTC)
    async with database.unit_of_work() as session:
        dutch = await annual_document(session, year=2023, settings=settings, now=now, language="nl")
        english = await annual_document(session, year=2023, settings=settings, now=now, language="en")
    assert "Cameratoezicht 2023: de camera&#39;s" in dutch.html  # HTML-escaped apostrophe
    assert "Samenstelling" in dutch.html and "Besluiten flexibel cameratoezicht" in dutch.html
    assert "Kaldenkerkerweg" in dutch.html and "1914462" in dutch.html  # the first decision of the 2023 table
    assert "Camera surveillance 2023: the cameras" in english.html
    # The availability figures say how precisely outages were timed, from the configured intervals.
    assert "Begin en einde van storingen tot op 120 s nauwkeurig" in dutch.html
    assert "Outage edges to within 120 s" in english.html
    assert dutch.html.count("<svg") == 2
    assert re.search(r'<section id="decisions">\s*<h2>Besluiten flexibel cameratoezicht', dutch.html)
    assert dutch.pdf().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("responded_h", "resolved_h", "response_ok", "resolution_ok"),
    [(0.5, 4, 1.0, 1.0), (2, 10, 0.0, 0.0), (None, None, None, None)],
)
def test_ticket_figures(
    responded_h: float | None, resolved_h: float | None, response_ok: float | None, resolution_ok: float | None
) -> None:
    created = datetime(2023, 5, 1, 9, tzinfo=UTC)
    ticket = RepairTicket(
        priority=Priority.P1,
        title="x",
        created_at=created,
        created_by="test",
        sla_started_at=created,
        response_due_at=created + timedelta(hours=1),
        resolution_due_at=created + timedelta(hours=8),
        responded_at=None if responded_h is None else created + timedelta(hours=responded_h),
        resolved_at=None if resolved_h is None else created + timedelta(hours=resolved_h),
        cost_cents=1250,
    )
    figures = ticket_figures([ticket])
    assert (figures.response_within, figures.resolution_within, figures.cost_cents) == (
        response_ok,
        resolution_ok,
        1250,
    )


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


async def test_replacement_and_firmware_words_follow_the_language(
    database: Database, cipher: CredentialCipher, settings: Settings, test_data: Path
) -> None:
    async with database.unit_of_work() as session:
        rows = importer.read_camera_file(test_data / "fleet-venlo-illustrative.csv")
        await cameras.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)
        await reassess_all(session, settings)
    now = datetime(2024, 3, 1, tzinfo=UTC)
    async with database.unit_of_work() as session:
        dutch = (await annual_document(session, year=2023, settings=settings, now=now, language="nl")).html
        english = (await annual_document(session, year=2023, settings=settings, now=now, language="en")).html

    plan_nl = _section(dutch, "Eerst te vervangen", "<h2>")
    firmware_nl = _section(dutch, "<h2>Firmware</h2>", "</table>")
    for header in ("prioriteit", "herkomstrisico", "leeftijd", "einde ondersteuning", "storingen", "beschikbaarheid"):
        assert f'<th class="n">{header}</th>' in plan_nl, header
    # The illustrative fleet is declared only: Hikvision and Dahua cameras are high risk, no firmware was read, and
    # no lifecycle entry covers any model, so end of support shows as unknown.
    assert "hoog herkomstrisico (Hikvision)" in plan_nl and "<td>onbekend</td>" in plan_nl
    assert "<td>onbekend</td>" in firmware_nl
    # The risk-level chart's labels (matplotlib draws text as paths and names each in a comment).
    assert "<!-- hoog -->" in dutch and "<!-- high -->" not in dutch and "<!-- high -->" in english
    leftovers = ("origin risk", "years old", "faults in", "availability", "unknown", "vulnerable", "outdated")
    for english_word in (*leftovers, "<td>high", "<td>medium", "<td>low", "priority", "reason", "end of support"):
        assert english_word not in plan_nl + firmware_nl, english_word
        assert english_word not in _section(dutch, "<h2>Herkomst", "<h3>"), english_word

    plan_en = _section(english, "To replace first", "<h2>")
    for header in ("priority", "origin risk", "age", "end of support", "faults", "availability"):
        assert f'<th class="n">{header}</th>' in plan_en, header
    assert "high origin risk (Hikvision)" in plan_en and "<td>unknown</td>" in plan_en
    assert "<td>unknown</td>" in _section(english, "<h2>Firmware</h2>", "</table>")
    for dutch_word in ("herkomstrisico", "onbekend", "storingen", "hoog"):
        assert dutch_word not in plan_en, dutch_word


async def test_registrations_of_other_municipalities_in_the_chapter(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    register = tmp_path / "register.csv"
    register.write_text(
        "row,decision_date,location,start_date,end_date,action,reason,registration\n"
        "1,2023-03-01,Markt,2023-03-06,2023-03-08,deploy,Carnaval,Z/23/004512\n"
        "2,2023-05-01,Julianapark,2023-05-05,2023-05-05,deploy,Bevrijdingsdag,BM-23-17 ; 2023-0012345\n",
        encoding="utf-8",
    )
    async with database.unit_of_work() as session:
        await decisions.import_rows(session, actor=TEST_ACTOR, rows=read_decision_file(register))
        document = await annual_document(
            session, year=2023, settings=settings, now=datetime(2024, 3, 1, tzinfo=UTC), language="nl"
        )
    decided = _section(document.html, '<section id="decisions">', "</table>")
    assert "<td>Carnaval (Z/23/004512)</td>" in decided and "<td>Bevrijdingsdag (BM-23-17;2023-0012345)</td>" in decided


# Section 5 of Venlo's 2023 report (docs/sources/), its first lines as printed: decision, cameras, location, period,
# reason with the registration number in brackets (the reasons are the register file's English summaries).
SEED_SECTION_5 = ["Besluit burgemeester", "Inzet aantal", "Locatie", "Periode", "Reden; (registratienummer)"]


async def test_decisions_of_2023_as_section_5(database: Database, settings: Settings, test_data: Path) -> None:
    parsed = read_decision_file(test_data / "decisions-2023.csv")
    async with database.unit_of_work() as session:
        await decisions.import_rows(session, actor=TEST_ACTOR, rows=parsed)
        now = datetime(2024, 3, 1, tzinfo=UTC)
        dutch = await annual_document(session, year=2023, settings=settings, now=now, language="nl")
        english = await annual_document(session, year=2023, settings=settings, now=now, language="en")
    table = next(s for s in dutch.chapter.sections if s.key == "decisions").blocks[0]
    assert isinstance(table, Table)
    assert table.headers == SEED_SECTION_5
    with (test_data / "decisions-2023.csv").open(encoding="utf-8") as source:
        register = list(csv.DictReader(source))
    # Every decision of the register, in its order, each number where the report prints it.
    assert len(table.rows) == len(register) == 28
    for row, line in zip(table.rows, register, strict=True):
        assert row[0] == line["decision_date_raw"] and row[3] == line["period_raw"]
        assert row[4].endswith(f"({line['registration']})"), (row, line["registration"])
    assert table.rows[0] == [
        "19dec22",
        "3 flex",
        "Kruising Kaldenkerkerweg-Merelweg; Kaldenkerkerweg-Casinoweg; Kaldenkerkerweg/Prinsenstraat",
        "6jan23",
        "Risk match VVV-Helmond Sport (1914462)",
    ]
    # Withdrawals and extensions say so, as the report's "Intrekking besluit …" and "Verlenging …" do.
    assert table.rows[12][4].startswith("Intrekking: ") and table.rows[12][4].endswith("(3159)")
    assert table.rows[4][4].startswith("Verlenging: ")
    in_english = next(s for s in english.chapter.sections if s.key == "decisions").blocks[0]
    assert isinstance(in_english, Table) and in_english.rows[12][4].startswith("Withdrawal: ")
    # The PDF lays it out on the page: every decision's number is in it.
    text = "".join(page.text for page in pages(await dutch.pdf_beside_loop())).replace("\n", " ")
    assert all(line["registration"].split(";")[0] in text for line in register)
