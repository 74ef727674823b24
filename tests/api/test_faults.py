"""Fault routes: list with filters, acknowledge by technicians, clear errors."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.users.models import Role
from tests.builders import make_camera
from tests.conftest import bearer

T0 = datetime(2026, 6, 1, tzinfo=UTC)


async def _seed(database: Database, cipher: CredentialCipher) -> tuple[int, int]:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, name="VL-F012")
        offline = Fault(
            camera_id=camera.id, kind=FaultKind.OFFLINE, severity=Severity.CRITICAL, summary="offline", opened_at=T0
        )
        old = Fault(
            camera_id=camera.id,
            kind=FaultKind.CLOCK_DRIFT,
            severity=Severity.MAJOR,
            summary="drift",
            opened_at=T0.replace(month=1),
            closed_at=T0.replace(month=2),
        )
        session.add_all([offline, old])
        await session.flush()
        return offline.id, camera.id


async def test_list_and_acknowledge(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    fault_id, camera_id = await _seed(database, cipher)
    viewer = bearer(tokens[Role.VIEWER])
    listed = (await client.get("/api/v1/faults?open=true", headers=viewer)).json()
    assert listed["total"] == 1
    [item] = listed["items"]
    assert {k: item[k] for k in ("id", "camera_id", "camera_name", "kind", "severity", "closed_at", "ticket_id")} == {
        "id": fault_id,
        "camera_id": camera_id,
        "camera_name": "VL-F012",
        "kind": "offline",
        "severity": "critical",
        "closed_at": None,
        "ticket_id": None,
    }
    assert (await client.get("/api/v1/faults?open=false", headers=viewer)).json()["total"] == 1
    assert (await client.get("/api/v1/faults?kind=clock_drift", headers=viewer)).json()["total"] == 1
    assert (await client.get(f"/api/v1/faults?camera_id={camera_id}", headers=viewer)).json()["total"] == 2

    denied = await client.post(f"/api/v1/faults/{fault_id}/acknowledge", headers=viewer)
    assert denied.status_code == 403
    done = await client.post(f"/api/v1/faults/{fault_id}/acknowledge", headers=bearer(tokens[Role.TECHNICIAN]))
    assert done.status_code == 200 and done.json()["acknowledged_by"] == "user-technician"
    again = await client.post(f"/api/v1/faults/{fault_id}/acknowledge", headers=bearer(tokens[Role.TECHNICIAN]))
    assert again.status_code == 409
    missing = await client.post("/api/v1/faults/999999/acknowledge", headers=bearer(tokens[Role.TECHNICIAN]))
    assert missing.status_code == 404 and missing.json() == {"detail": "fault 999999 not found"}
    bad = await client.get("/api/v1/faults?kind=melted", headers=viewer)
    assert bad.status_code == 422
