"""Cyber-hygiene figures per camera in the inventory (CSV, JSON, XLSX) and counted in the annual chapter, from
constructed data on both engines: shared passwords, factory user names, credential age, certificates ended and ending,
configuration drift; never a password or its hash."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, time, timedelta

import openpyxl
from sqlalchemy import select, update

from config.settings import Settings
from config.zone import LOCAL
from fleet.cameras.models import CameraCredentials
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault, FaultKind, Severity
from fleet.inventory import export
from fleet.inventory.service import COLUMNS, build_inventory
from fleet.reports.annual import annual_document
from fleet.reports.chapter import Table
from tests.builders import make_camera

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.astimezone(LOCAL).date()
# The inventory and the annual chapter count as of the start of the day (local midnight).
MOMENT = datetime.combine(TODAY, time(), tzinfo=LOCAL)
SHARED = "Gedeeld-Wachtwoord-1"
HYGIENE = (
    "password_shared_with",
    "default_username",
    "credential_age_days",
    "certificates_expiring",
    "certificates_expired",
    "config_drift",
)


def _fault(camera_id: int, kind: FaultKind, details: dict[str, object], *, closed: bool = False) -> Fault:
    return Fault(
        camera_id=camera_id,
        kind=kind,
        severity=Severity.MINOR,
        summary=kind.value,
        details=details,
        opened_at=NOW - timedelta(days=3),
        closed_at=NOW - timedelta(days=1) if closed else None,
    )


def _endpoint(port: int, ends: timedelta) -> dict[str, object]:
    return {"endpoint": f"https:{port}", "not_after": (NOW + ends).isoformat(), "subject": "CN=camera"}


async def _fleet(database: Database, cipher: CredentialCipher) -> dict[str, int]:
    async with database.unit_of_work() as session:
        made = {
            "HYG-A": await make_camera(
                session, cipher, name="HYG-A", declared_manufacturer="Hikvision", username="admin", password=SHARED
            ),
            "HYG-B": await make_camera(
                session,
                cipher,
                name="HYG-B",
                declared_manufacturer="Axis Communications",
                username="beheer",
                password=SHARED,
            ),
            "HYG-C": await make_camera(
                session,
                cipher,
                name="HYG-C",
                declared_manufacturer="Axis Communications",
                username="root",
                password="Eigen-Wachtwoord-C",
            ),
            "HYG-D": await make_camera(session, cipher, name="HYG-D"),
        }
        ids = {name: camera.id for name, camera in made.items()}
        await session.execute(
            update(CameraCredentials)
            .where(CameraCredentials.camera_id == ids["HYG-C"])
            .values(password_changed_at=MOMENT - timedelta(days=400, hours=1))
        )
        await session.execute(
            update(CameraCredentials)
            .where(CameraCredentials.camera_id.in_([ids["HYG-A"], ids["HYG-B"]]))
            .values(password_changed_at=MOMENT - timedelta(days=10, hours=1))
        )
        session.add_all(
            [
                _fault(
                    ids["HYG-C"], FaultKind.CERTIFICATE_EXPIRED, {"endpoints": [_endpoint(443, -timedelta(days=2))]}
                ),
                # The expiring fault names the ended certificate too: only the one still to end counts as ending.
                _fault(
                    ids["HYG-C"],
                    FaultKind.CERTIFICATE_EXPIRING,
                    {"endpoints": [_endpoint(443, -timedelta(days=2)), _endpoint(8443, timedelta(days=10))]},
                ),
                _fault(
                    ids["HYG-D"],
                    FaultKind.CONFIG_DRIFT,
                    {
                        "changes": [
                            {"setting": "main.frame_rate", "old": 25, "new": 12},
                            {"setting": "ntp", "old": "a", "new": "b"},
                        ]
                    },
                ),
                # Drift that was put right before the moment counts for nothing.
                _fault(ids["HYG-A"], FaultKind.CONFIG_DRIFT, {"changes": [{"setting": "main.gop"}]}, closed=True),
            ]
        )
    return ids


async def test_hygiene_columns_in_every_format_and_counts_in_the_annual_chapter(
    database: Database, settings: Settings, cipher: CredentialCipher
) -> None:
    await _fleet(database, cipher)
    async with database.unit_of_work() as session:
        rows = await build_inventory(session, settings=settings, as_of=TODAY)
        fingerprints = [c.password_fingerprint for c in await session.scalars(select(CameraCredentials))]
    found = {r.values["name"]: tuple(r.values[c] for c in HYGIENE) for r in rows}
    assert found == {
        "HYG-A": (1, True, 10, 0, 0, None),
        "HYG-B": (1, False, 10, 0, 0, None),
        "HYG-C": (0, True, 400, 1, 1, None),
        "HYG-D": (None, None, None, 0, 0, "main.frame_rate; ntp"),
    }
    assert COLUMNS[-len(HYGIENE) :] == HYGIENE

    as_of = TODAY
    csv_text = export.to_csv(rows).decode("utf-8-sig")
    header, *lines = csv_text.splitlines()
    assert header.split(",")[-len(HYGIENE) :] == list(HYGIENE)
    document = json.loads(export.to_json(rows, as_of=as_of))
    by_name = {c["name"]: c for c in document["cameras"]}
    assert by_name["HYG-C"]["credential_age_days"] == 400 and by_name["HYG-D"]["config_drift"] == "main.frame_rate; ntp"
    book = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(rows, as_of=as_of)))
    sheet = list(book["Cameras"].values)
    assert list(sheet[0][-len(HYGIENE) :]) == list(HYGIENE)
    dictionary = {row[0] for row in book["Data dictionary"].values}
    assert set(HYGIENE) <= dictionary
    # Never a password, nor its keyed hash, in any of them.
    secrets = [SHARED, "Eigen-Wachtwoord-C", *(f for f in fingerprints if f)]
    for blob in (csv_text, json.dumps(document), json.dumps([list(r) for r in sheet], default=str)):
        assert not any(secret in blob for secret in secrets)

    async with database.unit_of_work() as session:
        english = await annual_document(session, year=NOW.year, settings=settings, now=NOW, language="en")
        dutch = await annual_document(session, year=NOW.year, settings=settings, now=NOW, language="nl")
    section = next(s for s in english.chapter.sections if s.key == "hygiene")
    table = section.blocks[0]
    assert isinstance(table, Table)
    figures = {row[0]: row[1] for row in table.rows}
    assert figures == {
        "Cameras sharing their password with another camera": "2",
        "Cameras using the vendor's factory user name": "2",
        "Cameras whose password is older than 365 days": "1",
        "Oldest password (days since it was set)": "400",
        "Cameras with an ended certificate": "1",
        "Cameras with a certificate ending soon": "1",
        "Cameras whose configuration drifted from its baseline": "1",
    }
    assert "Cyberhygiëne" in dutch.html and "fabrieksgebruikersnaam" in dutch.html
    assert not any(secret in english.html + dutch.html for secret in secrets)
