"""Importing the 2023 decisions: every row registered, anomalies warned about, bad files rejected whole."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.decisions import service
from fleet.decisions.importer import read_decision_file
from fleet.decisions.models import Decision, DecisionKind
from fleet.errors import ImportRejected
from fleet.language import Language
from tests.builders import TEST_ACTOR, make_camera


@pytest.fixture
def decisions_csv(test_data: Path) -> Path:
    return test_data / "decisions-2023.csv"


async def test_the_2023_register(database: Database, decisions_csv: Path) -> None:
    rows = read_decision_file(decisions_csv)
    assert len(rows) == 28
    async with database.unit_of_work() as session:
        result = await service.import_rows(session, actor=TEST_ACTOR, rows=rows)
    # 28 rows; the six with two actions (deploy+designate, extend+designate) give two decisions each.
    assert len(result.created) == 34 and result.already_registered == 0
    by_line: dict[int, list[str]] = {}
    for warning in result.warnings:
        assert str(warning).startswith(f"line {warning.line}: warning: ")
        by_line.setdefault(warning.line, []).append(warning.reason)
    # Rows are on line row + 1 (the header is line 1).
    assert any("printed as '23jan22' reads 2022-01-23" in w and "contradicts" in w for w in by_line[6])
    assert any("printed as '30jan22' reads 2022-01-30" in w and "contradicts" in w for w in by_line[7])
    assert "later decision date 2023-02-27 lies after the start of the period on 2023-02-17" in by_line[10]
    assert "later decision date 2023-04-06 lies after the start of the period on 2023-04-03" in by_line[15]
    assert "decision dated 2023-12-18 after the start of its period on 2023-12-16" in by_line[28]
    assert any(w.startswith("extension without a predecessor") for w in by_line[6])
    assert any(w.startswith("extension without a predecessor") for w in by_line[20])
    # The extra camera of row 3 was decided on the day its part of the period starts: nothing to warn about.
    assert not any("later decision" in w for w in by_line.get(4, []))
    # The football season 2023-2024 is designated (row 21), so its match-day deployments are inside it.
    assert not any(line in by_line for line in (23, 24, 25, 26))

    async with database.unit_of_work() as session:
        decisions = list(await session.scalars(select(Decision).order_by(Decision.id)))
        of_row = {(d.source_row, d.kind): d for d in decisions}
        match_days = of_row[22, DecisionKind.DEPLOYMENT]
        assert match_days.days == ["2023-09-01", "2023-09-15"] and match_days.registration == "61434;61469"
        assert of_row[16, DecisionKind.EXTENSION].days == []
        withdrawal = of_row[13, DecisionKind.WITHDRAWAL]
        assert withdrawal.supersedes_id == of_row[2, DecisionKind.DEPLOYMENT].id
        assert of_row[14, DecisionKind.EXTENSION].supersedes_id == of_row[3, DecisionKind.DEPLOYMENT].id
        assert of_row[14, DecisionKind.DESIGNATION].supersedes_id == of_row[3, DecisionKind.DESIGNATION].id
        assert of_row[20, DecisionKind.WITHDRAWAL].supersedes_id == of_row[14, DecisionKind.EXTENSION].id
        # Nothing is "fixed": the printed text stays beside the registered date.
        assert of_row[5, DecisionKind.EXTENSION].decision_date_raw == "23jan22"
        assert of_row[5, DecisionKind.EXTENSION].decision_date == date(2023, 1, 23)

        again = await service.import_rows(session, actor=TEST_ACTOR, rows=rows)
        assert again.created == [] and again.already_registered == 34


async def test_overview_2023_matches_the_report_table(database: Database, decisions_csv: Path) -> None:
    async with database.unit_of_work() as session:
        await service.import_rows(session, actor=TEST_ACTOR, rows=read_decision_file(decisions_csv))
        table = await service.overview(session, 2023)
        assert await service.overview(session, 2021) == []
    with decisions_csv.open(encoding="utf-8") as handle:
        source = list(csv.DictReader(handle))
    assert len(table) == 28
    for line, row in zip(table, source, strict=True):
        assert (line.decision_date, line.cameras, line.location, line.period, line.reason, line.registration) == (
            row["decision_date_raw"],
            row["cameras_raw"] or "",
            row["location"],
            row["period_raw"],
            row["reason"],
            row["registration"],
        )
    assert table[2].kinds == [DecisionKind.DESIGNATION, DecisionKind.DEPLOYMENT]


async def test_more_flexible_cameras_than_the_fleet_has(
    database: Database, decisions_csv: Path, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        for _ in range(3):
            await make_camera(session, cipher, kind="flexible")
        await make_camera(session, cipher, kind="fixed")
        result = await service.import_rows(session, actor=TEST_ACTOR, rows=read_decision_file(decisions_csv))
    over = {w.line: w.reason for w in result.warnings if "flexible cameras deployed" in w.reason}
    # Row 1 alone deploys all three; row 17 (Julianapark) adds 4 to the 4 already out on 30 June.
    assert 2 not in over
    assert over[18] == "8 flexible cameras deployed on 2023-06-30, the registry has 3"


async def test_a_malformed_row_names_its_line_and_imports_nothing(
    database: Database, decisions_csv: Path, tmp_path: Path
) -> None:
    lines = decisions_csv.read_text(encoding="utf-8").splitlines()
    lines[6] = lines[6].replace("2023-02-18", "2023-02-31", 1).replace(",deploy,", ",deploy+withdraw,", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        read_decision_file(bad)
    assert [str(p).split(":")[:2] for p in caught.value.problems] == [["line 7", " start_date"]]
    lines[6] = decisions_csv.read_text(encoding="utf-8").splitlines()[6].replace(",deploy,", ",deploy+withdraw,")
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        read_decision_file(bad)
    assert [(p.line, p.column) for p in caught.value.problems] == [(7, "action")]
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Decision)) == 0


OTHER_TOWNS = """row,decision_date,location,start_date,end_date,action,reason,registration
1,2023-03-01,Markt,2023-03-06,2023-03-08,deploy,Carnaval,Z/23/004512
2,2023-04-03,Stationsplein,2023-04-10,2023-04-30,deploy,Overlast,2023-0012345
3,2023-05-01,Julianapark,2023-05-05,2023-05-05,deploy,Bevrijdingsdag,BM-23-17
4,2023-06-01,Markt,2023-06-02,2023-06-30,deploy,Kermis,Z/23/004513 ;  BM-23-18
"""


async def test_registrations_as_other_municipalities_write_them(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_text(OTHER_TOWNS, encoding="utf-8")
    rows = read_decision_file(path)
    async with database.unit_of_work() as session:
        result = await service.import_rows(session, actor=TEST_ACTOR, rows=rows)
        assert len(result.created) == 4
        table = await service.overview(session, 2023)
    written = ["Z/23/004512", "2023-0012345", "BM-23-17", "Z/23/004513;BM-23-18"]
    assert [line.registration for line in table] == written
    async with database.unit_of_work() as session:
        stored = list(await session.scalars(select(Decision.registration).order_by(Decision.id)))
        assert stored == written
        # The same file again, spaces around ";" and all: nothing registered twice.
        again = await service.import_rows(session, actor=TEST_ACTOR, rows=read_decision_file(path))
        assert again.created == [] and again.already_registered == 4


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "line 3: registration: 'Z#23' holds '#' (U+0023), which is not allowed; use letters, digits"),
        ("nl", "regel 3: registration: 'Z#23' bevat '#' (U+0023), en dat teken is niet toegestaan; gebruik letters"),
    ],
)
def test_a_bad_registration_names_its_line_and_character(tmp_path: Path, language: Language, said: str) -> None:
    path = tmp_path / "register.csv"
    path.write_text(OTHER_TOWNS.replace("2023-0012345", "Z#23").replace("BM-23-17", "-23-17"), encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        read_decision_file(path, language=language)
    problems = caught.value.problems
    assert [(p.line, p.column) for p in problems] == [(3, "registration"), (4, "registration")]
    assert problems[0].said(language).startswith(said)
    assert "'-23-17'" in problems[1].reason and "'-' (U+002D)" in problems[1].reason
