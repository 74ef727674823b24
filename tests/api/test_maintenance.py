"""Maintenance windows through the API: plan, scope, current status, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.users.models import Role
from tests.builders import make_camera
from tests.conftest import bearer


async def test_window_puts_scoped_cameras_in_maintenance(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        inside = await make_camera(session, cipher, area="Blerick")
        outside = await make_camera(session, cipher, area="Centrum")
    now = datetime.now(UTC)
    body = {
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
        "reason": "Mast replacement Blerick",
        "areas": ["Blerick"],
    }
    coordinator = bearer(tokens[Role.COORDINATOR])
    assert (
        await client.post("/api/v1/maintenance-windows", json=body, headers=bearer(tokens[Role.TECHNICIAN]))
    ).status_code == 403
    created = await client.post("/api/v1/maintenance-windows", json=body, headers=coordinator)
    assert created.status_code == 201 and created.json()["active_now"] is True
    viewer = bearer(tokens[Role.VIEWER])
    assert (await client.get(f"/api/v1/cameras/{inside.id}", headers=viewer)).json()["status"] == "maintenance"
    assert (await client.get(f"/api/v1/cameras/{outside.id}", headers=viewer)).json()["status"] == "unknown"
    listed = (await client.get("/api/v1/cameras?status=maintenance", headers=viewer)).json()
    assert [c["id"] for c in listed["items"]] == [inside.id]
    unknown = (await client.get("/api/v1/cameras?status=unknown", headers=viewer)).json()
    assert [c["id"] for c in unknown["items"]] == [outside.id]

    window_id = created.json()["id"]
    assert (await client.delete(f"/api/v1/maintenance-windows/{window_id}", headers=coordinator)).status_code == 204
    assert (await client.get(f"/api/v1/cameras/{inside.id}", headers=viewer)).json()["status"] == "unknown"
    assert (await client.delete(f"/api/v1/maintenance-windows/{window_id}", headers=coordinator)).status_code == 404


async def test_bad_windows_are_422_naming_the_field(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    coordinator = bearer(tokens[Role.COORDINATOR])
    base = {"starts_at": "2026-03-01T06:00:00+01:00", "ends_at": "2026-03-01T08:00:00+01:00", "reason": "x"}
    cases = {
        "ends_at": {**base, "ends_at": "2026-03-01T05:00:00+01:00"},
        "recurrence": {**base, "recurrence": "FREQ=SOMETIMES"},
        "starts_at": {**base, "starts_at": "2026-03-01T06:00:00"},
    }
    for field, body in cases.items():
        response = await client.post("/api/v1/maintenance-windows", json=body, headers=coordinator)
        assert response.status_code == 422, response.text
        assert field in response.json()["detail"][0]["loc"], (field, response.json())
    # A rule that would stall the server expanding it is refused as it is read.
    for rule in ("FREQ=SECONDLY;COUNT=3000000", "FREQ=HOURLY;UNTIL=20990101T000000Z"):
        response = await client.post(
            "/api/v1/maintenance-windows", json={**base, "recurrence": rule}, headers=coordinator
        )
        assert response.status_code == 422 and "recurrence" in response.json()["detail"][0]["loc"], response.text
    weekly = await client.post(
        "/api/v1/maintenance-windows", json={**base, "recurrence": "FREQ=WEEKLY;BYDAY=SU;COUNT=4"}, headers=coordinator
    )
    assert weekly.status_code == 201 and weekly.json()["last_ends_at"] == "2026-03-22T07:00:00Z"
