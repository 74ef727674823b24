"""Who may call what: every route of the app × every role, from the one rule table of api.authz.

Each route is an action (or public, or open to anyone signed in); who may do an action comes from api.authz.RULES,
which a test here pins as agreed, so a change of who may do what shows as a failing test.
The routes come from the app itself, so a route added without a row here fails the test by name, and so does a route
whose dependencies check another action than its row says.
Requests use ids that do not exist and empty bodies: an allowed call ends in 404 or 422 and changes
nothing; a refused one must end in 401 (no token) or 403 (too low a role) before anything else runs.
"""

from __future__ import annotations

import re
from enum import StrEnum

import httpx
import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from api import deps
from api.app import create_app
from api.authz import RULES, Action, may
from api.pages import core
from config.settings import Settings
from fleet.db import Database
from fleet.users.models import Role
from tests.conftest import bearer


class Access(StrEnum):
    """Who may call a route that is no action of api.authz."""

    public = "public"  # no token needed
    signed_in = "signed_in"  # any valid token
    tested_elsewhere = "tested_elsewhere"  # login and logout: their own tests in test_pages_login.py


# The rule table as agreed with the municipality: changing who may do what is changing this too.
AGREED: dict[Action, set[Role]] = {
    Action.READ: set(Role),
    Action.READ_ALERTS: {Role.TECHNICIAN, Role.COORDINATOR, Role.ADMIN},
    Action.ACKNOWLEDGE_FAULTS: {Role.TECHNICIAN, Role.COORDINATOR, Role.ADMIN},
    Action.WORK_ON_TICKETS: {Role.TECHNICIAN, Role.COORDINATOR, Role.ADMIN},
    Action.EDIT_CAMERAS: {Role.COORDINATOR, Role.ADMIN},
    Action.PLAN_MAINTENANCE: {Role.COORDINATOR, Role.ADMIN},
    Action.REGISTER_DECISIONS: {Role.COORDINATOR, Role.ADMIN},
    Action.REGISTER_INCIDENTS: {Role.OBSERVER, Role.COORDINATOR, Role.ADMIN},
    Action.HOLD_RECORDINGS: {Role.COORDINATOR, Role.ADMIN},
    Action.ADMINISTER: {Role.ADMIN},
    Action.READ_AUDIT_LOG: {Role.AUDITOR, Role.ADMIN},
}

Rule = Action | Access

