"""Input the database cannot hold is refused as input (422), never passed on to fail as a 500."""

from __future__ import annotations

import httpx

from fleet.db import MAX_ROW_ID
from fleet.users.models import Role
from tests.conftest import bearer

TOO_LARGE = MAX_ROW_ID + 1


async def test_ids_beyond_the_column_range_are_422(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    admin = bearer(tokens[Role.ADMIN])
    for method, url, body in (
        ("GET", f"/api/v1/cameras/{TOO_LARGE}", None),
        ("DELETE", f"/api/v1/maintenance-windows/{10**20}", None),
        ("GET", f"/api/v1/faults?camera_id={TOO_LARGE}", None),
        ("POST", "/api/v1/tickets", {"camera_id": TOO_LARGE, "title": "x"}),
        ("POST", "/api/v1/decisions", {"kind": "designation", "decision_date": "2026-01-01", "camera_ids": [0]}),
    ):
        response = await client.request(method, url, json=body, headers=admin)
        assert response.status_code == 422, (url, response.text)
    assert (await client.get(f"/api/v1/cameras/{MAX_ROW_ID}", headers=admin)).status_code == 404


async def test_nul_characters_are_422(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    admin = bearer(tokens[Role.ADMIN])
    listed = await client.get("/api/v1/cameras", params={"area": "Centrum\x00"}, headers=admin)
    assert listed.status_code == 422 and listed.json()["detail"][0]["loc"] == ["query", "area"]
    window = {"starts_at": "2026-03-01T06:00:00Z", "ends_at": "2026-03-01T07:00:00Z", "reason": "fw\u0000"}
    created = await client.post("/api/v1/maintenance-windows", json=window, headers=admin)
    assert created.status_code == 422 and created.json()["detail"][0]["loc"] == ["body"]
    assert (await client.get("/api/v1/maintenance-windows", headers=admin)).json()["total"] == 0
    # The same text without the NUL is fine.
    window["reason"] = "fw"
    assert (await client.post("/api/v1/maintenance-windows", json=window, headers=admin)).status_code == 201
