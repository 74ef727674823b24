"""Cyber hygiene end to end: simulated cameras with certificates made here, the Poller's security check, both engines.

Simulated cameras on 127.119.2.x (ONVIF 8080, RTSP 8554, HTTPS 8443, RTSPS 8322).
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest_asyncio
from sqlalchemy import select

from collectors.registry import Collectors
from config.settings import Settings
from fleet.audit.models import AuditEntry
from fleet.cameras import importer
from fleet.cameras import service as cameras
from fleet.cameras.models import Camera
from fleet.crypto import CredentialCipher
from fleet.db import Database
from fleet.faults.models import Fault
from fleet.hygiene import rules
from fleet.hygiene.models import CameraHygiene
from fleet.users.models import Role
from scheduler.polling import Poller
from simulator.fleet import SimulatedFleet
from tests.api.web import client as web_client
from tests.api.web import login, people
from tests.builders import TEST_ACTOR
from tests.conftest import bearer
from tests.peers.certificates import make_authority, make_certificate

HTTPS, RTSPS = 8443, 8322
NAMES = ("CERT-EXPIRED", "CERT-EXPIRING", "CERT-WEAK", "DRIFT")
HYGIENE_KINDS = {"certificate_expired", "certificate_expiring", "config_drift"}


@pytest_asyncio.fixture
async def fleet(tmp_path: Path) -> AsyncIterator[SimulatedFleet]:
    path = tmp_path / "fleet.csv"
    rows = ["name,host,onvif_port,snmp_port,rtsp_port,declared_manufacturer,username,password"]
    rows += [f"{name},127.119.2.{n},8080,1161,8554,Axis,admin,hygiene-{n}" for n, name in enumerate(NAMES, 1)]
    path.write_text("\n".join(rows) + "\n")
    async with SimulatedFleet.from_csv(path, snapshot_size=(320, 180)) as simulated:
        authority = make_authority()
        expired = make_certificate("cert-expired.venlo.test", ended_ago=timedelta(days=2))
        expiring = make_certificate("cert-expiring.venlo.test", valid_for=timedelta(days=10), issuer=authority)
        weak = make_certificate("cert-weak.venlo.test", rsa_bits=1024, issuer=authority)
        await simulated.camera("CERT-EXPIRED").serve_tls(expired.certificate_pem, expired.key_pem, https_port=HTTPS)
        await simulated.camera("CERT-EXPIRING").serve_tls(expiring.certificate_pem, expiring.key_pem, https_port=HTTPS)
        await simulated.camera("CERT-WEAK").serve_tls(weak.certificate_pem, weak.key_pem, rtsps_port=RTSPS)
        await simulated.camera("DRIFT").update(discoverable=True, ntp_servers=["pool.ntp.org"])
        yield simulated


@pytest_asyncio.fixture
async def poller(
    settings: Settings, database: Database, cipher: CredentialCipher, tmp_path: Path, fleet: SimulatedFleet
) -> AsyncIterator[Poller]:
    async with database.unit_of_work() as session:
        rows = importer.read_camera_file(tmp_path / "fleet.csv")
        await cameras.upsert_many(session, actor=TEST_ACTOR, rows=importer.iter_cameras(rows), cipher=cipher)
    hygiene_settings = settings.hygiene.model_copy(
        update={"https_ports": [], "rtsps_ports": [RTSPS], "ntp_servers": ["ntp.gemeente.example"]}
    )
    configured = settings.model_copy(update={"hygiene": hygiene_settings})
    async with Collectors.for_settings(configured) as collectors:
        yield Poller(database, configured, collectors, cipher, owner="test-hygiene", rng=random.Random(20))


async def _open(database: Database) -> dict[str, dict[str, Fault]]:
    async with database.unit_of_work() as session:
        names = {c.id: c.name for c in await session.scalars(select(Camera))}
        found: dict[str, dict[str, Fault]] = {name: {} for name in names.values()}
        for fault in await session.scalars(select(Fault).where(Fault.closed_at.is_(None))):
            if fault.camera_id is not None and fault.kind.value in HYGIENE_KINDS:
                found[names[fault.camera_id]][fault.kind.value] = fault
    return found


async def _rows(database: Database) -> dict[str, CameraHygiene]:
    async with database.unit_of_work() as session:
        names = {c.id: c.name for c in await session.scalars(select(Camera))}
        return {names[r.camera_id]: r for r in await session.scalars(select(CameraHygiene))}


async def test_certificates_exposed_services_and_drift(
    poller: Poller,
    database: Database,
    fleet: SimulatedFleet,
    settings: Settings,
    client: httpx.AsyncClient,
    tokens: dict[Role, str],
) -> None:
    await poller.tick(everything=True)
    faults = await _open(database)
    assert set(faults["CERT-EXPIRED"]) == {"certificate_expired", "certificate_expiring"}
    assert set(faults["CERT-EXPIRING"]) == {"certificate_expiring"}
    assert faults["CERT-WEAK"] == {} and faults["DRIFT"] == {}
    expiring = faults["CERT-EXPIRING"]["certificate_expiring"]
    assert expiring.severity.value == "warning" and "https:8443 ends" in expiring.summary
    assert faults["CERT-EXPIRED"]["certificate_expired"].severity.value == "major"

    seen = await _rows(database)
    assert rules.plain_http_only(seen["CERT-WEAK"].endpoints) and rules.plain_http_only(seen["DRIFT"].endpoints)
    assert not rules.plain_http_only(seen["CERT-EXPIRED"].endpoints)
    (weak,) = seen["CERT-WEAK"].endpoints
    assert rules.weaknesses(weak["certificate"]) == ["RSA key of 1024 bits"]
    assert seen["DRIFT"].discoverable is True and seen["CERT-WEAK"].discoverable is False
    assert rules.foreign_ntp(seen["DRIFT"].ntp_servers, ["ntp.gemeente.example"]) == ["pool.ntp.org"]
    assert all(row.baseline == row.configuration and row.baseline_taken_by for row in seen.values())
    async with database.unit_of_work() as session:
        audited = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "camera.config_baseline"))).all()
    assert len(audited) == len(NAMES) and {a.actor for a in audited} == {"system:security-check"}

    # Someone lowers the frame rate: the recorder's retention was sized on 25 frames a second.
    await fleet.camera("DRIFT").update(frame_rate=12)
    await poller.tick(everything=True)
    drift = (await _open(database))["DRIFT"]["config_drift"]
    assert drift.details["changes"] == [{"setting": "encoder/VideoEncoderToken_1/frame_rate", "old": 25.0, "new": 12.0}]
    assert "frame_rate 25.0 → 12.0" in drift.summary

    await _shown_on_the_pages(settings, database)
    # A coordinator accepts the change as the new normal: the drift closes, audited, and stays closed.
    async with database.unit_of_work() as session:
        camera = await session.scalar(select(Camera).where(Camera.name == "DRIFT"))
    assert camera is not None
    url = f"/api/v1/cameras/{camera.id}/baseline"
    assert (await client.post(url, headers=bearer(tokens[Role.VIEWER]))).status_code == 403
    taken = await client.post(url, headers=bearer(tokens[Role.COORDINATOR]))
    assert taken.status_code == 200 and taken.json()["drift"] == []
    # The expiring certificate is renewed: its fault closes at the next check.
    renewed = make_certificate("cert-expiring.venlo.test", valid_for=timedelta(days=400))
    await fleet.camera("CERT-EXPIRING").serve_tls(renewed.certificate_pem, renewed.key_pem, https_port=HTTPS)
    await poller.tick(everything=True)
    faults = await _open(database)
    assert faults["DRIFT"] == {} and faults["CERT-EXPIRING"] == {}
    assert set(faults["CERT-EXPIRED"]) == {"certificate_expired", "certificate_expiring"}
    async with database.unit_of_work() as session:
        by_person = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "camera.config_baseline", AuditEntry.actor == "user-coordinator"
            )
        )
    assert by_person is not None and by_person.after is not None
    assert by_person.after["baseline"]["encoder/VideoEncoderToken_1/frame_rate"] == 12.0


async def _shown_on_the_pages(settings: Settings, database: Database) -> None:
    """The fleet page and the camera page show plain HTTP only, discovery on, foreign NTP, weak keys and drift."""
    await people(database)
    async with web_client(settings, database) as http:
        await login(http, "viewer")
        fleet_page = (await http.get("/hygiene")).text
        listed = (await http.get("/api/v1/hygiene")).status_code  # the API wants a token, not a page session
        async with database.unit_of_work() as session:
            drifting = await session.scalar(select(Camera.id).where(Camera.name == "DRIFT"))
        camera_page = (await http.get(f"/cameras/{drifting}")).text
    assert listed == 401
    for shown in ("CERT-WEAK", "RSA key of 1024 bits", "pool.ntp.org", "encoder/VideoEncoderToken_1/frame_rate"):
        assert shown in fleet_page, shown
    assert "25.0 → 12.0" in camera_page and "pool.ntp.org" in camera_page
    assert "/baseline" not in camera_page  # a viewer sees no re-baseline button
