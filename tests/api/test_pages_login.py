"""Signing in to the pages: the login form, session cookies, throttling, CSRF, idle and ended sessions, language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select, update

from api.app import create_app
from config.settings import Settings
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.users.models import LoginThrottle, User, WebSession
from tests.api import web


async def test_every_page_needs_a_login(pages: httpx.AsyncClient) -> None:
    for path in [*web.PAGES, "/admin", "/cameras/1", "/tickets/1"]:
        answer = await pages.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=")
    htmx = await pages.get("/dashboard/figures", headers={"HX-Request": "true"})
    assert htmx.status_code == 204
    assert htmx.headers["HX-Redirect"] == "/login?next=/dashboard/figures"


async def test_login_sets_a_safe_cookie_and_logout_ends_the_session(
    pages: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    answer = await web.login(pages, "coordinator")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(settings.web.cookie_name + "="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    async with database.unit_of_work() as session:
        stored = (await session.scalars(select(WebSession))).one()
        assert value not in (stored.token_hash, stored.csrf_token)  # only a hash of the cookie is kept
    dashboard = await pages.get("/")
    assert dashboard.status_code == 200 and "coordinator" in dashboard.text

    logout = await pages.post("/logout", data={"csrf_token": await web.csrf(pages)})
    assert logout.status_code == 303
    # The old cookie, replayed, no longer works: the session is gone from the database.
    pages.cookies.set(settings.web.cookie_name, value)
    assert (await pages.get("/")).status_code == 303
    assert len(await web.audit(database, "login")) == 1 and len(await web.audit(database, "logout")) == 1


async def test_cookie_is_secure_over_https(settings: Settings, database: Database) -> None:
    await web.people(database)
    async with web.client(settings, database, "https://camfleet.test") as http:
        answer = await web.login(http, "viewer")
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(settings.web.cookie_name + "="))
    assert "Secure" in cookie


async def test_wrong_password_and_unknown_user_get_the_same_answer(
    pages: httpx.AsyncClient, database: Database
) -> None:
    wrong = await web.login(pages, "admin", "not the password")
    unknown = await web.login(pages, "nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Gebruikersnaam of wachtwoord onjuist." in wrong.text
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong.text).replace("admin", "X") == strip.sub("", unknown.text).replace("nobody-here", "X")
    assert len(await web.audit(database, "login.failed")) == 2


async def test_login_form_needs_its_csrf_cookie(pages: httpx.AsyncClient) -> None:
    answer = await pages.post("/login", data={"username": "admin", "password": web.PASSWORD, "csrf_token": "forged"})
    assert answer.status_code == 400
    assert settings_cookie_absent(answer)


def settings_cookie_absent(answer: httpx.Response) -> bool:
    return not any(h.startswith("camfleet_session=") for h in answer.headers.get_list("set-cookie"))


async def test_login_is_throttled_per_username(settings: Settings, database: Database) -> None:
    settings.web.login_max_failures_per_user = 3
    await web.people(database)
    async with web.client(settings, database) as http:
        for _ in range(3):
            assert (await web.login(http, "admin", "guess guess guess")).status_code == 401
        throttled = await web.login(http, "admin")  # even the right password waits now
        assert throttled.status_code == 429
        assert "Te veel mislukte pogingen" in throttled.text
        assert settings_cookie_absent(throttled)
        # An unknown name is throttled the same way: the answer never tells which names exist.
        for _ in range(3):
            await web.login(http, "ghost", "guess guess guess")
        assert (await web.login(http, "ghost", "guess guess guess")).status_code == 429
        assert (await web.login(http, "viewer")).status_code == 303  # another account from this address still works
    assert len(await web.audit(database, "login.throttled")) == 2


async def test_login_is_throttled_per_address(settings: Settings, database: Database) -> None:
    settings.web.login_max_failures_per_address = 4
    await web.people(database)
    async with web.client(settings, database) as http:
        for name in ("a1", "a2", "a3", "a4"):
            assert (await web.login(http, name, "guess guess guess")).status_code == 401
        assert (await web.login(http, "viewer")).status_code == 429
    transport = httpx.ASGITransport(app=create_app(settings, database), client=("127.91.0.10", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://camfleet.test") as elsewhere:
        assert (await web.login(elsewhere, "viewer")).status_code == 303


async def test_failures_older_than_the_window_do_not_count(settings: Settings, database: Database) -> None:
    settings.web.login_max_failures_per_user = 2
    await web.people(database)
    async with web.client(settings, database) as http:
        for _ in range(2):
            await web.login(http, "admin", "guess guess guess")
        assert (await web.login(http, "admin")).status_code == 429
        async with database.unit_of_work() as session:
            hour_ago = datetime.now(UTC) - timedelta(hours=1)
            await session.execute(update(LoginThrottle).values(window_started_at=hour_ago, blocked_until=hour_ago))
        assert (await web.login(http, "admin")).status_code == 303


async def test_every_post_needs_the_session_csrf_token(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    _camera_id, fault_id, _ticket_id = await web.seed(database, cipher, settings)
    await web.login(pages, "technician")
    url = f"/faults/{fault_id}/acknowledge"
    assert (await pages.post(url)).status_code == 403
    assert (await pages.post(url, data={"csrf_token": "forged"})).status_code == 403
    assert (await pages.post(url, headers={"X-CSRF-Token": "forged"})).status_code == 403
    token = await web.csrf(pages)
    assert (await pages.post(url, headers={"X-CSRF-Token": token})).status_code == 303  # htmx sends a header
    assert (await pages.post("/logout")).status_code == 403


async def test_a_deactivated_user_and_an_idle_session_are_logged_out(
    pages: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    await web.login(pages, "technician")
    assert (await pages.get("/")).status_code == 200
    async with database.unit_of_work() as session:
        await session.execute(
            update(WebSession).values(last_seen_at=datetime.now(UTC) - settings.web.session_idle - timedelta(1))
        )
    assert (await pages.get("/")).status_code == 303
    await web.login(pages, "technician")
    async with database.unit_of_work() as session:
        await session.execute(
            update(WebSession).values(created_at=datetime.now(UTC) - settings.web.session_absolute - timedelta(1))
        )
    assert (await pages.get("/")).status_code == 303
    await web.login(pages, "technician")
    async with database.unit_of_work() as session:
        await session.execute(update(User).where(User.username == "technician").values(is_active=False))
    assert (await pages.get("/")).status_code == 303


async def test_language_switch_and_safe_redirects(pages: httpx.AsyncClient) -> None:
    await web.login(pages, "viewer")
    assert "Overzicht" in (await pages.get("/")).text
    switched = await pages.post("/language", data={"csrf_token": await web.csrf(pages), "language": "en", "next": "/x"})
    assert switched.headers["location"] == "/x"
    page = await pages.get("/")
    assert "Dashboard" in page.text and 'lang="en"' in page.text
    evil = await pages.post("/language", data={"csrf_token": await web.csrf(pages), "language": "nl", "next": "//evil"})
    assert evil.headers["location"] == "/"
    assert (await pages.get("/login?next=https://evil.example")).text.count('value="/"') == 1
