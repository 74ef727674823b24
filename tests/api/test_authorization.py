"""Who may call what: every route of the app × every role, from one table of minimum roles.

The routes come from the app itself, so a route added without a row here fails the test by name.
Requests use ids that do not exist and empty bodies: an allowed call ends in 404 or 422 and changes
nothing; a refused one must end in 401 (no token) or 403 (too low a role) before anything else runs.
"""

from __future__ import annotations

import re
from enum import StrEnum

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts

from api.app import create_app
from config.settings import Settings
from fleet.db import Database
from fleet.users.models import Role
from tests.conftest import bearer


class Access(StrEnum):
    """Who may call a route."""

    public = "public"  # no token needed
    signed_in = "signed_in"  # any valid token
    viewer = "viewer"
    technician = "technician"
    coordinator = "coordinator"
    admin = "admin"
    audit = "audit"  # auditors and admins only
    tested_elsewhere = "tested_elsewhere"  # login and logout: their own tests in test_pages.py


MINIMUM_ROLE: dict[tuple[str, str], Access] = {
    ("GET", "/openapi.json"): Access.public,
    ("GET", "/docs"): Access.public,
    ("GET", "/api/v1/health"): Access.public,
    # Prometheus scrapes without a token; the figures are counts by status, no names or addresses.
    ("GET", "/metrics"): Access.public,
    ("GET", "/api/v1/me"): Access.signed_in,
    ("GET", "/api/v1/cameras"): Access.viewer,
    ("POST", "/api/v1/cameras"): Access.coordinator,
    ("GET", "/api/v1/cameras/{camera_id}"): Access.viewer,
    ("PATCH", "/api/v1/cameras/{camera_id}"): Access.coordinator,
    ("DELETE", "/api/v1/cameras/{camera_id}"): Access.coordinator,
    ("GET", "/api/v1/faults"): Access.viewer,
    ("POST", "/api/v1/faults/{fault_id}/acknowledge"): Access.technician,
    ("GET", "/api/v1/maintenance-windows"): Access.viewer,
    ("POST", "/api/v1/maintenance-windows"): Access.coordinator,
    ("DELETE", "/api/v1/maintenance-windows/{window_id}"): Access.coordinator,
    ("GET", "/api/v1/notification-channels"): Access.technician,
    ("POST", "/api/v1/notification-channels"): Access.admin,
    ("DELETE", "/api/v1/notification-channels/{channel_id}"): Access.admin,
    ("POST", "/api/v1/notification-channels/{channel_id}/test"): Access.admin,
    ("GET", "/api/v1/alerts"): Access.technician,
    ("GET", "/api/v1/users"): Access.admin,
    ("POST", "/api/v1/users"): Access.admin,
    ("POST", "/api/v1/tokens"): Access.admin,
    ("GET", "/api/v1/audit"): Access.audit,
    ("GET", "/api/v1/tickets"): Access.viewer,
    ("POST", "/api/v1/tickets"): Access.technician,
    ("GET", "/api/v1/tickets/{ticket_id}"): Access.viewer,
    ("PATCH", "/api/v1/tickets/{ticket_id}"): Access.technician,
    ("POST", "/api/v1/tickets/{ticket_id}/comments"): Access.technician,
    ("POST", "/api/v1/tickets/{ticket_id}/parts"): Access.technician,
    ("POST", "/api/v1/tickets/{ticket_id}/costs"): Access.technician,
    ("GET", "/api/v1/risk/summary"): Access.viewer,
    ("GET", "/api/v1/reports/uptime"): Access.viewer,
    ("GET", "/api/v1/reports/annual"): Access.viewer,
    ("GET", "/api/v1/inventory/export"): Access.viewer,
    ("GET", "/api/v1/decisions"): Access.viewer,
    ("POST", "/api/v1/decisions"): Access.coordinator,
    ("GET", "/api/v1/decisions/overview"): Access.viewer,
    ("GET", "/api/v1/decisions/{decision_id}"): Access.viewer,
    ("PATCH", "/api/v1/decisions/{decision_id}"): Access.coordinator,
    ("GET", "/api/v1/cameras/{camera_id}/image-reference"): Access.viewer,
    ("POST", "/api/v1/cameras/{camera_id}/image-reference"): Access.coordinator,
}

