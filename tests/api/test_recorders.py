"""Recorder routes and pages: create, list with camera counts, roles, and cameras naming their recorder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from config.checks import CheckKind
from config.settings import Settings
from fleet.cameras import service
from fleet.cameras.schemas import CameraCreate, RecorderCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.health.models import CheckResult
from fleet.users.models import Role
from tests.api import web
from tests.builders import TEST_ACTOR
from tests.conftest import bearer

RECORDER = {
    "name": "NVR-CENTRUM",
    "host": "127.118.0.1",
    "site": "Binnenstad",
    "declared_manufacturer": "Hikvision",
    "username": "admin",
    "password": "recorder-pass-1",
}


async def test_recorders_and_the_cameras_that_name_them(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    coordinator, viewer = bearer(tokens[Role.COORDINATOR]), bearer(tokens[Role.VIEWER])
    refused = await client.post("/api/v1/recorders", json=RECORDER, headers=viewer)
    assert refused.status_code == 403
    created = await client.post("/api/v1/recorders", json=RECORDER, headers=coordinator)
    assert created.status_code == 201, created.text
    recorder = created.json()
    assert recorder["cameras"] == 0 and recorder["risk"]["origin_country"] == "China"
    assert "recorder-pass-1" not in created.text and "kind" not in recorder

    unknown = await client.post(
        "/api/v1/cameras", json={"name": "CAM-1", "host": "127.118.1.1", "recorder": "NVR-X"}, headers=coordinator
    )
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "recorder"
    camera = await client.post(
        "/api/v1/cameras",
        json={"name": "CAM-1", "host": "127.118.1.1", "recorder": "NVR-CENTRUM", "retention_max_days": 14},
        headers=coordinator,
    )
    assert camera.status_code == 201, camera.text
    assert (camera.json()["recorder"], camera.json()["retention_max_days"]) == ("NVR-CENTRUM", 14)

    listed = (await client.get("/api/v1/recorders", headers=viewer)).json()
    assert [(r["name"], r["cameras"]) for r in listed["items"]] == [("NVR-CENTRUM", 1)] and listed["total"] == 1
    cameras = (await client.get("/api/v1/cameras", headers=viewer)).json()
    assert [c["name"] for c in cameras["items"]] == ["CAM-1"]
    assert (await client.get(f"/api/v1/cameras/{recorder['id']}", headers=viewer)).status_code == 404
    assert (await client.get(f"/api/v1/recorders/{camera.json()['id']}", headers=viewer)).status_code == 404

    blocked = await client.delete(f"/api/v1/recorders/{recorder['id']}", headers=coordinator)
    assert blocked.status_code == 409 and "CAM-1" in blocked.text
    cleared = await client.patch(
        f"/api/v1/cameras/{camera.json()['id']}", json={"recorder": "edge"}, headers=coordinator
    )
    assert cleared.json()["recorder"] == "edge"
    patched = await client.patch(f"/api/v1/recorders/{recorder['id']}", json={"site": "Venlo"}, headers=coordinator)
    assert patched.json()["site"] == "Venlo"
    assert (
        await client.patch(f"/api/v1/recorders/{recorder['id']}", json={"rtsp_port": 1}, headers=coordinator)
    ).status_code == 422
    deleted = await client.delete(f"/api/v1/recorders/{recorder['id']}", headers=coordinator)
    assert deleted.status_code == 204


async def test_the_recorder_page_lists_the_cameras_it_records(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    async with database.unit_of_work() as session:
        nvr = await service.create(
            session, actor=TEST_ACTOR, data=RecorderCreate(name="NVR-<b>", host="127.118.0.2"), cipher=cipher
        )
        await service.create(
            session,
            actor=TEST_ACTOR,
            data=CameraCreate(name="CAM-9", host="127.118.1.9", recorder="NVR-<b>"),
            cipher=cipher,
        )
        now = datetime.now(UTC)
        recorded = {
            "token": "REC-<9>",
            "source_address": "rtsp://127.118.1.9:554/1",
            "earliest": (now - timedelta(days=3)).isoformat(),
            "latest": now.isoformat(),
            "job_state": "active",
            "gaps": None,
        }
        values = {"asked_at": now.isoformat(), "recordings": [recorded], "history_searched": False}
        session.add(
            CheckResult(camera_id=nvr.id, kind=CheckKind.RECORDING, at=now, ok=True, duration_ms=1.0, values=values)
        )
        nvr_id = nvr.id
    await web.login(pages, "viewer")
    listed = await pages.get("/recorders")
    assert listed.status_code == 200 and f'href="/recorders/{nvr_id}"' in listed.text and "NVR-&lt;b&gt;" in listed.text
    page = await pages.get(f"/recorders/{nvr_id}")
    assert page.status_code == 200 and "CAM-9" in page.text
    # The mapping (matched by the camera's address in the source) and its state: 3 days is short of 7.
    assert "REC-&lt;9&gt;" in page.text and "Beelden niet lang genoeg bewaard" in page.text and "3,0" in page.text
    assert (await pages.get("/cameras")).text.count("NVR-&lt;b&gt;") == 0


async def test_legal_holds_by_coordinators_over_the_api(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    coordinator, technician = bearer(tokens[Role.COORDINATOR]), bearer(tokens[Role.TECHNICIAN])
    camera = await client.post(
        "/api/v1/cameras", json={"name": "CAM-H", "host": "127.118.1.20", "recorder": "edge"}, headers=coordinator
    )
    hold = {
        "camera_id": camera.json()["id"],
        "from": "2026-11-01T00:00:00+01:00",
        "to": "2026-11-02T00:00:00+01:00",
        "case": "PL2300-2026000018",
        "reason": "assault, footage requested",
    }
    assert (await client.post("/api/v1/recording-holds", json=hold, headers=technician)).status_code == 403
    naive = await client.post(
        "/api/v1/recording-holds", json={**hold, "from": "2026-11-01T00:00:00"}, headers=coordinator
    )
    assert naive.status_code == 422
    backwards = await client.post("/api/v1/recording-holds", json={**hold, "to": hold["from"]}, headers=coordinator)
    assert backwards.status_code == 422
    placed = await client.post("/api/v1/recording-holds", json=hold, headers=coordinator)
    assert placed.status_code == 201, placed.text
    assert (placed.json()["camera_name"], placed.json()["case_ref"]) == ("CAM-H", "PL2300-2026000018")
    listed = await client.get("/api/v1/recording-holds", headers=technician)
    assert [h["id"] for h in listed.json()] == [placed.json()["id"]]
    released = await client.post(f"/api/v1/recording-holds/{placed.json()['id']}/release", headers=coordinator)
    assert released.status_code == 200 and released.json()["released_by"] == "user-coordinator"
    again = await client.post(f"/api/v1/recording-holds/{placed.json()['id']}/release", headers=coordinator)
    assert again.status_code == 409
    assert (await client.get("/api/v1/recording-holds", headers=technician)).json() == []
    audit = await client.get("/api/v1/audit?size=100", headers=bearer(tokens[Role.AUDITOR]))
    actions = [e["action"] for e in audit.json()["items"]]
    assert actions.count("recording.hold") == 1 and actions.count("recording.release") == 1
