"""Users, tokens and the audit log through the API."""

from __future__ import annotations

import httpx

from fleet.users.models import Role
from tests.conftest import bearer


async def test_me_and_token_lifecycle(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    me = await client.get("/api/v1/me", headers=bearer(tokens[Role.TECHNICIAN]))
    assert me.json()["role"] == "technician" and "password_hash" not in me.text

    admin = bearer(tokens[Role.ADMIN])
    created = await client.post(
        "/api/v1/users",
        json={"username": "piet", "role": "coordinator", "password": "long-enough-pw"},
        headers=admin,
    )
    assert created.status_code == 201 and "long-enough-pw" not in created.text
    token = await client.post("/api/v1/tokens", json={"username": "piet", "name": "laptop"}, headers=admin)
    assert token.status_code == 201
    new_token = token.json()["token"]
    me = await client.get("/api/v1/me", headers=bearer(new_token))
    assert me.json()["username"] == "piet"


async def test_user_management_is_admin_only(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    for role in (Role.VIEWER, Role.AUDITOR, Role.TECHNICIAN, Role.COORDINATOR):
        response = await client.get("/api/v1/users", headers=bearer(tokens[role]))
        assert response.status_code == 403


async def test_bad_user_input(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    admin = bearer(tokens[Role.ADMIN])
    short = await client.post(
        "/api/v1/users", json={"username": "x", "role": "viewer", "password": "short"}, headers=admin
    )
    assert short.status_code == 422 and short.json()["detail"][0]["loc"] == ["body", "password"]
    role = await client.post("/api/v1/users", json={"username": "x", "role": "boss"}, headers=admin)
    assert role.status_code == 422
    duplicate = await client.post("/api/v1/users", json={"username": "user-admin", "role": "viewer"}, headers=admin)
    assert duplicate.status_code == 409
    unknown = await client.post("/api/v1/tokens", json={"username": "nobody", "name": "x"}, headers=admin)
    assert unknown.status_code == 404


async def test_audit_log_records_changes_for_auditors_only(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    camera = {"name": "A-1", "host": "127.0.0.1", "username": "u", "password": "pw-abcdefgh"}
    created = await client.post("/api/v1/cameras", json=camera, headers=bearer(tokens[Role.COORDINATOR]))
    await client.patch(
        f"/api/v1/cameras/{created.json()['id']}",
        json={"area": "Zuid"},
        headers=bearer(tokens[Role.COORDINATOR]),
    )
    for role in (Role.VIEWER, Role.TECHNICIAN, Role.COORDINATOR):
        assert (await client.get("/api/v1/audit", headers=bearer(tokens[role]))).status_code == 403
    response = await client.get("/api/v1/audit?target_type=camera", headers=bearer(tokens[Role.AUDITOR]))
    assert response.status_code == 200
    entries = response.json()["items"]
    assert [e["action"] for e in entries] == ["camera.update", "camera.create"]
    assert entries[0]["actor"] == "user-coordinator"
    assert entries[0]["before"] == {"area": None} and entries[0]["after"] == {"area": "Zuid"}
    assert entries[1]["after"]["password"] == "***" and "pw-abcdefgh" not in response.text
