"""The admin pages for accounts: revoke a token, deactivate and reactivate, change a role, set a password; each with
the session's CSRF token, refused in the person's language, felt on the next request."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy import select

from config.settings import Settings
from fleet.db import Database
from fleet.users.models import ApiToken
from tests.api import web
from tests.conftest import bearer


@asynccontextmanager
async def _admin(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """A browser signed in as the admin (one user of each role exists, named after it)."""
    await web.people(database)
    async with web.client(settings, database) as http:
        assert (await web.login(http, "admin")).status_code == 303
        yield http


async def test_revoking_a_token_from_the_admin_page(settings: Settings, database: Database) -> None:
    async with _admin(settings, database) as http:
        made = await http.post(
            "/admin/tokens", data={"csrf_token": await web.csrf(http), "username": "viewer", "name": "kiosk"}
        )
        shown = re.search(r'<code id="new-token">([^<]+)</code>', made.text)
        assert shown is not None
        secret = shown.group(1)
        page = await http.get("/admin")
        assert "kiosk" in page.text and secret not in page.text and secret[:10] in page.text
        async with web.client(settings, database) as api:
            assert (await api.get("/api/v1/me", headers=bearer(secret))).status_code == 200
            async with database.unit_of_work() as session:
                token_id = await session.scalar(select(ApiToken.id).where(ApiToken.name == "kiosk"))
            no_csrf = await http.post(f"/admin/tokens/{token_id}/revoke", data={})
            assert no_csrf.status_code == 403
            assert (await api.get("/api/v1/me", headers=bearer(secret))).status_code == 200
            done = await http.post(f"/admin/tokens/{token_id}/revoke", data={"csrf_token": await web.csrf(http)})
            assert done.status_code == 303 and done.headers["location"] == "/admin"
            assert (await api.get("/api/v1/me", headers=bearer(secret))).status_code == 401
        page = await http.get("/admin")
        assert "ingetrokken" in page.text  # the Dutch word for the token's state
        missing = await http.post("/admin/tokens/987654/revoke", data={"csrf_token": await web.csrf(http)})
        assert missing.status_code == 422 and "token 987654 not found" in missing.text
    assert len(await web.audit(database, "token.revoke")) == 1


async def test_deactivating_signs_the_person_out_at_once(settings: Settings, database: Database) -> None:
    async with _admin(settings, database) as http, web.client(settings, database) as tech:
        assert (await web.login(tech, "technician")).status_code == 303
        assert (await tech.get("/faults")).status_code == 200
        off = await http.post("/admin/users/technician/deactivate", data={"csrf_token": await web.csrf(http)})
        assert off.status_code == 303
        gone = await tech.get("/faults")
        assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
        assert (await web.login(tech, "technician")).status_code != 303
        on = await http.post("/admin/users/technician/activate", data={"csrf_token": await web.csrf(http)})
        assert on.status_code == 303
        assert (await web.login(tech, "technician")).status_code == 303
        last = await http.post("/admin/users/admin/deactivate", data={"csrf_token": await web.csrf(http)})
        assert last.status_code == 422 and "last active admin" in last.text
    [entry] = await web.audit(database, "user.deactivate")
    assert entry.actor == "admin" and entry.after == {"is_active": False, "sessions_ended": 1}


async def test_a_role_change_from_the_admin_page_applies_to_the_next_page(
    settings: Settings, database: Database
) -> None:
    async with _admin(settings, database) as http, web.client(settings, database) as person:
        assert (await web.login(person, "viewer")).status_code == 303
        assert (await person.get("/admin")).status_code == 403
        changed = await http.post(
            "/admin/users/viewer/role", data={"csrf_token": await web.csrf(http), "role": "admin"}
        )
        assert changed.status_code == 303
        assert (await person.get("/admin")).status_code == 200
        bad = await http.post("/admin/users/viewer/role", data={"csrf_token": await web.csrf(http), "role": "boss"})
        assert bad.status_code == 422
    [entry] = await web.audit(database, "user.role")
    assert entry.before == {"username": "viewer", "role": "viewer"} and entry.after == {"role": "admin"}


async def test_setting_a_password_says_which_rule_failed_in_the_persons_language(
    settings: Settings, database: Database
) -> None:
    async with _admin(settings, database) as http, web.client(settings, database) as person:
        assert (await web.login(person, "coordinator")).status_code == 303
        page = await http.get("/admin")
        assert "Minstens 12 tekens" in page.text  # the policy, said beside the form
        for password, dutch in (
            ("kort", "het wachtwoord moet minstens 12 tekens lang zijn"),
            ("Coordinator-2026!", "het wachtwoord mag de gebruikersnaam niet bevatten"),
            ("password123456", "het wachtwoord is een van de meest gebruikte wachtwoorden"),
        ):
            refused = await http.post(
                "/admin/users/coordinator/password", data={"csrf_token": await web.csrf(http), "password": password}
            )
            assert refused.status_code == 422 and dutch in refused.text and password not in refused.text
        await http.post("/language", data={"csrf_token": await web.csrf(http), "language": "en", "next": "/admin"})
        english = await http.post(
            "/admin/users/coordinator/password", data={"csrf_token": await web.csrf(http), "password": "kort"}
        )
        assert "the password must be at least 12 characters long" in english.text
        done = await http.post(
            "/admin/users/coordinator/password",
            data={"csrf_token": await web.csrf(http), "password": "nieuwe-brug-over-de-maas"},
        )
        assert done.status_code == 303
        # The person's sessions end; the admin's own stays.
        assert (await person.get("/")).status_code == 303
        assert (await http.get("/admin")).status_code == 200
        assert (await web.login(person, "coordinator", "nieuwe-brug-over-de-maas")).status_code == 303
    [entry] = await web.audit(database, "user.password")
    assert entry.actor == "admin" and "nieuwe-brug" not in str(entry.after)


async def test_a_token_made_on_the_page_expires_unless_never_is_ticked(settings: Settings, database: Database) -> None:
    async with _admin(settings, database) as http:
        for name, never in (("dashboard", None), ("scraper", "true")):
            data = {"csrf_token": await web.csrf(http), "username": "viewer", "name": name}
            if never:
                data["no_expiry"] = never
            assert (await http.post("/admin/tokens", data=data)).status_code == 200
    async with database.unit_of_work() as session:
        rows = {t.name: t for t in (await session.scalars(select(ApiToken))).all()}
    assert rows["dashboard"].expires_at is not None and rows["scraper"].expires_at is None
