"""The annual chapter as its reader gets it: the PDF of fleets of 0, 70 and 5,000 cameras measured page by page
(every table inside the margins, header rows repeated, no page left half empty by a tall row), Dutch number formats,
charts that say when a month has no data, and a second year written beside the first on every line."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config.settings import Settings
from config.zone import LOCAL
from fleet.cameras import importer
from fleet.cameras import service as cameras
from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.decisions import service as decisions
from fleet.decisions.importer import read_decision_file
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.health.models import CameraStatus, StatusInterval
from fleet.reports.annual import annual_document
from fleet.reports.chapter import Table
from fleet.tickets.models import Priority, RepairTicket
from fleet.vendor_risk.service import reassess_all
from tests.builders import TEST_ACTOR
from tests.fleet.reports.layout import pages

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)
# A street name longer than any column, without a place to break it.
LONG = "Kaldenkerkerweg-Merelweg-Casinoweg-Prinsenstraat-Beckersweg-Oranjestraat-Boekvinkweg-Nachtegaalweg"


def _fleet_file(test_data: Path, tmp_path: Path, size: int) -> Path:
    """A fleet of ``size`` cameras shaped like the illustrative one (70 rows repeated), in up to 102 areas."""
    with (test_data / "fleet-venlo-illustrative.csv").open(encoding="utf-8") as source:
        base = list(csv.DictReader(source))
    rows = []
    for n in range(size):
        row = dict(base[n % len(base)])
        if size > len(base):
            row.update(
                name=f"{row['name']}-{n // len(base):03d}",
                host=f"10.{n // 60000}.{n // 250 % 240}.{n % 250 + 1}",
                area=f"{row['area']} {n % 17}",
            )
        rows.append(row)
    path = tmp_path / f"fleet-{size}.csv"
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(base[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


async def _import(database: Database, cipher: CredentialCipher, settings: Settings, path: Path) -> None:
    async with database.unit_of_work() as session:
        rows = importer.read_camera_file(path)
        await cameras.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)
        await reassess_all(session, settings)


def _assert_laid_out(pdf: bytes) -> None:
    measured = pages(pdf)
    for page in measured:
        assert not page.outside_margins(), (page.number, page.outside_margins()[:3])
        # No row or figure leaves a band of white taller than a fifth of the page.
        assert page.largest_gap() < 0.2, (page.number, page.largest_gap())
    for page, following in zip(measured, measured[1:], strict=False):
        # A page is full unless the next one turns (a landscape page for a wide table starts a page of its own).
        if page.landscape == following.landscape:
            assert page.fill() > 0.6, (page.number, page.fill())
    # Running header (the title) and page numbers on every page; the contents list gives each section's page.
    for page in measured:
        assert f"{page.number} / {len(measured)}" in page.text
    for page in measured[1:]:
        assert "Cameratoezicht 2026" in page.text.splitlines()[0], page.text.splitlines()[:2]
    contents = measured[0].text
    assert re.search(r"Samenstelling[ .]*\d+", contents) and re.search(r"Firmware[ .]*\d+", contents), contents


@pytest.mark.parametrize("size", [0, 70, 5000])
async def test_chapter_fits_the_page_for_any_fleet(
    database: Database, cipher: CredentialCipher, settings: Settings, test_data: Path, tmp_path: Path, size: int
) -> None:
    if size:
        await _import(database, cipher, settings, _fleet_file(test_data, tmp_path, size))
    if size == 5000:
        # Decisions whose location and reason are longer than their columns, one word longer than the whole line.
        register = tmp_path / "register.csv"
        register.write_text(
            "row,decision_date,location,start_date,end_date,action,reason,registration\n"
            + "".join(
                f"{n},2026-0{n}-01,{LONG} {LONG.replace('-', ' ')},2026-0{n}-06,2026-0{n}-08,deploy,"
                f"{'Risicowedstrijd en evenement in de binnenstad ' * 4},Z/26/00{n}\n"
                for n in range(1, 10)
            ),
            encoding="utf-8",
        )
        async with database.unit_of_work() as session:
            await decisions.import_rows(session, actor=TEST_ACTOR, rows=read_decision_file(register))
    async with database.unit_of_work() as session:
        document = await annual_document(session, year=2026, settings=settings, now=NOW, language="nl")
    pdf = await document.pdf_beside_loop()
    _assert_laid_out(pdf)
    measured = pages(pdf)
    if size == 5000:
        # 102 areas: the area table runs over pages, and each of them starts with its header row.
        continued = [p for p in measured if "Binnenstad 16" in p.text or "Venlo-Zuid 9" in p.text]
        assert len(continued) >= 2 and all("Per gebied" in p.text for p in continued)
        assert all(f"(Z/26/00{n})" in "".join(p.text for p in measured) for n in range(1, 10))
        assert "5.000" in measured[1].text or "5.000" in measured[0].text  # Dutch grouping
        assert any(p.landscape for p in measured)  # the replacement plan's own page
    if size == 0:
        # Nothing measured: the charts say so instead of drawing empty axes; amounts in Dutch form.
        assert "<!-- geen gegevens -->" in document.html
        assert "€\u00a00,00" in document.html and "€0.00" not in document.html
    assert len(measured) <= {0: 4, 70: 6, 5000: 12}[size], len(measured)


async def _two_years(database: Database) -> None:
    """Two years of history for every camera: up, an outage a quarter, a month without any measurement in 2026
    (March), tickets and faults in both years."""
    async with database.unit_of_work() as session:
        ids = list((await session.scalars(Camera.__table__.select().with_only_columns(Camera.id))).all())
        start = datetime(2025, 1, 1, tzinfo=LOCAL).astimezone(UTC)
        gap = (datetime(2026, 3, 1, tzinfo=LOCAL).astimezone(UTC), datetime(2026, 4, 1, tzinfo=LOCAL).astimezone(UTC))
        for n, camera_id in enumerate(ids):
            moments = [start]
            for quarter in range(8):
                down = start + timedelta(days=91 * quarter + 20 + n % 30, hours=n % 5)
                moments += [down, down + timedelta(hours=1 + quarter + n % 3)]
            statuses = [CameraStatus.UP, *[CameraStatus.DOWN, CameraStatus.UP] * 8]
            for status, begin, end in zip(statuses, moments, [*moments[1:], None], strict=True):
                if end is not None and begin < gap[0] < end:
                    session.add(StatusInterval(camera_id=camera_id, status=status, started_at=begin, ended_at=gap[0]))
                    begin = gap[1]
                session.add(StatusInterval(camera_id=camera_id, status=status, started_at=begin, ended_at=end))
        for year, count in ((2025, 3), (2026, 5)):
            for n in range(count):
                opened = datetime(year, 2 + n, 3, 9, tzinfo=UTC)
                session.add(
                    Fault(
                        camera_id=ids[n],
                        kind=FaultKind.OFFLINE,
                        severity=Severity.CRITICAL,
                        summary="offline",
                        opened_at=opened,
                        closed_at=opened + timedelta(hours=2),
                    )
                )
                session.add(
                    RepairTicket(
                        camera_id=ids[n],
                        priority=Priority.P2,
                        title="lens",
                        created_at=opened,
                        created_by="test",
                        sla_started_at=opened,
                        response_due_at=opened + timedelta(hours=4),
                        resolution_due_at=opened + timedelta(days=1),
                        responded_at=opened + timedelta(hours=1),
                        resolved_at=opened + timedelta(hours=5),
                        cost_cents=12_550 * (n + 1),
                    )
                )


@pytest.mark.parametrize("language", ["nl", "en"])
async def test_every_figure_beside_last_years(
    database: Database,
    cipher: CredentialCipher,
    settings: Settings,
    test_data: Path,
    language: str,
) -> None:
    await _import(database, cipher, settings, test_data / "fleet-venlo-illustrative.csv")
    await _two_years(database)
    async with database.unit_of_work() as session:
        first = await annual_document(session, year=2025, settings=settings, now=NOW, language=language)  # type: ignore[arg-type]
        second = await annual_document(session, year=2026, settings=settings, now=NOW, language=language)  # type: ignore[arg-type]
    said = {"nl": "eerste jaar", "en": "first year"}[language]
    assert said in first.chapter.meta and said not in second.chapter.meta
    # The fleet's tables (the incident register has its own test: this history has no incidents).
    fleet = [b for s in second.chapter.sections if s.key != "incidents" for b in s.blocks if isinstance(b, Table)]
    compared = [t for t in fleet if t.numeric[-1] and t.numeric[1]]
    assert len(compared) >= 6  # key figures (3×), areas, faults by kind, origin, firmware
    for table in compared:
        assert table.rows
        for row in table.rows:
            for cell, numeric in zip(row[1:], table.numeric[1:], strict=True):
                if numeric:
                    assert re.fullmatch(r".+ \(.+\)", cell), (table.headers, row)
    figures = {row[0]: row[1] for table in second.chapter.tables()[:4] for row in table.rows}
    repair = {"nl": "Reparatietickets", "en": "Repair tickets"}[language]
    cost = {"nl": "Kosten onderdelen en werk", "en": "Parts and labour"}[language]
    assert figures[repair] == "5 (3)"
    assert figures[cost] == {"nl": "€\u00a01.882,50 (€\u00a0753,00)", "en": "€1,882.50 (€753.00)"}[language]
    # March 2026 had no measurement: its bar says so.
    assert {"nl": "<!-- geen gegevens -->", "en": "<!-- no data -->"}[language] in second.html
    if language == "nl":
        _assert_laid_out(await second.pdf_beside_loop())
