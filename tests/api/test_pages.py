"""The pages over HTTP: what each role sees and may do, security headers, and every page showing and acting on the
fleet through the services."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from api.pages.i18n import LABELS, labeller
from api.pages.records import bars
from config.settings import Settings
from fleet.cameras.models import CameraKind, CameraStatus, RiskLevel
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.decisions.models import DecisionKind
from fleet.decisions.schemas import DecisionOut
from fleet.faults.models import Severity
from fleet.tickets.models import TicketEventKind, TicketStatus
from fleet.users.models import Role, User
from tests.api import web


async def test_a_viewer_sees_but_cannot_act(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    camera_id, fault_id, ticket_id = await web.seed(database, cipher, settings)
    await web.login(pages, "viewer")
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
    token = await web.csrf(pages)
    assert (await pages.post(f"/faults/{fault_id}/acknowledge", data={"csrf_token": token})).status_code == 403
    refused = await pages.post(f"/tickets/{ticket_id}", data={"csrf_token": token, "status": "resolved"})
    assert refused.status_code == 403
    async with database.unit_of_work() as session:
        # A role change takes effect on the next request: sessions read the user each time.
        await session.execute(update(User).where(User.username == "viewer").values(role=Role.TECHNICIAN))
    assert (await pages.post(f"/faults/{fault_id}/acknowledge", data={"csrf_token": token})).status_code == 303
    assert "/acknowledge" not in (await pages.get(f"/cameras/{camera_id}")).text  # acknowledged now


async def test_security_headers_and_no_inline_script_or_style(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    camera_id, _fault_id, ticket_id = await web.seed(database, cipher, settings)
    login = await pages.get("/login")
    await web.login(pages, "admin")
    for path in ["/login", *web.PAGES, "/admin", f"/cameras/{camera_id}", f"/tickets/{ticket_id}"]:
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
    async with web.client(settings, database) as http:
        csp = (await http.get("/login")).headers["content-security-policy"]
    assert "img-src 'self' data: https://tiles.example.org;" in csp
    assert "script-src 'self';" in csp


async def _as_admin(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> tuple[int, int, str]:
    """The seeded camera and ticket, signed in as admin: the camera's id, the ticket's id and the CSRF token."""
    camera_id, _fault_id, ticket_id = await web.seed(database, cipher, settings)
    await web.login(pages, "admin")
    return camera_id, ticket_id, await web.csrf(pages)


async def test_dashboard_cameras_map_and_faults_show_the_fleet(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    camera_id, _ticket_id, _token = await _as_admin(pages, database, cipher, settings)
    figures = await pages.get("/dashboard/figures")
    assert re.search(r'data-status="down">1<', figures.text)
    assert "VL-F012" in figures.text
    listed = await pages.get("/cameras?status=down&q=f012&sort=last_seen")
    assert f'href="/cameras/{camera_id}"' in listed.text
    assert "VL-F012" not in (await pages.get("/cameras?status=up")).text
    assert (await pages.get("/map/points")).json()["points"][0]["status"] == "down"
    faults = (await pages.get("/faults")).text
    assert "Camera niet bereikbaar" in faults  # the kind of fault in words


async def test_a_ticket_moves_by_the_workflow(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    _camera_id, ticket_id, token = await _as_admin(pages, database, cipher, settings)
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


async def test_a_maintenance_window_is_planned_through_the_form(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    camera_id, _ticket_id, token = await _as_admin(pages, database, cipher, settings)
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


async def test_reports_download_as_the_api_gives_them(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    await _as_admin(pages, database, cipher, settings)
    inventory = await pages.get("/reports/inventory?format=csv")
    assert inventory.status_code == 200 and "VL-F012" in inventory.text
    book = await pages.get("/reports/inventory?format=xlsx")
    plan = load_workbook(io.BytesIO(book.content))["Replacement plan"]
    assert "einde ondersteuning" in [cell.value for cell in plan[1]]  # in the viewer's language, Dutch
    uptime = await pages.get("/reports/uptime?from=2026-01-01&to=2026-01-31&format=csv")
    assert uptime.status_code == 200 and uptime.headers["content-disposition"].startswith("attachment")
    wrong = await pages.get("/reports/uptime?from=2026-02-01&to=2026-01-01&format=csv")
    assert wrong.status_code == 422 and "must be after from" in wrong.text
    html = await pages.get("/reports/uptime?from=2026-01-01&to=2026-01-31&format=html")
    assert "script-src" not in html.headers["content-security-policy"]  # default-src 'none' covers scripts
    assert html.headers["content-security-policy"].startswith("default-src 'none'")


async def test_a_new_api_token_is_shown_once(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher, settings: Settings
) -> None:
    _camera_id, _ticket_id, token = await _as_admin(pages, database, cipher, settings)
    created = await pages.post("/admin/tokens", data={"csrf_token": token, "username": "viewer", "name": "grafana"})
    assert re.search(r'<code id="new-token">cf_[\w-]+</code>', created.text)
    assert "grafana" in (await pages.get("/admin")).text
    assert "new-token" not in (await pages.get("/admin")).text  # shown once


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
