"""schemathesis against the app's own OpenAPI spec: every operation, valid and invalid input, no 5xx.

The app runs in-process (ASGI) on a seeded database, so ids in paths resolve to real rows as often as
they miss. Each operation gets a bounded number of generated cases (derandomized, so a run is
repeatable), once with an admin token (everything is allowed, so the handlers run) and once with a
viewer token (mostly 403s, and the read paths with a low role).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.python import asgi

from api.app import create_app
from config.settings import Settings
from fleet.cameras import service as registry
from fleet.cameras.schemas import NetworkDeviceCreate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.users.models import Role
from tests.builders import TEST_ACTOR, make_camera
from tests.conftest import bearer

EXAMPLES_PER_MODE = 6
REQUEST_TIMEOUT_S = 120
# Operations that render a document (a PDF takes about 1.5 s here) get fewer cases.
EXAMPLES_PER_MODE_FOR = {
    "GET /api/v1/reports/annual": 2,
    "GET /api/v1/reports/uptime": 4,
    "GET /api/v1/inventory/export": 4,
}
# Test messages go to this channel only; nothing listens there, so a send fails fast on loopback.
LOOPBACK_CHANNEL_URL = "json://127.95.250.1:9/"
# Sends a message to the channel's URL: only ever the seeded loopback channel, never a generated one.
_SENDS_OUT = "POST /api/v1/notification-channels/{channel_id}/test"
# Account changes name only the seeded account and token in their paths: a generated name or id could revoke the
# fuzzing admin's own token or take another fuzzing user's role, and the rest of the run would test nothing.
_SEEDED_PATHS_ONLY = {
    "PATCH /api/v1/users/{username}",
    "PUT /api/v1/users/{username}/password",
    "POST /api/v1/tokens/{token_id}/revoke",
}
_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")
T0 = datetime(2026, 6, 1, tzinfo=UTC)
T1 = datetime(2026, 7, 1, tzinfo=UTC)


@pytest_asyncio.fixture
async def seeded(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> dict[str, int | str]:
    """A few cameras, faults, a ticket, a decision, a window and a channel; their ids by path parameter name."""
    async with database.unit_of_work() as session:
        fixed = await make_camera(session, cipher, name="VL-Z001", area="Centrum", site="Markt")
        flexible = await make_camera(session, cipher, name="VL-Z002", kind="flexible")
        await make_camera(session, cipher, name="VL-Z003", snmp_version="2c", snmp_community="public")
        switch = NetworkDeviceCreate(name="SW-Z001", host="127.123.250.2", device_type="switch")  # type: ignore[arg-type]
        switch_id = (await registry.create(session, actor=TEST_ACTOR, data=switch, cipher=cipher)).id
        opened = Fault(
            camera_id=fixed.id, kind=FaultKind.OFFLINE, severity=Severity.CRITICAL, summary="offline", opened_at=T0
        )
        closed = Fault(
            camera_id=flexible.id,
            kind=FaultKind.CLOCK_DRIFT,
            severity=Severity.MAJOR,
            summary="drift",
            opened_at=T0,
            closed_at=T1,
        )
        session.add_all([opened, closed])
        await session.flush()
        fault_id = opened.id
    admin = bearer(tokens[Role.ADMIN])

    async def create(path: str, body: dict[str, Any]) -> int:
        response = await client.post(path, json=body, headers=admin)
        assert response.status_code == 201, response.text
        created: int = response.json()["id"]
        return created

    ticket_id = await create("/api/v1/tickets", {"camera_id": fixed.id, "title": "offline", "fault_ids": [fault_id]})
    await client.post(f"/api/v1/tickets/{ticket_id}/comments", json={"text": "on my way"}, headers=admin)
    decision = {
        "kind": "deployment",
        "decision_date": "2026-03-02",
        "registration": "130001",
        "location": "Markt",
        "starts_on": "2026-03-06",
        "ends_on": "2026-03-08",
        "reason": "Carnival",
        "flexible_count": 1,
        "camera_ids": [flexible.id],
    }
    target = await client.post("/api/v1/users", json={"username": "fuzz-target", "role": "viewer"}, headers=admin)
    assert target.status_code == 201, target.text
    token = await client.post("/api/v1/tokens", json={"username": "fuzz-target", "name": "fuzz"}, headers=admin)
    assert token.status_code == 201, token.text
    window = {"starts_at": "2026-03-01T06:00:00Z", "ends_at": "2026-03-01T07:00:00Z", "reason": "firmware"}
    return {
        "camera_id": fixed.id,
        "fault_id": fault_id,
        "ticket_id": ticket_id,
        "decision_id": await create("/api/v1/decisions", decision),
        "window_id": await create("/api/v1/maintenance-windows", window),
        "username": "fuzz-target",
        "token_id": token.json()["id"],
        "channel_id": await create("/api/v1/notification-channels", {"name": "lab", "url": LOOPBACK_CHANNEL_URL}),
        "recorder_id": await create("/api/v1/recorders", {"name": "NVR-Z001", "host": "127.118.250.2"}),
        "network_device_id": switch_id,
        "hold_id": await create(
            "/api/v1/recording-holds",
            {
                "camera_id": fixed.id,
                "from": "2026-06-01T00:00:00Z",
                "to": "2026-06-02T00:00:00Z",
                "case": "F",
                "reason": "r",
            },
        ),
        "category_id": await create("/api/v1/incident-categories", {"name": "fuzz category"}),
        "rotation_id": await _rotation(client, admin, fixed.id),
    }


async def _rotation(client: httpx.AsyncClient, admin: dict[str, str], camera_id: int) -> int:
    """A password rotation asked for (no collector runs here, so it stays asked for and changes no camera)."""
    response = await client.post("/api/v1/password-rotations", json={"camera_ids": [camera_id]}, headers=admin)
    assert response.status_code == 202, response.text
    created: int = response.json()["id"]
    return created


@pytest.fixture
def fuzzed_app(settings: Settings, seeded: dict[str, int | str]) -> Iterator[schemathesis.schemas.BaseSchema]:
    """The app in schemathesis' own event loop (its lifespan opens its database there), as a schema."""
    app = create_app(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    try:
        yield schema
    finally:
        asgi.shutdown_lifespans()


def _cases(operation: Any, ids: dict[str, int | str], headers: dict[str, str]) -> st.SearchStrategy[Any]:
    """Generated cases for an operation: valid and invalid, with path ids generated or taken from the seed."""
    names = _PATH_PARAMETER.findall(operation.path)
    seeded_path = {name: ids[name] for name in names}
    if operation.label == _SENDS_OUT:
        return operation.as_strategy(GenerationMode.POSITIVE, headers=headers, path_parameters=seeded_path)
    if operation.label in _SEEDED_PATHS_ONLY:
        return st.one_of(
            [
                operation.as_strategy(mode, headers=headers, path_parameters=seeded_path)
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
            ]
        )
    strategies = [
        operation.as_strategy(mode, headers=headers) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    ]
    if names:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, headers=headers, path_parameters=seeded_path))
    return st.one_of(strategies)


