"""Ticket routes: create, read, workflow with 409s naming the allowed states, roles, comments, clear 422s."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.users.models import Role
from fleet.users.service import get_by_username_or_raise
from tests.builders import make_camera
from tests.conftest import bearer

T0 = datetime(2026, 6, 1, tzinfo=UTC)


async def _seed(database: Database, cipher: CredentialCipher) -> tuple[int, int, int, int]:
    """A camera with an open fault, the fault, another camera, and the technician's user id."""
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, name="VL-T001")
        other = await make_camera(session, cipher, name="VL-T002")
        fault = Fault(
            camera_id=camera.id, kind=FaultKind.STORAGE_FAILURE, severity=Severity.MAJOR, summary="sd", opened_at=T0
        )
        session.add(fault)
        await session.flush()
        tech = await get_by_username_or_raise(session, "user-technician")
        return camera.id, fault.id, other.id, tech.id


async def test_create_read_and_work_a_ticket(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    camera_id, fault_id, _other_id, tech_id = await _seed(database, cipher)
    tech, viewer = bearer(tokens[Role.TECHNICIAN]), bearer(tokens[Role.VIEWER])
    body = {"camera_id": camera_id, "title": "SD card failing", "priority": "p2", "fault_ids": [fault_id]}
    assert (await client.post("/api/v1/tickets", json=body, headers=viewer)).status_code == 403
    created = await client.post("/api/v1/tickets", json=body, headers=tech)
    assert created.status_code == 201, created.text
    ticket = created.json()
    assert {k: ticket[k] for k in ("camera_id", "fault_ids", "status", "priority", "assignee")} == {
        "camera_id": camera_id,
        "fault_ids": [fault_id],
        "status": "new",
        "priority": "p2",
        "assignee": None,
    }
    assert (
        ticket["response_due_at"] and ticket["resolution_due_at"] and ticket["allowed_next"] == ["assigned", "resolved"]
    )
    ticket_id = ticket["id"]

    faults = (await client.get("/api/v1/faults", headers=viewer)).json()["items"]
    assert [f["ticket_id"] for f in faults] == [ticket_id]
    listed = (await client.get("/api/v1/tickets?open=true", headers=viewer)).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == ticket_id
    assert (await client.get("/api/v1/tickets?status=closed", headers=viewer)).json()["total"] == 0

    assigned = await client.patch(f"/api/v1/tickets/{ticket_id}", json={"assignee_id": tech_id}, headers=tech)
    assert assigned.status_code == 200, assigned.text
    assert (assigned.json()["status"], assigned.json()["assignee"]) == ("assigned", "user-technician")
    for status in ("in_progress", "waiting_parts", "in_progress", "resolved"):
        moved = await client.patch(f"/api/v1/tickets/{ticket_id}", json={"status": status}, headers=tech)
        assert moved.status_code == 200 and moved.json()["status"] == status

    comment = await client.post(f"/api/v1/tickets/{ticket_id}/comments", json={"text": "replaced card"}, headers=tech)
    assert comment.status_code == 201 and comment.json()["kind"] == "comment"
    part = {"name": "microSD 128 GB", "quantity": 1, "unit_cost_cents": 2995}
    assert (await client.post(f"/api/v1/tickets/{ticket_id}/parts", json=part, headers=tech)).status_code == 201
    cost = {"amount_cents": 8500, "text": "one hour, bucket truck"}
    assert (await client.post(f"/api/v1/tickets/{ticket_id}/costs", json=cost, headers=tech)).status_code == 201
    assert (
        await client.post(f"/api/v1/tickets/{ticket_id}/comments", json={"text": "x"}, headers=viewer)
    ).status_code == 403

    shown = (await client.get(f"/api/v1/tickets/{ticket_id}", headers=viewer)).json()
    assert shown["cost_cents"] == 2995 + 8500 and shown["resolved_at"] is not None
    kinds = [e["kind"] for e in shown["history"]]
    assert kinds[:3] == ["created", "linked", "assigned"] and kinds[-3:] == ["comment", "part", "cost"]

    closed = await client.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "closed", "note": "ok"}, headers=tech)
    assert closed.json()["status"] == "closed" and closed.json()["allowed_next"] == ["new", "assigned"]


async def test_invalid_transition_is_409_with_the_allowed_states(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    camera_id, _fault_id, _other_id, _tech_id = await _seed(database, cipher)
    tech = bearer(tokens[Role.TECHNICIAN])
    ticket_id = (
        await client.post("/api/v1/tickets", json={"camera_id": camera_id, "title": "t"}, headers=tech)
    ).json()["id"]
    refused = await client.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "closed"}, headers=tech)
    assert refused.status_code == 409
    body = refused.json()
    assert body["allowed"] == ["assigned", "resolved"]
    assert body["detail"][0]["loc"] == ["body", "status"] and "cannot go from new to closed" in body["detail"][0]["msg"]
    shown = (await client.get(f"/api/v1/tickets/{ticket_id}", headers=tech)).json()
    assert shown["status"] == "new" and [e["kind"] for e in shown["history"]] == ["created"]


async def test_bad_input_is_422_with_reasons_and_unknown_is_404(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    camera_id, fault_id, other_id, _tech_id = await _seed(database, cipher)
    tech = bearer(tokens[Role.TECHNICIAN])
    cases = [
        ({"camera_id": 9999, "title": "t"}, ["body", "camera_id"], "no camera 9999"),
        ({"camera_id": camera_id, "title": "t", "fault_ids": [9999]}, ["body", "fault_ids"], "no fault 9999"),
        ({"camera_id": other_id, "title": "t", "fault_ids": [fault_id]}, ["body", "fault_ids"], "not a fault of"),
        ({"camera_id": camera_id, "title": "t", "priority": "urgent"}, ["body", "priority"], "Input should be"),
        ({"camera_id": camera_id, "title": ""}, ["body", "title"], "at least 1 character"),
    ]
    for body, loc, reason in cases:
        response = await client.post("/api/v1/tickets", json=body, headers=tech)
        assert response.status_code == 422, body
        [problem] = response.json()["detail"]
        assert problem["loc"] == loc and reason in problem["msg"]
    ticket_id = (
        await client.post("/api/v1/tickets", json={"camera_id": camera_id, "title": "t"}, headers=tech)
    ).json()["id"]
    async with database.unit_of_work() as session:
        viewer = await get_by_username_or_raise(session, "user-viewer")
    refused = await client.patch(f"/api/v1/tickets/{ticket_id}", json={"assignee_id": viewer.id}, headers=tech)
    assert refused.status_code == 422 and "assign a technician" in refused.json()["detail"][0]["msg"]
    taken = await client.post(
        "/api/v1/tickets", json={"camera_id": camera_id, "title": "t", "fault_ids": [fault_id]}, headers=tech
    )
    assert taken.status_code == 201
    again = await client.post(
        "/api/v1/tickets", json={"camera_id": camera_id, "title": "t", "fault_ids": [fault_id]}, headers=tech
    )
    assert again.status_code == 409 and "already belongs to ticket" in again.json()["detail"][0]["msg"]
    assert (await client.get("/api/v1/tickets/9999", headers=tech)).status_code == 404
    assert (await client.patch("/api/v1/tickets/9999", json={"status": "closed"}, headers=tech)).status_code == 404
    assert (await client.get("/api/v1/tickets", headers={})).status_code == 401