API_RULE: dict[tuple[str, str], Rule] = {
    ("GET", "/openapi.json"): Access.public,
    ("GET", "/docs"): Access.public,
    ("GET", "/api/v1/health"): Access.public,
    # Prometheus scrapes without a token; the figures are counts by status, no names or addresses.
    ("GET", "/metrics"): Access.public,
    ("GET", "/api/v1/me"): Access.signed_in,
    ("GET", "/api/v1/hygiene"): Action.READ,
    ("GET", "/api/v1/cameras/{camera_id}/hygiene"): Action.READ,
    ("POST", "/api/v1/cameras/{camera_id}/baseline"): Action.EDIT_CAMERAS,
    ("PUT", "/api/v1/me/password"): Access.signed_in,
    ("GET", "/api/v1/cameras"): Action.READ,
    ("POST", "/api/v1/cameras"): Action.EDIT_CAMERAS,
    ("GET", "/api/v1/cameras/{camera_id}"): Action.READ,
    ("GET", "/api/v1/cameras/{camera_id}/network-history"): Action.READ,
    ("PATCH", "/api/v1/cameras/{camera_id}"): Action.EDIT_CAMERAS,
    ("DELETE", "/api/v1/cameras/{camera_id}"): Action.EDIT_CAMERAS,
    ("GET", "/api/v1/recorders"): Action.READ,
    ("POST", "/api/v1/recorders"): Action.EDIT_CAMERAS,
    ("GET", "/api/v1/recorders/{recorder_id}"): Action.READ,
    ("PATCH", "/api/v1/recorders/{recorder_id}"): Action.EDIT_CAMERAS,
    ("DELETE", "/api/v1/recorders/{recorder_id}"): Action.EDIT_CAMERAS,
    ("GET", "/api/v1/network-devices"): Action.READ,
    ("GET", "/api/v1/network-devices/{network_device_id}"): Action.READ,
    ("GET", "/api/v1/recording-holds"): Action.READ,
    ("POST", "/api/v1/recording-holds"): Action.HOLD_RECORDINGS,
    ("POST", "/api/v1/recording-holds/{hold_id}/release"): Action.HOLD_RECORDINGS,
    ("GET", "/api/v1/faults"): Action.READ,
    ("POST", "/api/v1/faults/{fault_id}/acknowledge"): Action.ACKNOWLEDGE_FAULTS,
    ("GET", "/api/v1/maintenance-windows"): Action.READ,
    ("POST", "/api/v1/maintenance-windows"): Action.PLAN_MAINTENANCE,
    ("DELETE", "/api/v1/maintenance-windows/{window_id}"): Action.PLAN_MAINTENANCE,
    ("GET", "/api/v1/notification-channels"): Action.READ_ALERTS,
    ("POST", "/api/v1/notification-channels"): Action.ADMINISTER,
    ("DELETE", "/api/v1/notification-channels/{channel_id}"): Action.ADMINISTER,
    ("POST", "/api/v1/notification-channels/{channel_id}/test"): Action.ADMINISTER,
    ("GET", "/api/v1/alerts"): Action.READ_ALERTS,
    ("GET", "/api/v1/users"): Action.ADMINISTER,
    ("POST", "/api/v1/users"): Action.ADMINISTER,
    ("PATCH", "/api/v1/users/{username}"): Action.ADMINISTER,
    ("PUT", "/api/v1/users/{username}/password"): Action.ADMINISTER,
    ("POST", "/api/v1/tokens"): Action.ADMINISTER,
    ("GET", "/api/v1/tokens"): Action.ADMINISTER,
    ("POST", "/api/v1/tokens/{token_id}/revoke"): Action.ADMINISTER,
    ("GET", "/api/v1/audit"): Action.READ_AUDIT_LOG,
    ("GET", "/api/v1/tickets"): Action.READ,
    ("POST", "/api/v1/tickets"): Action.WORK_ON_TICKETS,
    ("GET", "/api/v1/tickets/{ticket_id}"): Action.READ,
    ("PATCH", "/api/v1/tickets/{ticket_id}"): Action.WORK_ON_TICKETS,
    ("POST", "/api/v1/tickets/{ticket_id}/comments"): Action.WORK_ON_TICKETS,
    ("POST", "/api/v1/tickets/{ticket_id}/parts"): Action.WORK_ON_TICKETS,
    ("POST", "/api/v1/tickets/{ticket_id}/costs"): Action.WORK_ON_TICKETS,
    ("GET", "/api/v1/risk/summary"): Action.READ,
    ("GET", "/api/v1/reports/uptime"): Action.READ,
    ("GET", "/api/v1/reports/annual"): Action.READ,
    ("GET", "/api/v1/reports/fibre-rollout"): Action.READ,
    ("GET", "/api/v1/inventory/export"): Action.READ,
    ("GET", "/api/v1/reconciliation"): Action.READ,
    ("GET", "/api/v1/reconciliation/export"): Action.READ,
    ("GET", "/api/v1/decisions"): Action.READ,
    ("POST", "/api/v1/decisions"): Action.REGISTER_DECISIONS,
    ("GET", "/api/v1/decisions/overview"): Action.READ,
    ("GET", "/api/v1/decisions/{decision_id}"): Action.READ,
    ("PATCH", "/api/v1/decisions/{decision_id}"): Action.REGISTER_DECISIONS,
    ("GET", "/api/v1/incident-categories"): Action.READ,
    ("POST", "/api/v1/incident-categories"): Action.REGISTER_INCIDENTS,
    ("PATCH", "/api/v1/incident-categories/{category_id}"): Action.REGISTER_INCIDENTS,
    ("GET", "/api/v1/incidents"): Action.READ,
    ("POST", "/api/v1/incidents"): Action.REGISTER_INCIDENTS,
    ("GET", "/api/v1/cameras/{camera_id}/image-reference"): Action.READ,
    ("POST", "/api/v1/cameras/{camera_id}/image-reference"): Action.EDIT_CAMERAS,
    ("GET", "/api/v1/device-passwords"): Action.ADMINISTER,
    ("POST", "/api/v1/password-rotations"): Action.ADMINISTER,
    ("GET", "/api/v1/password-rotations"): Action.ADMINISTER,
    ("GET", "/api/v1/password-rotations/{rotation_id}"): Action.ADMINISTER,
}

