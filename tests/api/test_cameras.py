"""Camera routes: CRUD, filters, pagination, roles, reasons for bad input, and never a credential."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from fleet.users.models import Role
from tests.conftest import bearer

CAMERA = {
    "name": "VL-F001",
    "host": "127.30.0.1",
    "kind": "fixed",
    "area": "Binnenstad",
    "site": "Binnenstad",
    "latitude": 51.37,
    "longitude": 6.17,
    "onvif_port": 8080,
    "declared_manufacturer": "Axis Communications",
    "username": "root",
    "password": "camera-pass-1",
    "snmp_community": "s3cr3t-community",
}
SECRETS = ("camera-pass-1", "s3cr3t-community")


async def _create(client: httpx.AsyncClient, token: str, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/api/v1/cameras", json={**CAMERA, **overrides}, headers=bearer(token))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_health_needs_no_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_create_read_update_delete(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    token = tokens[Role.COORDINATOR]
    created = await _create(client, token)
    assert created["credentials"] == {"onvif": True, "snmp_version": "2c"}
    assert created["status"] == "unknown" and created["risk"]["level"] == "low"  # declared Axis: Sweden, no listing
    assert set(created["observed"]) >= {"manufacturer", "mac", "snmp_enterprise", "clock_drift_s", "uptime_s"}
    assert not any(secret in str(created) for secret in SECRETS)

    camera_id = created["id"]
    read = await client.get(f"/api/v1/cameras/{camera_id}", headers=bearer(tokens[Role.VIEWER]))
    assert read.json() == created

    patched = await client.patch(
        f"/api/v1/cameras/{camera_id}", json={"area": "Blerick", "credentials": {}}, headers=bearer(token)
    )
    assert patched.status_code == 200
    assert patched.json()["area"] == "Blerick" and patched.json()["credentials"]["onvif"] is False

    deleted = await client.delete(f"/api/v1/cameras/{camera_id}", headers=bearer(token))
    assert deleted.status_code == 204
    gone = await client.get(f"/api/v1/cameras/{camera_id}", headers=bearer(token))
    assert gone.status_code == 404 and gone.json() == {"detail": f"camera {camera_id} not found"}


async def test_list_filters_and_pagination(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    token = tokens[Role.COORDINATOR]
    for number in range(7):
        await _create(
            client,
            token,
            name=f"C-{number}",
            kind="flexible" if number % 2 else "fixed",
            area="Zuid" if number < 3 else "Noord",
            poller_group="ring-a" if number < 5 else "4g",
            declared_manufacturer="Hikvision" if number == 6 else "Axis Communications",
        )
    viewer = bearer(tokens[Role.VIEWER])

    async def names(query: str) -> tuple[list[str], int]:
        response = await client.get(f"/api/v1/cameras?{query}", headers=viewer)
        assert response.status_code == 200, response.text
        body = response.json()
        return [c["name"] for c in body["items"]], body["total"]

    assert await names("kind=flexible") == (["C-1", "C-3", "C-5"], 3)
    assert await names("area=Zuid&kind=fixed") == (["C-0", "C-2"], 2)
    assert await names("poller_group=4g") == (["C-5", "C-6"], 2)
    assert await names("manufacturer=hikvision") == (["C-6"], 1)
    assert await names("status=unknown&size=2&page=2") == (["C-2", "C-3"], 7)
    assert await names("risk=high") == (["C-6"], 1)
    page = (await client.get("/api/v1/cameras?size=3&page=3", headers=viewer)).json()
    assert (page["page"], page["size"], page["total"], len(page["items"])) == (3, 3, 7, 1)


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=broken", "status"), ("page=0", "page"), ("size=100000", "size"), ("kind=mobile", "kind")],
)
async def test_bad_query_is_422_with_reason(
    client: httpx.AsyncClient, tokens: dict[Role, str], query: str, field: str
) -> None:
    response = await client.get(f"/api/v1/cameras?{query}", headers=bearer(tokens[Role.VIEWER]))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", field] and error["msg"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"host": "not a host"}, "host"),
        ({"latitude": 123, "longitude": 6}, "latitude"),
        ({"onvif_port": 70000}, "onvif_port"),
        ({"kind": "mobile"}, "kind"),
        ({"installed_on": "24-02-2016"}, "installed_on"),
        ({"colour": "red"}, "colour"),
        ({"latitude": 51.3, "longitude": None}, "longitude"),
        ({"snmp_version": "3", "snmp_community": None}, "snmp_user"),
    ],
)
async def test_bad_camera_is_422_naming_the_field(
    client: httpx.AsyncClient, tokens: dict[Role, str], body: dict[str, Any], field: str
) -> None:
    response = await client.post("/api/v1/cameras", json={**CAMERA, **body}, headers=bearer(tokens[Role.COORDINATOR]))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert any(error["loc"][-1] == field or field in error["loc"] for error in detail), detail
    assert not any(secret in response.text for secret in SECRETS)


async def test_malformed_json_is_422(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    response = await client.post(
        "/api/v1/cameras",
        content=b"{not json",
        headers={**bearer(tokens[Role.COORDINATOR]), "Content-Type": "application/json"},
    )
    assert response.status_code == 422


async def test_duplicate_name_is_409(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    await _create(client, tokens[Role.ADMIN])
    response = await client.post("/api/v1/cameras", json=CAMERA, headers=bearer(tokens[Role.ADMIN]))
    assert response.status_code == 409
    assert response.json()["detail"][0]["msg"] == "a camera named VL-F001 already exists"


async def test_patch_cannot_clear_required_fields(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    created = await _create(client, tokens[Role.ADMIN])
    response = await client.patch(
        f"/api/v1/cameras/{created['id']}", json={"host": None}, headers=bearer(tokens[Role.ADMIN])
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "host"]


@pytest.mark.parametrize(
    ("method", "path", "minimum"),
    [
        ("GET", "/api/v1/cameras", Role.VIEWER),
        ("GET", "/api/v1/cameras/{id}", Role.VIEWER),
        ("POST", "/api/v1/cameras", Role.COORDINATOR),
        ("PATCH", "/api/v1/cameras/{id}", Role.COORDINATOR),
        ("DELETE", "/api/v1/cameras/{id}", Role.COORDINATOR),
    ],
)
async def test_roles_are_enforced(
    client: httpx.AsyncClient, tokens: dict[Role, str], method: str, path: str, minimum: Role
) -> None:
    created = await _create(client, tokens[Role.ADMIN], name="ROLE-CAM")
    url = path.format(id=created["id"])
    body = {**CAMERA, "name": "ROLE-NEW"} if method == "POST" else {"area": "X"} if method == "PATCH" else None
    no_token = await client.request(method, url, json=body)
    assert no_token.status_code == 401 and no_token.headers["www-authenticate"] == "Bearer"
    bad_token = await client.request(method, url, json=body, headers=bearer("cf_not-a-token"))
    assert bad_token.status_code == 401
    for role in (Role.VIEWER, Role.AUDITOR, Role.TECHNICIAN, Role.COORDINATOR):
        response = await client.request(method, url, json=body, headers=bearer(tokens[role]))
        if role.at_least(minimum):
            assert response.status_code < 400, (role, response.text)
            if method == "POST":
                await client.delete(f"/api/v1/cameras/{response.json()['id']}", headers=bearer(tokens[Role.ADMIN]))
            if method == "DELETE":
                return
        else:
            assert response.status_code == 403, role
            assert response.json() == {"detail": f"needs the role {minimum.value} or higher"}
