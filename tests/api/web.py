"""Signing in to the pages as a browser does, for the page tests: users, a seeded fault, forms and CSRF tokens."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from api.app import create_app
from config.settings import Settings
from fleet.audit.models import AuditEntry
from fleet.cameras.models import CameraStatus
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import FaultKind
from fleet.faults.service import FaultChanges, open_fault
from fleet.tickets import creation, history
from fleet.users.models import Role
from tests.builders import make_camera, make_user

PASSWORD = "correct horse battery"
PAGES = [
    "/",
    "/dashboard/figures",
    "/cameras",
    "/map",
    "/faults",
    "/tickets",
    "/maintenance",
    "/recording-holds",
    "/decisions",
    "/hygiene",
    "/reconciliation",
    "/reports",
]


async def people(database: Database) -> None:
    """One user of each role, named after it, with PASSWORD."""
    async with database.unit_of_work() as session:
        for role in Role:
            await make_user(session, role, username=role.value, password=PASSWORD)


async def seed(database: Database, cipher: CredentialCipher, settings: Settings) -> tuple[int, int, int]:
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


def client(settings: Settings, database: Database, base_url: str = "http://camfleet.test") -> httpx.AsyncClient:
    """A browser-like client of the app, from a fixed address (login throttling counts per address)."""
    transport = httpx.ASGITransport(app=create_app(settings, database), client=("127.91.0.9", 40000))
    return httpx.AsyncClient(transport=transport, base_url=base_url)


def hidden(html: str, name: str) -> str:
    """The value of a hidden form field."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name} in the page"
    return found.group(1)


async def login(http: httpx.AsyncClient, username: str, password: str = PASSWORD) -> httpx.Response:
    """Log in through the form, as a browser does."""
    form = await http.get("/login")
    return await http.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": hidden(form.text, "csrf_token"), "next": "/"},
    )


async def csrf(http: httpx.AsyncClient, path: str = "/") -> str:
    """The session's CSRF token, as a page carries it."""
    return hidden((await http.get(path)).text, "csrf_token")


async def audit(database: Database, action: str) -> list[AuditEntry]:
    """The audit entries of one action."""
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == action))).all())
