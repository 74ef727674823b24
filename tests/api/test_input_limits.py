"""Input the database cannot hold is refused as input (422), never passed on to fail as a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from sqlalchemy import event, select

from config.settings import Settings
from fleet.audit.models import AuditEntry
from fleet.crypto import CredentialCipher
from fleet.db import MAX_ROW_ID, Database
from fleet.tickets.workflow import MAX_COST_CENTS
from fleet.users.models import Role
from tests.builders import make_camera
from tests.conftest import bearer

TOO_LARGE = MAX_ROW_ID + 1


async def test_ids_beyond_the_column_range_are_422(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    admin = bearer(tokens[Role.ADMIN])
    for method, url, body in (
        ("GET", f"/api/v1/cameras/{TOO_LARGE}", None),
        ("GET", f"/api/v1/cameras/{TOO_LARGE}/image-reference", None),
        ("POST", f"/api/v1/cameras/{TOO_LARGE}/image-reference", None),
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


async def test_a_ticket_cost_beyond_the_column_range_is_422(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher)
    tech = bearer(tokens[Role.TECHNICIAN])
    ticket = await client.post("/api/v1/tickets", json={"camera_id": camera.id, "title": "mast"}, headers=tech)
    parts = f"/api/v1/tickets/{ticket.json()['id']}/parts"
    pole = {"name": "mast", "quantity": 20, "unit_cost_cents": 100_000_000}
    assert (await client.post(parts, json=pole, headers=tech)).status_code == 201  # 2,000,000,000 cents
    refused = await client.post(parts, json=pole, headers=tech)
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"] == ["body", "unit_cost_cents"]
    costs = f"/api/v1/tickets/{ticket.json()['id']}/costs"
    work = {"amount_cents": MAX_COST_CENTS - 2_000_000_000 + 1, "text": "work"}
    assert (await client.post(costs, json=work, headers=tech)).status_code == 422
    shown = await client.get(f"/api/v1/tickets/{ticket.json()['id']}", headers=tech)
    assert shown.json()["cost_cents"] == 2_000_000_000


class Body:
    """A request body that counts how much of it the server asked for."""

    def __init__(self, chunks: int, size: int = 64 * 1024) -> None:
        self.chunks, self.size, self.pulled = chunks, size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield b"x" * self.size


WINDOWS = "/api/v1/maintenance-windows"


async def test_an_anonymous_body_is_refused_before_it_is_read(client: httpx.AsyncClient) -> None:
    body = Body(chunks=6400)  # 400 MiB, if anyone asked for it
    response = await client.post(WINDOWS, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 401 and body.pulled == 0
    wrong = await client.post(WINDOWS, content=Body(chunks=3), headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


async def test_a_body_past_the_limit_is_413_declared_or_streamed(
    client: httpx.AsyncClient, tokens: dict[Role, str], settings: Settings
) -> None:
    admin = bearer(tokens[Role.ADMIN])
    declared = await client.post(WINDOWS, content=b"x" * (settings.api.max_body + 1), headers=admin)
    assert declared.status_code == 413
    streamed = Body(chunks=6400)  # chunked: no length to refuse it by, so it is counted as it comes
    refused = await client.post(WINDOWS, content=streamed, headers=admin)
    assert refused.status_code == 413
    assert streamed.pulled <= settings.api.max_body // streamed.size + 1
    # Within the limit everything is as before.
    window = {"starts_at": "2026-03-01T06:00:00Z", "ends_at": "2026-03-01T07:00:00Z", "reason": "firmware"}
    assert (await client.post(WINDOWS, json=window, headers=admin)).status_code == 201


async def test_a_page_form_is_read_no_further_than_the_limit(client: httpx.AsyncClient, settings: Settings) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    body = Body(chunks=6400)
    login = await client.post("/login", content=body, headers=form)
    # Starlette's form parser refuses a field over 1 MiB (400) before the 2 MiB body limit (413) is reached.
    assert login.status_code in (400, 413)
    assert body.pulled <= settings.api.max_body // body.size + 1


async def test_a_token_is_looked_up_once_per_request(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database
) -> None:
    """The check before the body finds the token's user; the route takes that user instead of a second lookup."""
    statements: list[str] = []

    def executed(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    engine = database.engine.sync_engine
    window = {"starts_at": "2026-03-01T06:00:00Z", "ends_at": "2026-03-01T07:00:00Z", "reason": "firmware"}
    event.listen(engine, "before_cursor_execute", executed)
    try:
        for role, method, url, body, expected in (
            (Role.COORDINATOR, "POST", WINDOWS, window, 201),  # a body: checked before it is read
            (Role.COORDINATOR, "GET", WINDOWS, None, 200),  # no body: checked by the route alone
            (Role.ADMIN, "POST", "/api/v1/tokens", {"username": "user-viewer", "name": "once"}, 201),
        ):
            statements.clear()
            answer = await client.request(method, url, json=body, headers=bearer(tokens[role]))
            assert answer.status_code == expected, answer.text
            lookups = [s for s in statements if "FROM api_tokens" in s and "token_hash =" in s]
            assert len(lookups) == 1, (method, url, lookups)
    finally:
        event.remove(engine, "before_cursor_execute", executed)
    # The user the route took is the token's, whole: the audit log names the coordinator.
    async with database.unit_of_work() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "maintenance.create"))
    assert entry is not None and entry.actor == "user-coordinator"
