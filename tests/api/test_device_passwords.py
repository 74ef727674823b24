"""The device-password report over the API and on its page (admins only): shared passwords by keyed hash, factory
user names, ages; rotation runs asked for and refused while one is pending; no password ever in an answer."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select

from fleet.cameras import service as cameras
from fleet.cameras.models import CameraCredentials
from fleet.cameras.schemas import CameraUpdate
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.passwords.models import PasswordRotation, RotationStatus
from fleet.users.models import Role
from tests.api import web
from tests.builders import TEST_ACTOR, make_camera
from tests.conftest import bearer

SHARED, OWN = "Gedeeld-wachtwoord-1", "Eigen-wachtwoord-2"


async def _fleet(database: Database, cipher: CredentialCipher) -> dict[str, int]:
    async with database.unit_of_work() as session:
        made = [
            await make_camera(
                session, cipher, name="PW-A", declared_manufacturer="Hikvision", username="admin", password=SHARED
            ),
            await make_camera(
                session, cipher, name="PW-B", declared_manufacturer="Axis", username="root", password=SHARED
            ),
            await make_camera(
                session, cipher, name="PW-C", declared_manufacturer="Axis", username="beheer", password=OWN
            ),
            await make_camera(
                session, cipher, name="PW-D", declared_manufacturer="Dahua", username="beheer", password=SHARED
            ),
            await make_camera(session, cipher, name="PW-NONE"),
        ]
        return {c.name: c.id for c in made}


async def test_report_finds_shared_passwords_factory_names_and_ages_without_showing_any(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    ids = await _fleet(database, cipher)
    # One login is old: its age counts from when it last changed.
    async with database.unit_of_work() as session:
        creds = await session.get(CameraCredentials, ids["PW-C"])
        assert creds is not None and creds.password_changed_at is not None
        creds.password_changed_at -= timedelta(days=400)
    answer = await client.get("/api/v1/device-passwords", headers=bearer(tokens[Role.ADMIN]))
    assert answer.status_code == 200, answer.text
    assert SHARED not in answer.text and OWN not in answer.text
    report = answer.json()
    assert report["shared_groups"] == [["PW-A", "PW-B", "PW-D"]]
    rows = {r["camera"]: r for r in report["cameras"]}
    assert set(rows) == {"PW-A", "PW-B", "PW-C", "PW-D"}  # PW-NONE has no ONVIF login
    assert {n: r["default_username"] for n, r in rows.items()} == {
        "PW-A": True,
        "PW-B": True,
        "PW-C": False,
        "PW-D": False,
    }
    assert rows["PW-A"]["shared_with"] == ["PW-B", "PW-D"] and rows["PW-C"]["shared_with"] == []
    assert rows["PW-C"]["age_days"] == 400 and rows["PW-C"]["too_old"] and not rows["PW-A"]["too_old"]
    assert report["totals"] == {"cameras": 4, "sharing": 3, "default_username": 2, "too_old": 1}
    for role in (Role.VIEWER, Role.TECHNICIAN, Role.COORDINATOR, Role.AUDITOR):
        refused = await client.get("/api/v1/device-passwords", headers=bearer(tokens[role]))
        assert refused.status_code == 403

    # A new password changes the fingerprint and the date; the same login written again keeps both.
    async with database.unit_of_work() as session:
        before = await session.get(CameraCredentials, ids["PW-A"])
        assert before is not None
        fingerprint, changed = before.password_fingerprint, before.password_changed_at
        camera = await cameras.get_or_raise(session, ids["PW-A"])
        same = CameraUpdate.model_validate(
            {"credentials": {"username": "admin", "password": SHARED, "snmp_community": "x"}}
        )
        await cameras.update(session, actor=TEST_ACTOR, camera=camera, data=same, cipher=cipher)
    async with database.unit_of_work() as session:
        kept = (
            await session.scalars(select(CameraCredentials).where(CameraCredentials.camera_id == ids["PW-A"]))
        ).one()
        assert (kept.password_fingerprint, kept.password_changed_at) == (fingerprint, changed)
        camera = await cameras.get_or_raise(session, ids["PW-A"])
        other = CameraUpdate.model_validate({"credentials": {"username": "admin", "password": "Nieuw-en-anders-3"}})
        await cameras.update(session, actor=TEST_ACTOR, camera=camera, data=other, cipher=cipher)
    report = (await client.get("/api/v1/device-passwords", headers=bearer(tokens[Role.ADMIN]))).json()
    assert report["shared_groups"] == [["PW-B", "PW-D"]]


async def test_rotation_runs_are_asked_for_one_at_a_time(
    client: httpx.AsyncClient, tokens: dict[Role, str], database: Database, cipher: CredentialCipher
) -> None:
    ids = await _fleet(database, cipher)
    admin = bearer(tokens[Role.ADMIN])
    refused = await client.post(
        "/api/v1/password-rotations", json={"all": True}, headers=bearer(tokens[Role.COORDINATOR])
    )
    assert refused.status_code == 403
    both = await client.post("/api/v1/password-rotations", json={"all": True, "camera_ids": [1]}, headers=admin)
    assert both.status_code == 422
    asked = await client.post("/api/v1/password-rotations", json={"all": True, "batch_size": 2}, headers=admin)
    assert asked.status_code == 202, asked.text
    run = asked.json()
    assert run["status"] == "pending" and run["batch_size"] == 2
    assert [c["camera"] for c in run["cameras"]] == ["PW-A", "PW-B", "PW-C", "PW-D"]
    again = await client.post("/api/v1/password-rotations", json={"camera_ids": [ids["PW-A"]]}, headers=admin)
    assert again.status_code == 409 and f"password rotation {run['id']} has not finished" in again.text
    listed = (await client.get("/api/v1/password-rotations", headers=admin)).json()
    assert [r["id"] for r in listed] == [run["id"]]
    one = await client.get(f"/api/v1/password-rotations/{run['id']}", headers=admin)
    assert one.json()["cameras"][0]["outcome"] is None
    assert (await client.get("/api/v1/password-rotations/999", headers=admin)).status_code == 404


async def test_the_page_shows_the_report_and_asks_for_a_run(
    pages: httpx.AsyncClient, database: Database, cipher: CredentialCipher
) -> None:
    await _fleet(database, cipher)
    await web.login(pages, "admin")
    page = await pages.get("/admin/passwords")
    assert page.status_code == 200
    assert SHARED not in page.text
    assert "PW-A" in page.text and "Wachtwoorden van apparaten" in page.text  # the user's language: Dutch
    token = web.hidden(page.text, "csrf_token")
    done = await pages.post("/admin/passwords/rotate", data={"csrf_token": token, "batch_size": "3"})
    assert done.status_code == 303
    async with database.unit_of_work() as session:
        run = (await session.scalars(select(PasswordRotation))).one()
    assert run.status is RotationStatus.PENDING and run.batch_size == 3 and run.requested_by == "admin"
    await web.login(pages, "coordinator")
    assert (await pages.get("/admin/passwords")).status_code == 403
