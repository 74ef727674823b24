"""The incident register over the API and on the Incidents page: observers register incidents and keep the category
list, a viewer reads, a technician may not write; refusals change nothing."""

from __future__ import annotations

import httpx

from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.users.models import Role
from tests.api import web
from tests.builders import make_camera
from tests.conftest import bearer


async def test_observers_register_incidents_and_keep_the_categories(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, name="VL-F001", area="Binnenstad")
    listed = (await client.get("/api/v1/incident-categories", headers=bearer(tokens[Role.VIEWER]))).json()
    assert len(listed) == 55 and listed[2] == {
        "id": listed[2]["id"],
        "name": "Wildplassen",
        "position": 3,
        "active": True,
    }
    incident = {
        "occurred_on": "2026-06-12",
        "category_id": listed[2]["id"],
        "area": "Binnenstad",
        "camera_id": camera.id,
        "fines": 1,
    }
    refused = await client.post("/api/v1/incidents", json=incident, headers=bearer(tokens[Role.TECHNICIAN]))
    assert refused.status_code == 403
    made = await client.post("/api/v1/incidents", json=incident, headers=bearer(tokens[Role.OBSERVER]))
    assert made.status_code == 201 and made.json()["created_by"] and made.json()["fines"] == 1
    unknown = await client.post(
        "/api/v1/incidents", json={**incident, "camera_id": 99_999}, headers=bearer(tokens[Role.OBSERVER])
    )
    assert unknown.status_code == 404
    negative = await client.post(
        "/api/v1/incidents", json={**incident, "arrests": -1}, headers=bearer(tokens[Role.OBSERVER])
    )
    assert negative.status_code == 422
    year = await client.get("/api/v1/incidents?year=2026", headers=bearer(tokens[Role.VIEWER]))
    assert [i["id"] for i in year.json()] == [made.json()["id"]]

    observer = bearer(tokens[Role.OBSERVER])
    added = await client.post("/api/v1/incident-categories", json={"name": "Zwemmen in de Maas"}, headers=observer)
    assert added.status_code == 201 and added.json()["position"] == 56
    twice = await client.post("/api/v1/incident-categories", json={"name": "Zwemmen in de Maas"}, headers=observer)
    assert twice.status_code == 409
    retired = await client.patch(
        f"/api/v1/incident-categories/{added.json()['id']}", json={"active": False}, headers=observer
    )
    assert retired.status_code == 200 and retired.json()["active"] is False
    category = f"/api/v1/incident-categories/{added.json()['id']}"
    unchanged = await client.patch(category, json={"name": None, "position": None}, headers=observer)
    assert unchanged.status_code == 200 and unchanged.json()["name"] == "Zwemmen in de Maas"
    for bad in ({"name": ""}, {"name": "x" * 301}, {"position": 0}, {"colour": "red"}):
        assert (await client.patch(category, json=bad, headers=observer)).status_code == 422, bad
    assert (await client.patch("/api/v1/incident-categories/99999", json={}, headers=observer)).status_code == 404
    on_retired = await client.post(
        "/api/v1/incidents", json={**incident, "category_id": added.json()["id"]}, headers=observer
    )
    assert on_retired.status_code == 404


async def test_the_incidents_page(settings: Settings, database: Database, cipher: CredentialCipher) -> None:
    await web.people(database)
    async with web.client(settings, database) as pages:
        await web.login(pages, "viewer")
        page = await pages.get("/incidents?year=2026")
        assert (
            page.status_code == 200
            and "Wildplassen" in page.text
            and 'method="post" action="/incidents"' not in page.text
        )
    async with web.client(settings, database) as pages:
        await web.login(pages, "observer")
        page = await pages.get("/incidents?year=2026")
        assert 'method="post" action="/incidents"' in page.text
        token = web.hidden(page.text, "csrf_token")
        category = page.text.split('<option value="')[1].split('"')[0]
        form = {
            "csrf_token": token,
            "occurred_on": "2026-06-12",
            "category_id": category,
            "area": "Blerick",
            "arrests": "2",
        }
        done = await pages.post("/incidents", data=form)
        assert done.status_code == 303 and done.headers["location"] == "/incidents?year=2026"
        shown = await pages.get("/incidents?year=2026")
        assert "Blerick" in shown.text and "0 / 0 / 0 / 2 / 0" in shown.text
        bad = await pages.post("/incidents", data={**form, "camera_id": "99999"})
        assert bad.status_code == 422 and "camera 99999 not found" in bad.text
        added = await pages.post("/incidents/categories", data={"csrf_token": token, "name": "Zwemmen in de Maas"})
        assert added.status_code == 303 and "Zwemmen in de Maas" in (await pages.get("/incidents")).text