# The pages (a session cookie from the login form, not a token): checked by test_pages_authorization.py.
PAGE_RULE: dict[tuple[str, str], Rule] = {
    ("GET", "/login"): Access.public,
    ("POST", "/login"): Access.tested_elsewhere,
    ("POST", "/logout"): Access.tested_elsewhere,
    ("GET", "/static"): Access.public,
    ("POST", "/language"): Access.signed_in,
    ("GET", "/account"): Access.signed_in,
    ("GET", "/hygiene"): Action.READ,
    ("POST", "/cameras/{camera_id}/baseline"): Action.EDIT_CAMERAS,
    ("POST", "/account/password"): Access.signed_in,
    ("GET", "/"): Action.READ,
    ("GET", "/dashboard/figures"): Action.READ,
    ("GET", "/cameras"): Action.READ,
    ("GET", "/cameras/{camera_id}"): Action.READ,
    ("GET", "/recorders"): Action.READ,
    ("GET", "/recorders/{recorder_id}"): Action.READ,
    ("GET", "/network-devices"): Action.READ,
    ("GET", "/network-devices/{network_device_id}"): Action.READ,
    ("GET", "/reconciliation"): Action.READ,
    ("GET", "/reconciliation/export"): Action.READ,
    ("GET", "/map"): Action.READ,
    ("GET", "/map/points"): Action.READ,
    ("GET", "/faults"): Action.READ,
    ("POST", "/faults/{fault_id}/acknowledge"): Action.ACKNOWLEDGE_FAULTS,
    ("GET", "/tickets"): Action.READ,
    ("GET", "/tickets/{ticket_id}"): Action.READ,
    ("POST", "/tickets/{ticket_id}"): Action.WORK_ON_TICKETS,
    ("POST", "/tickets/{ticket_id}/comments"): Action.WORK_ON_TICKETS,
    ("GET", "/maintenance"): Action.READ,
    ("POST", "/maintenance"): Action.PLAN_MAINTENANCE,
    ("POST", "/maintenance/{window_id}/delete"): Action.PLAN_MAINTENANCE,
    ("GET", "/recording-holds"): Action.READ,
    ("POST", "/recording-holds"): Action.HOLD_RECORDINGS,
    ("POST", "/recording-holds/{hold_id}/release"): Action.HOLD_RECORDINGS,
    ("GET", "/decisions"): Action.READ,
    ("GET", "/incidents"): Action.READ,
    ("POST", "/incidents"): Action.REGISTER_INCIDENTS,
    ("POST", "/incidents/categories"): Action.REGISTER_INCIDENTS,
    ("GET", "/reports"): Action.READ,
    ("GET", "/reports/uptime"): Action.READ,
    ("GET", "/reports/annual"): Action.READ,
    ("GET", "/reports/inventory"): Action.READ,
    ("GET", "/fibre-rollout"): Action.READ,
    ("GET", "/fibre-rollout/export"): Action.READ,
    ("GET", "/admin"): Action.ADMINISTER,
    ("GET", "/admin/passwords"): Action.ADMINISTER,
    ("POST", "/admin/passwords/rotate"): Action.ADMINISTER,
    ("POST", "/admin/users"): Action.ADMINISTER,
    ("POST", "/admin/users/{username}/deactivate"): Action.ADMINISTER,
    ("POST", "/admin/users/{username}/activate"): Action.ADMINISTER,
    ("POST", "/admin/users/{username}/role"): Action.ADMINISTER,
    ("POST", "/admin/users/{username}/password"): Action.ADMINISTER,
    ("POST", "/admin/tokens"): Action.ADMINISTER,
    ("POST", "/admin/tokens/{token_id}/revoke"): Action.ADMINISTER,
    ("POST", "/admin/channels"): Action.ADMINISTER,
    ("POST", "/admin/channels/{channel_id}/test"): Action.ADMINISTER,
    ("POST", "/admin/channels/{channel_id}/delete"): Action.ADMINISTER,
}

