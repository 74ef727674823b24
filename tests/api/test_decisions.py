"""Decisions through the API: roles, reasons for refusals, history kept, the annual overview."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
from openpyxl import load_workbook

from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.decisions import service
from fleet.decisions.importer import read_decision_file
from fleet.decisions.schemas import DecisionIn
from fleet.users.models import Role
from tests.api import web
from tests.builders import TEST_ACTOR, make_camera
from tests.conftest import bearer

DEPLOYMENT = {
    "kind": "deployment",
    "decision_date": "2026-03-02",
    "registration": "130001",
    "location": "Markt",
    "starts_on": "2026-03-06",
    "ends_on": "2026-03-08",
    "reason": "Carnival",
    "flexible_count": 1,
}


async def test_coordinators_register_and_everyone_reads(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, kind="flexible")
    coordinator, viewer = bearer(tokens[Role.COORDINATOR]), bearer(tokens[Role.VIEWER])
    assert (await client.get("/api/v1/decisions")).status_code == 401
    assert (
        await client.post("/api/v1/decisions", json=DEPLOYMENT, headers=bearer(tokens[Role.TECHNICIAN]))
    ).status_code == 403
    created = await client.post(
        "/api/v1/decisions", json={**DEPLOYMENT, "camera_ids": [camera.id]}, headers=coordinator
    )
    assert created.status_code == 201, created.text
    first = created.json()
    assert first["camera_ids"] == [camera.id] and first["supersedes_id"] is None
    assert first["warnings"] == ["deployment outside any valid camera area designation for this location"]

    extension = {**DEPLOYMENT, "kind": "extension", "decision_date": "2026-03-07", "ends_on": "2026-03-10"}
    later = await client.post(
        "/api/v1/decisions", json={**extension, "supersedes_id": first["id"]}, headers=coordinator
    )
    assert later.status_code == 201 and later.json()["supersedes_id"] == first["id"]
    assert "decision dated 2026-03-07 after the start of its period on 2026-03-06" in later.json()["warnings"]

    read = await client.get(f"/api/v1/decisions/{first['id']}", headers=viewer)
    assert read.status_code == 200 and read.json()["superseded_by"] == [later.json()["id"]]
    listed = (await client.get("/api/v1/decisions?year=2026", headers=viewer)).json()
    assert listed["total"] == 2 and listed["page"] == 1 and [d["id"] for d in listed["items"]][0] == later.json()["id"]
    assert (await client.get("/api/v1/decisions?year=2025", headers=viewer)).json()["total"] == 0
    assert (await client.get("/api/v1/decisions/9999", headers=viewer)).status_code == 404


async def test_patch_links_cameras_and_fixes_text_but_never_rewrites_history(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, kind="flexible")
    coordinator = bearer(tokens[Role.COORDINATOR])
    decision_id = (await client.post("/api/v1/decisions", json=DEPLOYMENT, headers=coordinator)).json()["id"]
    url = f"/api/v1/decisions/{decision_id}"
    fixed = await client.patch(url, json={"camera_ids": [camera.id], "reason": "Carnival 2026"}, headers=coordinator)
    assert fixed.status_code == 200 and fixed.json()["camera_ids"] == [camera.id]
    assert fixed.json()["reason"] == "Carnival 2026"
    assert (await client.patch(url, json={"reason": "x"}, headers=bearer(tokens[Role.VIEWER]))).status_code == 403
    moved = await client.patch(url, json={"ends_on": "2026-04-01"}, headers=coordinator)
    assert moved.status_code == 422
    assert moved.json()["detail"][0]["loc"] == ["body", "ends_on"]
    assert "supersedes_id" in moved.json()["detail"][0]["msg"]
    assert (await client.get(url, headers=coordinator)).json()["ends_on"] == "2026-03-08"
    unknown = await client.patch(url, json={"camera_ids": [99999]}, headers=coordinator)
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "camera_ids"]


async def test_bad_decisions_are_422_naming_the_field(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    coordinator = bearer(tokens[Role.COORDINATOR])
    cases = {
        "ends_on": {**DEPLOYMENT, "ends_on": "2026-03-01"},
        "kind": {**DEPLOYMENT, "kind": "rumour"},
        "registration": {**DEPLOYMENT, "registration": "Z#23"},
        "days": {**DEPLOYMENT, "days": ["2026-05-01"]},
        "supersedes_id": {**DEPLOYMENT, "supersedes_id": 424242},
        "camera_ids": {**DEPLOYMENT, "camera_ids": [424242]},
    }
    for field, body in cases.items():
        response = await client.post("/api/v1/decisions", json=body, headers=coordinator)
        assert response.status_code == 422, (field, response.text)
        assert field in response.json()["detail"][0]["loc"], (field, response.json())
        assert response.json()["detail"][0]["msg"]


async def test_overview_in_three_formats(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, test_data: Path
) -> None:
    async with database.unit_of_work() as session:
        rows = read_decision_file(test_data / "decisions-2023.csv")
        await service.import_rows(session, actor=TEST_ACTOR, rows=rows)
    viewer = bearer(tokens[Role.VIEWER])
    as_json = await client.get("/api/v1/decisions/overview?year=2023", headers=viewer)
    assert as_json.status_code == 200
    table = as_json.json()["rows"]
    assert len(table) == 28 and table[0]["registration"] == "1914462" and table[0]["decision_date"] == "19dec22"
    assert table[21]["period"] == "1sep23 en 15sep23" and table[21]["registration"] == "61434;61469"

    as_csv = await client.get("/api/v1/decisions/overview?year=2023&format=csv", headers=viewer)
    assert as_csv.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert len(lines) == 28 and lines[2]["kinds"] == "designation; deployment"

    as_xlsx = await client.get("/api/v1/decisions/overview?year=2023&format=xlsx", headers=viewer)
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None and sheet.max_row == 29 and sheet["G2"].value == "1914462"

    bad = await client.get("/api/v1/decisions/overview?year=2023&format=pdf", headers=viewer)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "format"]
    assert (await client.get("/api/v1/decisions/overview", headers=viewer)).status_code == 422


async def test_registrations_of_other_municipalities_in_the_overview(
    client: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    coordinator, viewer = bearer(tokens[Role.COORDINATOR]), bearer(tokens[Role.VIEWER])
    written = {
        "Z/23/004512": "Z/23/004512",
        "2023-0012345": "2023-0012345",
        " BM-23-17 ;Z/23/004513": "BM-23-17;Z/23/004513",
    }
    for day, (registration, stored) in enumerate(written.items(), start=10):
        body = {**DEPLOYMENT, "registration": registration, "starts_on": f"2026-03-{day}", "ends_on": f"2026-03-{day}"}
        created = await client.post("/api/v1/decisions", json=body, headers=coordinator)
        assert created.status_code == 201, created.text
        assert created.json()["registration"] == stored
    overview = (await client.get("/api/v1/decisions/overview?year=2026", headers=viewer)).json()["rows"]
    assert [row["registration"] for row in overview] == list(written.values())
    as_csv = await client.get("/api/v1/decisions/overview?year=2026&format=csv", headers=viewer)
    lines = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert [line["registration"] for line in lines] == list(written.values())
    as_xlsx = await client.get("/api/v1/decisions/overview?year=2026&format=xlsx", headers=viewer)
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None and [sheet[f"G{n}"].value for n in (2, 3, 4)] == list(written.values())

    for registration, said in (
        ("Z#23", "'Z#23' holds '#' (U+0023), which is not allowed"),
        ("-23-17", "'-23-17' starts with '-' (U+002D); a number starts with a letter or a digit"),
        ("=HYPERLINK(1)", "holds '=' (U+003D)"),
    ):
        refused = await client.post(
            "/api/v1/decisions", json={**DEPLOYMENT, "registration": registration}, headers=coordinator
        )
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "registration"]
        assert said in refused.json()["detail"][0]["msg"]
    assert (await client.get("/api/v1/decisions?year=2026", headers=viewer)).json()["total"] == 3


async def test_the_decisions_page_shows_the_registrations(pages: httpx.AsyncClient, database: Database) -> None:
    async with database.unit_of_work() as session:
        for registration in ("Z/23/004512", "BM-23-17; 2023-0012345"):
            data = DecisionIn.model_validate({**DEPLOYMENT, "registration": registration})
            await service.create(session, actor=TEST_ACTOR, data=data)
    await web.login(pages, "viewer")
    page = await pages.get("/decisions?year=2026")
    assert page.status_code == 200
    assert "<td>Z/23/004512</td>" in page.text and "<td>BM-23-17;2023-0012345</td>" in page.text
    assert "<title>Z/23/004512 deployment: Markt</title>" in page.text  # the timeline's bar
