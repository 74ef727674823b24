"""The pages over HTTP: login, sessions, CSRF, throttling, security headers, roles and every page rendering."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select, update

from api.app import create_app
from api.pages.i18n import LABELS, labeller
from api.pages.records import bars
from config.settings import Settings
from fleet.audit.models import AuditEntry
from fleet.cameras.models import CameraKind, CameraStatus, RiskLevel
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.decisions.models import DecisionKind
from fleet.decisions.schemas import DecisionOut
from fleet.faults.models import FaultKind, Severity
from fleet.faults.service import FaultChanges, open_fault
from fleet.tickets import creation, history
from fleet.tickets.models import TicketEventKind, TicketStatus
from fleet.users.models import LoginThrottle, Role, User, WebSession
from tests.builders import make_camera, make_user

PASSWORD = "correct horse battery"
PAGES = ["/", "/dashboard/figures", "/cameras", "/map", "/faults", "/tickets", "/maintenance", "/decisions", "/reports"]


async def _people(database: Database) -> None:
    async with database.unit_of_work() as session:
        for role in Role:
            await make_user(session, role, username=role.value, password=PASSWORD)


async def _seed(database: Database, cipher: CredentialCipher, settings: Settings) -> tuple[int, int, int]:
    """A down camera with an open offline fault and the ticket the policy makes for it."""
    now = datetime.now(UTC)
    async with database.unit_of_work() as session:
        camera = await make_camera(session, cipher, name="VL-F012", latitude=51.37, longitude=6.17, area="Centrum")
        camera.status = CameraStatus.DOWN
        changes = FaultChanges()
        fault = await open_fault(
            session, changes, camera=camera, kind=FaultKind.OFFLINE, at=now, summary="VL-F012 offline"
        )
        await creation.on_fault_changes(session, changes, now=now, settings=settings)
        ticket_id = (await history.ticket_ids_for_faults(session, [fault.id]))[fault.id]
        return camera.id, fault.id, ticket_id


def _client(settings: Settings, database: Database, base_url: str = "http://camfleet.test") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(settings, database), client=("127.91.0.9", 40000))
    return httpx.AsyncClient(transport=transport, base_url=base_url)


@pytest_asyncio.fixture
async def pages(settings: Settings, database: Database) -> AsyncIterator[httpx.AsyncClient]:
    await _people(database)
    async with _client(settings, database) as http:
        yield http


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name} in the page"
    return found.group(1)


async def _login(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    form = await http.get("/login")
    return await http.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": _hidden(form.text, "csrf_token"), "next": "/"},
    )


async def _csrf(http: httpx.AsyncClient, path: str = "/") -> str:
    return _hidden((await http.get(path)).text, "csrf_token")


async def _audit(database: Database, action: str) -> list[AuditEntry]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == action))).all())


async def test_every_page_needs_a_login(pages: httpx.AsyncClient) -> None:
    for path in [*PAGES, "/admin", "/cameras/1", "/tickets/1"]:
        answer = await pages.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=")
    htmx = await pages.get("/dashboard/figures", headers={"HX-Request": "true"})
    assert htmx.status_code == 204
    assert htmx.headers["HX-Redirect"] == "/login?next=/dashboard/figures"


async def test_login_sets_a_safe_cookie_and_logout_ends_the_session(
    pages: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    answer = await _login(pages, "coordinator")
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(settings.web.cookie_name + "="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    async with database.unit_of_work() as session:
        stored = (await session.scalars(select(WebSession))).one()
        assert value not in (stored.token_hash, stored.csrf_token)  # only a hash of the cookie is kept
    dashboard = await pages.get("/")
    assert dashboard.status_code == 200 and "coordinator" in dashboard.text

    logout = await pages.post("/logout", data={"csrf_token": await _csrf(pages)})
    assert logout.status_code == 303
    # The old cookie, replayed, no longer works: the session is gone from the database.
    pages.cookies.set(settings.web.cookie_name, value)
    assert (await pages.get("/")).status_code == 303
    assert len(await _audit(database, "login")) == 1 and len(await _audit(database, "logout")) == 1


async def test_cookie_is_secure_over_https(settings: Settings, database: Database) -> None:
    await _people(database)
    async with _client(settings, database, "https://camfleet.test") as http:
        answer = await _login(http, "viewer")
    cookie = next(h for h in answer.headers.get_list("set-cookie") if h.startswith(settings.web.cookie_name + "="))
    assert "Secure" in cookie


async def test_wrong_password_and_unknown_user_get_the_same_answer(
    pages: httpx.AsyncClient, database: Database
) -> None:
    wrong = await _login(pages, "admin", "not the password")
    unknown = await _login(pages, "nobody-here", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Gebruikersnaam of wachtwoord onjuist." in wrong.text
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong.text).replace("admin", "X") == strip.sub("", unknown.text).replace("nobody-here", "X")
    assert len(await _audit(database, "login.failed")) == 2


async def test_login_form_needs_its_csrf_cookie(pages: httpx.AsyncClient) -> None:
    answer = await pages.post("/login", data={"username": "admin", "password": PASSWORD, "csrf_token": "forged"})
    assert answer.status_code == 400
    assert settings_cookie_absent(answer)


def settings_cookie_absent(answer: httpx.Response) -> bool:
    return not any(h.startswith("camfleet_session=") for h in answer.headers.get_list("set-cookie"))


async def test_login_is_throttled_per_username(settings: Settings, database: Database) -> None:
    settings.web.login_max_failures_per_user = 3
    await _people(database)
    async with _client(settings, database) as http:
        for _ in range(3):
            assert (await _login(http, "admin", "guess guess guess")).status_code == 401
        throttled = await _login(http, "admin")  # even the right password waits now
        assert throttled.status_code == 429
        assert "Te veel mislukte pogingen" in throttled.text
        assert settings_cookie_absent(throttled)
        # An unknown name is throttled the same way: the answer never tells which names exist.
        for _ in range(3):
            await _login(http, "ghost", "guess guess guess")
        assert (await _login(http, "ghost", "guess guess guess")).status_code == 429
        assert (await _login(http, "viewer")).status_code == 303  # another account from this address still works
    assert len(await _audit(database, "login.throttled")) == 2


async def test_login_is_throttled_per_address(settings: Settings, database: Database) -> None:
    settings.web.login_max_failures_per_address = 4
    await _people(database)
    async with _client(settings, database) as http:
        for name in ("a1", "a2", "a3", "a4"):
            assert (await _login(http, name, "guess guess guess")).status_code == 401
        assert (await _login(http, "viewer")).status_code == 429
    transport = httpx.ASGITransport(app=create_app(settings, database), client=("127.91.0.10", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://camfleet.test") as elsewhere:
        assert (await _login(elsewhere, "viewer")).status_code == 303


async def test_failures_older_than_the_window_do_not_count(settings: Settings, database: Database) -> None:
    settings.web.login_max_failures_per_user = 2
    await _people(database)
    async with _client(settings, database) as http:
        for _ in range(2):
            await _login(http, "admin", "guess guess guess")
        assert (await _login(http, "admin")).status_code == 429
        async with database.unit_of_work() as session:
            hour_ago = datetime.now(UTC) - timedelta(hours=1)
            await session.execute(update(LoginThrottle).values(window_started_at=hour_ago, blocked_until=hour_ago))
        assert (await _login(http, "admin")).status_code == 303


async def test_every_post_needs_the_session_csrf_token(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    _camera_id, fault_id, _ticket_id = await _seed(database, cipher, settings)
    await _login(pages, "technician")
    url = f"/faults/{fault_id}/acknowledge"
    assert (await pages.post(url)).status_code == 403
    assert (await pages.post(url, data={"csrf_token": "forged"})).status_code == 403
    assert (await pages.post(url, headers={"X-CSRF-Token": "forged"})).status_code == 403
    token = await _csrf(pages)
    assert (await pages.post(url, headers={"X-CSRF-Token": token})).status_code == 303  # htmx sends a header
    assert (await pages.post("/logout")).status_code == 403


async def test_a_viewer_sees_but_cannot_act(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    camera_id, fault_id, ticket_id = await _seed(database, cipher, settings)
    await _login(pages, "viewer")
    camera = await pages.get(f"/cameras/{camera_id}")
    assert camera.status_code == 200 and "VL-F012 offline" in camera.text
    assert "/acknowledge" not in camera.text
    ticket = await pages.get(f"/tickets/{ticket_id}")
    assert 'name="status"' not in ticket.text and "/comments" not in ticket.text
    maintenance = await pages.get("/maintenance")
    assert 'action="/maintenance"' not in maintenance.text
    refused_page = await pages.get("/admin")
    assert refused_page.status_code == 403 and "Dat mag u niet" in refused_page.text
    assert refused_page.headers["content-type"].startswith("text/html")
    missing = await pages.get("/cameras/99999")
    assert missing.status_code == 404 and "Niet gevonden." in missing.text and "camera 99999" in missing.text
    token = await _csrf(pages)
    assert (await pages.post(f"/faults/{fault_id}/acknowledge", data={"csrf_token": token})).status_code == 403
    refused = await pages.post(f"/tickets/{ticket_id}", data={"csrf_token": token, "status": "resolved"})
    assert refused.status_code == 403
    async with database.unit_of_work() as session:
        # A role change takes effect on the next request: sessions read the user each time.
        await session.execute(update(User).where(User.username == "viewer").values(role=Role.TECHNICIAN))
    assert (await pages.post(f"/faults/{fault_id}/acknowledge", data={"csrf_token": token})).status_code == 303
    assert "/acknowledge" not in (await pages.get(f"/cameras/{camera_id}")).text  # acknowledged now


async def test_a_deactivated_user_and_an_idle_session_are_logged_out(
    pages: httpx.AsyncClient, database: Database, settings: Settings
) -> None:
    await _login(pages, "technician")
    assert (await pages.get("/")).status_code == 200
    async with database.unit_of_work() as session:
        await session.execute(
            update(WebSession).values(last_seen_at=datetime.now(UTC) - settings.web.session_idle - timedelta(1))
        )
    assert (await pages.get("/")).status_code == 303
    await _login(pages, "technician")
    async with database.unit_of_work() as session:
        await session.execute(
            update(WebSession).values(created_at=datetime.now(UTC) - settings.web.session_absolute - timedelta(1))
        )
    assert (await pages.get("/")).status_code == 303
    await _login(pages, "technician")
    async with database.unit_of_work() as session:
        await session.execute(update(User).where(User.username == "technician").values(is_active=False))
    assert (await pages.get("/")).status_code == 303


async def test_security_headers_and_no_inline_script_or_style(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    camera_id, _fault_id, ticket_id = await _seed(database, cipher, settings)
    login = await pages.get("/login")
    await _login(pages, "admin")
    for path in ["/login", *PAGES, "/admin", f"/cameras/{camera_id}", f"/tickets/{ticket_id}"]:
        answer = login if path == "/login" else await pages.get(path)
        assert answer.status_code == 200, path
        csp = answer.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "same-origin"
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", answer.text), path
        assert not re.search(r"\sstyle=|\son[a-z]+=", answer.text), path
    static = await pages.get("/static/vendor/htmx/htmx.min.js")
    assert static.status_code == 200 and static.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in (await pages.get("/api/v1/health")).headers


async def test_tile_host_is_allowed_for_images_only(settings: Settings, database: Database) -> None:
    settings.web.tile_url = "https://tiles.example.org/{z}/{x}/{y}.png"
    async with _client(settings, database) as http:
        csp = (await http.get("/login")).headers["content-security-policy"]
    assert "img-src 'self' data: https://tiles.example.org;" in csp
    assert "script-src 'self';" in csp


async def test_pages_show_the_fleet_and_act_through_the_services(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    camera_id, fault_id, ticket_id = await _seed(database, cipher, settings)
    await _login(pages, "admin")
    figures = await pages.get("/dashboard/figures")
    assert re.search(r'data-status="down">1<', figures.text)
    assert "VL-F012" in figures.text
    listed = await pages.get("/cameras?status=down&q=f012&sort=last_seen")
    assert f'href="/cameras/{camera_id}"' in listed.text
    assert "VL-F012" not in (await pages.get("/cameras?status=up")).text
    assert (await pages.get("/map/points")).json()["points"][0]["status"] == "down"
    token = await _csrf(pages)

    async with database.unit_of_work() as session:
        technician = (await session.scalars(select(User).where(User.username == "technician"))).one()
    assigned = await pages.post(f"/tickets/{ticket_id}", data={"csrf_token": token, "assignee_id": technician.id})
    assert assigned.status_code == 303
    # The workflow's rules hold: closing an assigned ticket is refused with the allowed next steps.
    refused = await pages.post(f"/tickets/{ticket_id}", data={"csrf_token": token, "status": "closed"})
    assert refused.status_code == 409 and "allowed next" in refused.text
    resolved = await pages.post(f"/tickets/{ticket_id}", data={"csrf_token": token, "status": "resolved"})
    assert resolved.status_code == 303
    await pages.post(f"/tickets/{ticket_id}/comments", data={"csrf_token": token, "text": "Voeding vervangen"})
    page = (await pages.get(f"/tickets/{ticket_id}")).text
    assert "Voeding vervangen" in page and "opgelost" in page
    # The history words statuses in the page's language, not as stored codes.
    assert "toegewezen → opgelost" in page and "assigned → resolved" not in page
    faults = (await pages.get("/faults")).text
    assert "Camera niet bereikbaar" in faults  # the kind of fault in words

    bad = await pages.post(
        "/maintenance",
        data={"csrf_token": token, "starts_at": "2026-03-01T08:00", "ends_at": "2026-03-01T07:00", "reason": "x"},
    )
    assert bad.status_code == 422 and "must be after starts_at" in bad.text
    made = await pages.post(
        "/maintenance",
        data={
            "csrf_token": token,
            "starts_at": "2026-03-01T06:00",
            "ends_at": "2026-03-01T08:00",
            "reason": "Mast vervangen",
            "recurrence": "FREQ=WEEKLY;COUNT=3",
            "camera_ids": str(camera_id),
        },
    )
    assert made.status_code == 303
    listed_windows = (await pages.get("/maintenance")).text
    assert "Mast vervangen" in listed_windows and "2026-03-01 06:00" in listed_windows  # shown in local time

    inventory = await pages.get("/reports/inventory?format=csv")
    assert inventory.status_code == 200 and "VL-F012" in inventory.text
    uptime = await pages.get("/reports/uptime?from=2026-01-01&to=2026-01-31&format=csv")
    assert uptime.status_code == 200 and uptime.headers["content-disposition"].startswith("attachment")
    wrong = await pages.get("/reports/uptime?from=2026-02-01&to=2026-01-01&format=csv")
    assert wrong.status_code == 422 and "must be after from" in wrong.text
    html = await pages.get("/reports/uptime?from=2026-01-01&to=2026-01-31&format=html")
    assert "script-src" not in html.headers["content-security-policy"]  # default-src 'none' covers scripts
    assert html.headers["content-security-policy"].startswith("default-src 'none'")

    created = await pages.post("/admin/tokens", data={"csrf_token": token, "username": "viewer", "name": "grafana"})
    assert re.search(r'<code id="new-token">cf_[\w-]+</code>', created.text)
    assert "grafana" in (await pages.get("/admin")).text
    assert "new-token" not in (await pages.get("/admin")).text  # shown once


async def test_language_switch_and_safe_redirects(pages: httpx.AsyncClient) -> None:
    await _login(pages, "viewer")
    assert "Overzicht" in (await pages.get("/")).text
    switched = await pages.post("/language", data={"csrf_token": await _csrf(pages), "language": "en", "next": "/x"})
    assert switched.headers["location"] == "/x"
    page = await pages.get("/")
    assert "Dashboard" in page.text and 'lang="en"' in page.text
    evil = await pages.post("/language", data={"csrf_token": await _csrf(pages), "language": "nl", "next": "//evil"})
    assert evil.headers["location"] == "/"
    assert (await pages.get("/login?next=https://evil.example")).text.count('value="/"') == 1


def _decision(starts_on: date, ends_on: date | None, days: list[date] | None = None) -> DecisionOut:
    return DecisionOut(
        id=1,
        kind=DecisionKind.DEPLOYMENT,
        decision_date=starts_on,
        registration="2026/1",
        location="Markt",
        starts_on=starts_on,
        ends_on=ends_on,
        days=days or [],
        reason="overlast",
        flexible_count=1,
        fixed_count=0,
        camera_ids=[],
        supersedes_id=None,
        warnings=[],
        source_row=None,
        decision_date_raw=None,
        cameras_raw=None,
        period_raw=None,
        note=None,
        created_by="test",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_decision_timeline_bars() -> None:
    year = 2025  # 365 days
    whole = bars(_decision(date(2024, 6, 1), None), year)
    assert [(b.start, b.width) for b in whole] == [(0.0, 1.0)]
    july = bars(_decision(date(2025, 7, 1), date(2025, 7, 31)), year)
    assert [(round(b.start * 365), round(b.width * 365)) for b in july] == [(181, 31)]
    match_days = bars(_decision(date(2025, 3, 1), None, [date(2025, 3, 1), date(2026, 1, 2)]), year)
    assert [(round(b.start * 365), round(b.width * 365)) for b in match_days] == [(59, 1)]
    assert bars(_decision(date(2023, 1, 1), date(2024, 12, 31)), year) == []


@pytest.mark.parametrize(
    ("family", "values"),
    [
        ("status", [s.value for s in CameraStatus]),
        ("severity", [s.value for s in Severity]),
        ("risk", [r.value for r in RiskLevel]),
        ("ticket_status", [s.value for s in TicketStatus]),
        ("ticket_event", [k.value for k in TicketEventKind]),
        ("camera_kind", [k.value for k in CameraKind]),
        ("deployment", ["valid", "expired", "missing"]),
    ],
)
def test_every_value_the_pages_show_has_dutch_and_english_text(family: str, values: list[str]) -> None:
    assert sorted(LABELS[family]) == sorted(values)
    dutch, english = labeller("nl"), labeller("en")
    assert all(dutch(family, value) and english(family, value) for value in values)
