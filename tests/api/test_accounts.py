"""Managing accounts through the API: tokens listed without secrets, revoked, expiring; users deactivated, given
another role or password; each change felt on the very next request and written to the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update

from config.settings import Settings
from fleet.db import Database
from fleet.users.models import ApiToken, Role
from tests.api import web
from tests.conftest import bearer


async def _token(client: httpx.AsyncClient, admin: dict[str, str], username: str, **extra: object) -> dict[str, object]:
    made = await client.post("/api/v1/tokens", json={"username": username, "name": "laptop", **extra}, headers=admin)
    assert made.status_code == 201, made.text
    found: dict[str, object] = made.json()
    return found


async def test_tokens_are_listed_without_secrets_and_revoked_at_once(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database
) -> None:
    admin = bearer(tokens[Role.ADMIN])
    made = await _token(client, admin, "user-viewer")
    secret = str(made["token"])
    assert (await client.get("/api/v1/me", headers=bearer(secret))).status_code == 200

    listed = await client.get("/api/v1/tokens", params={"username": "user-viewer"}, headers=admin)
    assert listed.status_code == 200
    rows = listed.json()
    assert [r["name"] for r in rows] == ["laptop", "test"]
    assert rows[0]["last_used_at"] is not None and rows[0]["state"] == "active"
    assert secret not in listed.text and secret[10:] not in listed.text and "hash" not in listed.text
    everyone = await client.get("/api/v1/tokens", headers=admin)
    assert len(everyone.json()) == len(Role) + 1
    assert (await client.get("/api/v1/tokens?username=nobody", headers=admin)).status_code == 404

    revoked = await client.post(f"/api/v1/tokens/{made['id']}/revoke", headers=admin)
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    refused = await client.get("/api/v1/me", headers=bearer(secret))
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
    again = await client.post(f"/api/v1/tokens/{made['id']}/revoke", headers=admin)
    assert again.json()["revoked_at"] == revoked.json()["revoked_at"]
    assert (await client.post("/api/v1/tokens/987654/revoke", headers=admin)).status_code == 404
    assert (await client.post(f"/api/v1/tokens/{2**40}/revoke", headers=admin)).status_code == 422

    [entry] = await web.audit(database, "token.revoke")
    assert (entry.actor, entry.target_type, entry.target_id) == ("user-admin", "api_token", str(made["id"]))
    assert secret not in str(entry.after)


async def test_tokens_expire_by_default_and_service_tokens_may_opt_out(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database
) -> None:
    admin = bearer(tokens[Role.ADMIN])
    before = datetime.now(UTC)
    default = await _token(client, admin, "user-viewer")
    expires = datetime.fromisoformat(str(default["expires_at"]))
    assert before + timedelta(days=90) <= expires <= datetime.now(UTC) + timedelta(days=90)
    service = await _token(client, admin, "user-viewer", no_expiry=True)
    assert service["expires_at"] is None
    chosen = (datetime.now(UTC) + timedelta(days=7)).replace(microsecond=0)
    assert (
        datetime.fromisoformat(
            str((await _token(client, admin, "user-viewer", expires_at=chosen.isoformat()))["expires_at"])
        )
        == chosen
    )

    for body in (
        {"expires_at": chosen.isoformat(), "no_expiry": True},
        {"expires_at": (datetime.now(UTC) - timedelta(days=1)).isoformat()},
    ):
        wrong = await client.post(
            "/api/v1/tokens", json={"username": "user-viewer", "name": "x", **body}, headers=admin
        )
        assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["body", "expires_at"]

    # The token's time runs out: its next request is refused.
    assert (await client.get("/api/v1/me", headers=bearer(str(default["token"])))).status_code == 200
    async with database.unit_of_work() as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await session.execute(update(ApiToken).where(ApiToken.id == default["id"]).values(expires_at=past))
    assert (await client.get("/api/v1/me", headers=bearer(str(default["token"])))).status_code == 401
    states = {t["id"]: t["state"] for t in (await client.get("/api/v1/tokens", headers=admin)).json()}
    assert states[default["id"]] == "expired" and states[service["id"]] == "active"


async def test_deactivating_a_user_ends_their_tokens_and_sessions_at_once(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, settings: Settings
) -> None:
    admin = bearer(tokens[Role.ADMIN])
    await web.people(database)  # users named after their role, with a password, for the pages
    async with web.client(settings, database) as browser:
        assert (await web.login(browser, "technician")).status_code == 303
        assert (await browser.get("/faults")).status_code == 200
        made = await _token(client, admin, "technician")
        off = await client.patch("/api/v1/users/technician", json={"is_active": False}, headers=admin)
        assert off.status_code == 200 and off.json()["is_active"] is False
        assert (await client.get("/api/v1/me", headers=bearer(str(made["token"])))).status_code == 401
        gone = await browser.get("/faults")
        assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
        assert (await web.login(browser, "technician")).status_code != 303  # cannot sign in again

        on = await client.patch("/api/v1/users/technician", json={"is_active": True}, headers=admin)
        assert on.json()["is_active"] is True
        assert (await client.get("/api/v1/me", headers=bearer(str(made["token"])))).status_code == 200
    [entry] = await web.audit(database, "user.deactivate")
    assert entry.actor == "user-admin" and entry.target_type == "user" and entry.after["sessions_ended"] == 1
    assert (await client.patch("/api/v1/users/nobody", json={"is_active": False}, headers=admin)).status_code == 404
    bad = await client.patch("/api/v1/users/bad%20name", json={"is_active": False}, headers=admin)
    assert bad.status_code == 422


async def test_a_role_change_applies_to_the_next_request(client: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
    admin, technician = bearer(tokens[Role.ADMIN]), bearer(tokens[Role.TECHNICIAN])
    assert (await client.get("/api/v1/alerts", headers=technician)).status_code == 200
    changed = await client.patch("/api/v1/users/user-technician", json={"role": "viewer"}, headers=admin)
    assert changed.status_code == 200 and changed.json()["role"] == "viewer"
    assert (await client.get("/api/v1/alerts", headers=technician)).status_code == 403
    last = await client.patch("/api/v1/users/user-admin", json={"role": "viewer"}, headers=admin)
    assert last.status_code == 409 and "last active admin" in last.text
    unknown_role = await client.patch("/api/v1/users/user-viewer", json={"role": "boss"}, headers=admin)
    assert unknown_role.status_code == 422


async def test_setting_a_password_follows_the_policy(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database
) -> None:
    admin = bearer(tokens[Role.ADMIN])
    for password, words in (
        ("kort", "at least 12 characters"),
        ("User-Viewer-op-de-markt", "must not contain the user name"),
        ("password123456", "most common passwords"),
    ):
        refused = await client.put("/api/v1/users/user-viewer/password", json={"password": password}, headers=admin)
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["detail"]
        assert problem["loc"] == ["body", "password"] and words in problem["msg"] and password not in refused.text
    created = await client.post(
        "/api/v1/users", json={"username": "kees", "role": "viewer", "password": "kees-op-de-markt-1"}, headers=admin
    )
    assert created.status_code == 422 and "user name" in created.text

    done = await client.put(
        "/api/v1/users/user-viewer/password", json={"password": "nieuwe-brug-over-de-maas"}, headers=admin
    )
    assert done.status_code == 204
    unknown = await client.put(
        "/api/v1/users/nobody/password", json={"password": "nieuwe-brug-over-de-maas"}, headers=admin
    )
    assert unknown.status_code == 404
    [entry] = await web.audit(database, "user.password")
    assert entry.actor == "user-admin" and "nieuwe-brug" not in str(entry.after)