# An id no seeded row has: an allowed call finds nothing (404) instead of changing something.
_MISSING_ID = "987654"
_PATH_PARAMETER = re.compile(r"\{[^}]+\}")


def allowed(rule: Rule, role: Role | None) -> bool:
    """Whether role (None: not signed in) may call a route with this rule."""
    if rule is Access.public:
        return True
    if role is None:
        return False
    if isinstance(rule, Action):
        return may(role, rule)
    return True


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


def test_the_rule_table_is_as_agreed() -> None:
    assert {action: set(rule.roles) for action, rule in RULES.items()} == AGREED


def _checked_actions(dependant: Dependant) -> set[Action]:
    """The actions whose check (api.deps for tokens, api.pages.core for pages) a route depends on."""
    checks = {check: action for action, check in deps.PERMISSIONS.items()}
    checks |= {check: action for action, check in core.PAGE_PERMISSIONS.items()}
    checks |= {check: action for action, check in core.ACT_PERMISSIONS.items()}
    found = set()
    for dependency in dependant.dependencies:
        if dependency.call in checks:
            found.add(checks[dependency.call])
        found |= _checked_actions(dependency)
    return found


def test_every_route_checks_the_action_of_its_row(settings: Settings, database: Database) -> None:
    rows = API_RULE | PAGE_RULE
    wrong = []
    for route in iter_route_contexts(create_app(settings, database).routes):
        dependant = getattr(route, "dependant", None)
        checked = _checked_actions(dependant) if dependant is not None else set()
        for method in (route.methods or {"GET"}) - {"HEAD"}:
            rule = rows.get((method, route.path or ""))
            expected = {rule} if isinstance(rule, Action) else set()
            if rule is not None and checked != expected:
                wrong.append(f"{method} {route.path}: checks {sorted(checked)}, its row says {rule}")
    assert not wrong, "\n".join(wrong)


def test_every_route_has_a_row(settings: Settings, database: Database) -> None:
    routes = app_routes(create_app(settings, database))
    tables = API_RULE.keys() | PAGE_RULE.keys()
    assert not API_RULE.keys() & PAGE_RULE.keys()
    missing = sorted(routes - tables)
    assert not missing, f"routes without a row in API_RULE or PAGE_RULE of {__name__}: {missing}"
    stale = sorted(tables - routes)
    assert not stale, f"rows for routes the app no longer has: {stale}"


@pytest.mark.parametrize("role", [None, *Role], ids=lambda role: "anonymous" if role is None else role.value)
async def test_authorization_matrix(client: httpx.AsyncClient, tokens: dict[Role, str], role: Role | None) -> None:
    headers = bearer(tokens[role]) if role is not None else {}
    wrong: list[str] = []
    for (method, path), rule in sorted(API_RULE.items()):
        url = _PATH_PARAMETER.sub(_MISSING_ID, path)
        body = {} if method in ("POST", "PATCH", "PUT") else None
        response = await client.request(method, url, headers=headers, json=body)
        if allowed(rule, role):
            ok = response.status_code not in (401, 403) and response.status_code < 500
            expectation = "allowed (no 401/403/5xx)"
        else:
            expected = 401 if role is None else 403
            ok = response.status_code == expected
            expectation = str(expected)
        if not ok:
            wrong.append(f"{method} {path} ({rule.value}): expected {expectation}, got {response.status_code}")
    assert not wrong, "\n".join(wrong)


async def test_a_bad_token_is_anonymous(client: httpx.AsyncClient) -> None:
    for headers in ({"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic dXNlcjpwYXNz"}):
        response = await client.get("/api/v1/cameras", headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