def _server_errors(operation: Any, cases: st.SearchStrategy[Any], headers: dict[str, str]) -> str | None:
    """Run the cases; return how the first 5xx (or crash) was reached, or None when there was none."""

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_MODE_FOR.get(operation.label, EXAMPLES_PER_MODE) * 3,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Any) -> None:
        # A generous limit: a PDF on a busy machine can take longer than schemathesis' default 10 s.
        response = case.call(headers=headers, timeout=REQUEST_TIMEOUT_S)
        assert response.status_code < 500, f"HTTP {response.status_code}: {response.text[:300]}"

    try:
        run()
    except Exception as exc:
        causes = getattr(exc, "exceptions", [exc])
        return f"{operation.label}: " + "; ".join(f"{type(c).__name__}: {str(c)[:1500]}" for c in causes)
    return None


@pytest.mark.parametrize("role", [Role.ADMIN, Role.VIEWER], ids=lambda role: role.value)
def test_no_server_errors_on_any_operation(
    fuzzed_app: Any, tokens: dict[Role, str], seeded: dict[str, int | str], role: Role
) -> None:
    headers = bearer(tokens[role])
    failures: list[str] = []
    operations = 0
    for result in fuzzed_app.get_all_operations():
        operation = result.ok()
        operations += 1
        failure = _server_errors(operation, _cases(operation, seeded, headers), headers)
        if failure is not None:
            failures.append(failure)
    assert operations >= 35
    assert not failures, "\n\n".join(failures)
