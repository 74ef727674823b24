"""A person changes their own password, on the account page or through the API: the current one proven first,
guessed no faster than at the login form, the policy applied, the person's other sessions ended, every step audited."""

from __future__ import annotations

import httpx

from config.settings import Settings
from fleet.db import Database
from fleet.users.models import Role
from tests.api import web
from tests.builders import make_user
from tests.conftest import bearer

NEW = "nieuwe-brug-over-de-maas"


async def _technician(database: Database) -> str:
    async with database.unit_of_work() as session:
        _user, token = await make_user(session, Role.TECHNICIAN, username="tess", password=web.PASSWORD)
    return token


async def test_changing_ones_own_password_through_the_api(settings: Settings, database: Database) -> None:
    token = await _technician(database)
    async with web.client(settings, database) as http, web.client(settings, database) as browser:
        assert (await web.login(browser, "tess")).status_code == 303

        async def change(current: str, password: str) -> httpx.Response:
            body = {"current_password": current, "password": password}
            return await http.put("/api/v1/me/password", json=body, headers=bearer(token))

        weak = await change(web.PASSWORD, "kort")
        assert weak.status_code == 422 and "kort" not in weak.text
        wrong = await change("not my password", NEW)
        assert wrong.status_code == 403 and wrong.json() == {"detail": "the current password is wrong"}
        assert NEW not in wrong.text
        done = await change(web.PASSWORD, NEW)
        assert done.status_code == 204
        # The browser session ends; the token is a separate credential and goes on.
        assert (await browser.get("/")).status_code == 303
        assert (await http.get("/api/v1/me", headers=bearer(token))).status_code == 200
        assert (await web.login(browser, "tess")).status_code != 303
        assert (await web.login(browser, "tess", NEW)).status_code == 303
        assert (await http.put("/api/v1/me/password", json={"password": NEW}, headers=bearer(token))).status_code == 422
        assert (
            await http.put("/api/v1/me/password", json={"current_password": NEW, "password": NEW})
        ).status_code == 401
    [refused] = await web.audit(database, "user.password_refused")
    [changed] = await web.audit(database, "user.password")
    assert refused.actor == changed.actor == "tess" and NEW not in str(changed.after)


async def test_guessing_the_current_password_is_throttled_as_logins_are(settings: Settings, database: Database) -> None:
    token = await _technician(database)
    limit = settings.web.login_max_failures_per_user
    async with web.client(settings, database) as http:
        for attempt in range(limit):
            body = {"current_password": f"guess {attempt}", "password": NEW}
            assert (await http.put("/api/v1/me/password", json=body, headers=bearer(token))).status_code == 403
        # Now even the right one is refused for a while, as at the login form.
        body = {"current_password": web.PASSWORD, "password": NEW}
        throttled = await http.put("/api/v1/me/password", json=body, headers=bearer(token))
        assert throttled.status_code == 429
        assert (await web.login(http, "tess")).status_code == 429
    assert len(await web.audit(database, "user.password_refused")) == limit
    assert await web.audit(database, "user.password") == []


async def test_the_account_page_changes_the_password_in_the_persons_language(
    settings: Settings, database: Database
) -> None:
    await _technician(database)
    async with web.client(settings, database) as http, web.client(settings, database) as elsewhere:
        assert (await web.login(http, "tess")).status_code == 303
        assert (await web.login(elsewhere, "tess")).status_code == 303
        page = await http.get("/account")
        assert page.status_code == 200 and "Wachtwoord wijzigen" in page.text and 'href="/account"' in page.text
        token = await web.csrf(http, "/account")
        no_csrf = await http.post("/account/password", data={"current_password": web.PASSWORD, "password": NEW})
        assert no_csrf.status_code == 403
        wrong = await http.post(
            "/account/password", data={"csrf_token": token, "current_password": "fout", "password": NEW}
        )
        assert wrong.status_code == 403 and "Het huidige wachtwoord is onjuist." in wrong.text
        weak = await http.post(
            "/account/password", data={"csrf_token": token, "current_password": web.PASSWORD, "password": "kort"}
        )
        assert weak.status_code == 422 and "het wachtwoord moet minstens 12 tekens lang zijn" in weak.text
        done = await http.post(
            "/account/password", data={"csrf_token": token, "current_password": web.PASSWORD, "password": NEW}
        )
        assert done.status_code == 303 and done.headers["location"] == "/account?changed=1"
        assert "Uw wachtwoord is gewijzigd" in (await http.get("/account?changed=1")).text
        # This session stays; the person's other session has ended.
        assert (await elsewhere.get("/")).status_code == 303
    [changed] = await web.audit(database, "user.password")
    assert changed.actor == "tess"