# The pages (a session cookie from the login form, not a token): checked by test_pages_authorization.py.
PAGE_ROLE: dict[tuple[str, str], Access] = {
    ("GET", "/login"): Access.public,
    ("POST", "/login"): Access.tested_elsewhere,
    ("POST", "/logout"): Access.tested_elsewhere,
    ("GET", "/static"): Access.public,
    ("POST", "/language"): Access.signed_in,
    ("GET", "/"): Access.viewer,
    ("GET", "/dashboard/figures"): Access.viewer,
    ("GET", "/cameras"): Access.viewer,
    ("GET", "/cameras/{camera_id}"): Access.viewer,
    ("GET", "/map"): Access.viewer,
    ("GET", "/map/points"): Access.viewer,
    ("GET", "/faults"): Access.viewer,
    ("POST", "/faults/{fault_id}/acknowledge"): Access.technician,
    ("GET", "/tickets"): Access.viewer,
    ("GET", "/tickets/{ticket_id}"): Access.viewer,
    ("POST", "/tickets/{ticket_id}"): Access.technician,
    ("POST", "/tickets/{ticket_id}/comments"): Access.technician,
    ("GET", "/maintenance"): Access.viewer,
    ("POST", "/maintenance"): Access.coordinator,
    ("POST", "/maintenance/{window_id}/delete"): Access.coordinator,
    ("GET", "/decisions"): Access.viewer,
    ("GET", "/reports"): Access.viewer,
    ("GET", "/reports/uptime"): Access.viewer,
    ("GET", "/reports/annual"): Access.viewer,
    ("GET", "/reports/inventory"): Access.viewer,
    ("GET", "/admin"): Access.admin,
    ("POST", "/admin/users"): Access.admin,
    ("POST", "/admin/tokens"): Access.admin,
    ("POST", "/admin/channels"): Access.admin,
    ("POST", "/admin/channels/{channel_id}/test"): Access.admin,
    ("POST", "/admin/channels/{channel_id}/delete"): Access.admin,
}

_RANKED = {
    Access.viewer: Role.VIEWER,
    Access.technician: Role.TECHNICIAN,
    Access.coordinator: Role.COORDINATOR,
    Access.admin: Role.ADMIN,
}
# An id no seeded row has: an allowed call finds nothing (404) instead of changing something.
_MISSING_ID = "987654"
_PATH_PARAMETER = re.compile(r"\{[^}]+\}")


def allowed(access: Access, role: Role | None) -> bool:
    """Whether role (None: no token) may call a route with this access."""
    if access is Access.public:
        return True
    if role is None:
        return False
    if access is Access.signed_in:
        return True
    if access is Access.audit:
        return role.reads_audit_log
    return role.at_least(_RANKED[access])


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers; HEAD goes with GET, a mount counts as GET."""
    found: set[tuple[str, str]] = set()
    for route in iter_route_contexts(app.routes):
        if route.path is None:
            continue
        for method in route.methods or {"GET"}:
            if method != "HEAD":
                found.add((method, route.path))
    return found


def test_every_route_has_a_minimum_role(settings: Settings, database: Database) -> None:
    routes = app_routes(create_app(settings, database))
    tables = MINIMUM_ROLE.keys() | PAGE_ROLE.keys()
    assert not MINIMUM_ROLE.keys() & PAGE_ROLE.keys()
    missing = sorted(routes - tables)
    assert not missing, f"routes without an expected role in MINIMUM_ROLE or PAGE_ROLE of {__name__}: {missing}"
    stale = sorted(tables - routes)
    assert not stale, f"rows for routes the app no longer has: {stale}"


@pytest.mark.parametrize("role", [None, *Role], ids=lambda role: "anonymous" if role is None else role.value)
async def test_authorization_matrix(client: httpx.AsyncClient, tokens: dict[Role, str], role: Role | None) -> None:
    headers = bearer(tokens[role]) if role is not None else {}
    wrong: list[str] = []
    for (method, path), access in sorted(MINIMUM_ROLE.items()):
        url = _PATH_PARAMETER.sub(_MISSING_ID, path)
        body = {} if method in ("POST", "PATCH") else None
        response = await client.request(method, url, headers=headers, json=body)
        if allowed(access, role):
            ok = response.status_code not in (401, 403) and response.status_code < 500
            expectation = "allowed (no 401/403/5xx)"
        else:
            expected = 401 if role is None else 403
            ok = response.status_code == expected
            expectation = str(expected)
        if not ok:
            wrong.append(f"{method} {path} ({access.value}): expected {expectation}, got {response.status_code}")
    assert not wrong, "\n".join(wrong)


async def test_a_bad_token_is_anonymous(client: httpx.AsyncClient) -> None:
    for headers in ({"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = await client.get("/api/v1/cameras", headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
